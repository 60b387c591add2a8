package crm

import (
	"context"
	"fmt"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Search limits, as HubSpot documents them.
const (
	MaxSearchGroups          = 5
	MaxSearchFiltersPerGroup = 6
	MaxSearchFilters         = 18
	MaxSearchLimit           = 200
	DefaultSearchLimit       = 10
	MaxSearchResults         = 10000
	MaxSearchQueryLength     = 3000
)

// Search operators.
const (
	OpEQ               = "EQ"
	OpNEQ              = "NEQ"
	OpLT               = "LT"
	OpLTE              = "LTE"
	OpGT               = "GT"
	OpGTE              = "GTE"
	OpBetween          = "BETWEEN"
	OpIn               = "IN"
	OpNotIn            = "NOT_IN"
	OpHasProperty      = "HAS_PROPERTY"
	OpNotHasProperty   = "NOT_HAS_PROPERTY"
	OpContainsToken    = "CONTAINS_TOKEN"
	OpNotContainsToken = "NOT_CONTAINS_TOKEN"
)

// ValueKind says how a property's values are compared in search.
type ValueKind int

const (
	// KindNumeric compares numbers, and dates and datetimes as epoch milliseconds.
	KindNumeric ValueKind = iota
	// KindText compares strings case-insensitively (stored lower-cased).
	KindText
	// KindExact compares enumeration and boolean values exactly.
	KindExact
)

// SearchKind returns how search compares values of p.
func (p *PropertyDefinition) SearchKind() ValueKind {
	switch p.Type {
	case TypeNumber, TypeDatetime, TypeDate:
		return KindNumeric
	case TypeEnumeration, TypeBool:
		return KindExact
	}
	return KindText
}

// Indexed reports whether p's values go into the search index. Long text
// (message bodies and their previews) is searched through the free-text
// index instead; filters on it are still exact, only slower.
func (p *PropertyDefinition) Indexed() bool {
	return p.FieldType != "textarea" && p.FieldType != "html" && !p.NotIndexed
}

// SearchFilter is one validated filter, with values in the form the index
// holds them.
type SearchFilter struct {
	Property string
	Kind     ValueKind
	Indexed  bool
	Op       string
	Nums     []float64
	Texts    []string
	// Multi marks a property holding several values (a record may match twice).
	Multi bool
	// AssociatedWith, when set, makes this an associations.{type} filter:
	// records associated with the record Nums[0] of that type.
	AssociatedWith string
}

// SearchSort orders results by one property.
type SearchSort struct {
	Property string
	Kind     ValueKind
	Indexed  bool
	Desc     bool
}

// ScopedIndex indexes the values of a numeric Property separately for each
// value of Scope, a single-valued enumeration, so that a filter on both (a
// channel and a time range) reads one contiguous range of the index, already
// in the property's order. Each record with both values gets one more index
// entry, named by ScopedName.
type ScopedIndex struct {
	Property string
	Scope    string
}

// ScopedName is the index name of property's values within one value of
// scope.
func ScopedName(property, scope, value string) string {
	return property + "|" + scope + "=" + value
}

// SearchQuery is a validated search, ready for a storage backend.
type SearchQuery struct {
	TypeID string
	// Scoped are the type's scoped indexes, which a backend may use.
	Scoped []ScopedIndex
	// Groups are OR-ed; the filters of a group are AND-ed. No groups: all records.
	Groups [][]SearchFilter
	// Terms are lower-cased words of the free-text query; each must prefix a
	// word of the record's searchable text.
	Terms []string
	// Sort is nil for creation order (ascending id).
	Sort *SearchSort
	// WrittenBefore, when set, leaves out records created or changed after
	// it (the emulated indexing lag).
	WrittenBefore time.Time
	Offset        int
	Limit         int
}

// SearchDoc is what the search index holds for one live record.
type SearchDoc struct {
	ObjectID int64
	TypeID   string
	Values   []IndexedValue
	// Text is the record's free-text searchable content.
	Text string
	// New marks a record just created: it has no entries to replace.
	New bool
	// Prepared is the store's own form of the document, made before the
	// write transaction by a Preparer; nil otherwise.
	Prepared any
}

// IndexedValue is one indexed property value: Num for numeric kinds, Text otherwise.
type IndexedValue struct {
	Name string
	Num  *float64
	Text *string
	// Scoped marks a value of a property with a scoped index in its type
	// (ScopedIndex.Property), whether or not the record is in a scope.
	Scoped bool
}

// indexNumber converts a stored value of a numeric property to its index form.
func indexNumber(p *PropertyDefinition, v string) (float64, bool) {
	switch p.Type {
	case TypeDatetime, TypeDate:
		t, ok := ParseInstant(v)
		return float64(t.UnixMilli()), ok
	}
	return parseDecimal(v)
}

// ObjectIDProperty is the property every record has whose value is its id.
// The search index holds no value of it: a search reads the record's id
// instead (an index entry less for every record written).
const ObjectIDProperty = "hs_object_id"

// SearchDoc builds the index entry of a live record of type t. It holds no
// value of ObjectIDProperty.
func (t *ObjectType) SearchDoc(obj *Object) SearchDoc {
	doc := SearchDoc{ObjectID: obj.ID, TypeID: t.ID}
	for name, v := range obj.Properties {
		p := t.Property(name)
		if p == nil || !p.Indexed() || name == ObjectIDProperty {
			continue
		}
		switch p.SearchKind() {
		case KindNumeric:
			if n, ok := indexNumber(p, v); ok {
				scoped := slices.ContainsFunc(t.ScopedIndexes, func(si ScopedIndex) bool { return si.Property == name })
				doc.Values = append(doc.Values, IndexedValue{Name: name, Num: &n, Scoped: scoped})
			}
		case KindExact:
			values := []string{v}
			if p.multiValued() {
				values = strings.Split(v, ";")
			}
			for _, x := range values {
				doc.Values = append(doc.Values, IndexedValue{Name: name, Text: &x})
			}
		default:
			lower := strings.ToLower(v)
			doc.Values = append(doc.Values, IndexedValue{Name: name, Text: &lower})
		}
	}
	// In property name order (a multi-valued property's values in their
	// order), then the scoped names in the type's order.
	slices.SortStableFunc(doc.Values, func(a, b IndexedValue) int { return strings.Compare(a.Name, b.Name) })
	for _, si := range t.ScopedIndexes {
		scope, ok := obj.Properties[si.Scope]
		p := t.Property(si.Property)
		if !ok || scope == "" || p == nil {
			continue
		}
		if n, ok := indexNumber(p, obj.Properties[si.Property]); ok {
			doc.Values = append(doc.Values, IndexedValue{Name: ScopedName(si.Property, si.Scope, scope), Num: &n})
		}
	}
	var text []string
	for _, name := range t.Searchable {
		if v := obj.Properties[name]; v != "" {
			if p := t.Property(name); p != nil && p.FieldType == "html" {
				v = plainText(v) // words, not tags
			}
			text = append(text, v)
		}
	}
	doc.Text = FreeText(strings.Join(text, "\n"))
	return doc
}

// SearchRequest is a search as a client sends it (PublicObjectSearchRequest).
type SearchRequest struct {
	FilterGroups [][]FilterInput
	Sorts        []SortInput
	Query        string
	Properties   []string
	Limit        *int
	After        string
}

// FilterInput is one filter as sent. Missing fields are nil.
type FilterInput struct {
	PropertyName *string
	Operator     *string
	Value        *string
	HighValue    *string
	Values       []string
}

// SortInput is one sort rule. Ignored marks a rule HubSpot silently ignores
// (a JSON object sent as a string).
type SortInput struct {
	PropertyName string
	Direction    string
	Ignored      bool
}

// SearchResult is one page of search results.
type SearchResult struct {
	Total   int
	Records []*Record
	// NextOffset is the offset of the next page, 0 on the last page.
	NextOffset int
}

// noSearchLagKey marks a context whose searches see every write at once.
type noSearchLagKey struct{}

// WithoutSearchLag returns ctx for searches that see every write at once,
// whatever SearchLag says: the web pages are not behind the search index,
// as HubSpot's own screens are not.
func WithoutSearchLag(ctx context.Context) context.Context {
	return context.WithValue(ctx, noSearchLagKey{}, true)
}

// Search runs a search on records of type t.
func (e *Engine) Search(ctx context.Context, t *ObjectType, req SearchRequest) (*SearchResult, error) {
	// Filters and sorts: a name returned only is skipped when unknown.
	var names []string
	for _, g := range req.FilterGroups {
		for _, f := range g {
			if f.PropertyName != nil {
				names = append(names, *f.PropertyName)
			}
		}
	}
	for _, s := range req.Sorts {
		names = append(names, s.PropertyName)
	}
	t = e.Known(ctx, t, false, names...)
	q, err := e.compileSearch(t, req)
	if err != nil {
		return nil, err
	}
	if e.SearchLag > 0 && ctx.Value(noSearchLagKey{}) == nil {
		q.WrittenBefore = e.now().Add(-e.SearchLag)
	}
	res := &SearchResult{}
	err = e.Store.Read(ctx, func(tx ReadTx) error {
		ids, total, err := tx.Search(ctx, q)
		if err != nil {
			return err
		}
		res.Total = total
		objs, err := e.loadMany(ctx, tx, t, ids, false)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if o != nil {
				res.Records = append(res.Records, &Record{Object: o, Type: t})
			}
		}
		return nil
	})
	if next := q.Offset + q.Limit; next < res.Total && next < MaxSearchResults {
		res.NextOffset = next
	}
	return res, err
}

// bindingError is HubSpot's answer to a filter its JSON binding rejects: no category.
func bindingError(format string, args ...any) *Error {
	return BadInput("Invalid input JSON on line 1, column 1: "+format, args...)
}

func (e *Engine) compileSearch(t *ObjectType, req SearchRequest) (SearchQuery, error) {
	q := SearchQuery{TypeID: t.ID, Scoped: t.ScopedIndexes, Limit: DefaultSearchLimit}
	if req.Limit != nil {
		if *req.Limit < 0 || *req.Limit > MaxSearchLimit {
			return q, Invalidf("limit must be between 0 and %d, not %d", MaxSearchLimit, *req.Limit)
		}
		q.Limit = *req.Limit
	}
	if req.After != "" {
		n, err := strconv.Atoi(req.After)
		if err != nil || n < 0 {
			return q, Invalidf("after must be a non-negative integer offset, not %q", req.After)
		}
		q.Offset = n
	}
	if q.Offset+q.Limit > MaxSearchResults {
		return q, Invalidf("Search results are limited to %d records: offset %d plus limit %d goes past them. Narrow the search instead of paging further", MaxSearchResults, q.Offset, q.Limit)
	}
	if len(req.FilterGroups) > MaxSearchGroups {
		return q, Invalidf("Too many filter groups: %d. A search may have at most %d", len(req.FilterGroups), MaxSearchGroups)
	}
	total := 0
	for _, g := range req.FilterGroups {
		if len(g) > MaxSearchFiltersPerGroup {
			return q, Invalidf("Too many filters in a group: %d. A group may have at most %d", len(g), MaxSearchFiltersPerGroup)
		}
		total += len(g)
	}
	if total > MaxSearchFilters {
		return q, Invalidf("Too many filters: %d. A search may have at most %d in all", total, MaxSearchFilters)
	}
	for _, g := range req.FilterGroups {
		var group []SearchFilter
		for _, f := range g {
			sf, err := e.compileFilter(t, f)
			if err != nil {
				return q, err
			}
			group = append(group, sf)
		}
		if len(group) > 0 {
			q.Groups = append(q.Groups, group)
		}
	}
	if n := utf8.RuneCountInString(req.Query); n > MaxSearchQueryLength {
		return q, Invalidf("query is %d characters long; the maximum is %d", n, MaxSearchQueryLength)
	}
	q.Terms = Terms(req.Query)
	var sorts []SortInput
	for _, s := range req.Sorts {
		if !s.Ignored {
			sorts = append(sorts, s)
		}
	}
	if len(sorts) > 1 {
		return q, Invalidf("Only one sort is allowed, not %d", len(sorts))
	}
	if len(sorts) == 1 {
		s := sorts[0]
		p := t.Property(s.PropertyName)
		if p == nil {
			return q, Invalidf("Cannot sort by %s: there is no such property of %s", s.PropertyName, t.Name)
		}
		q.Sort = &SearchSort{Property: p.Name, Kind: p.SearchKind(), Indexed: p.Indexed()}
		switch s.Direction {
		case "", "ASCENDING":
		case "DESCENDING":
			q.Sort.Desc = true
		default:
			return q, Invalidf("Sort direction must be ASCENDING or DESCENDING, not %q", s.Direction)
		}
	}
	return q, nil
}

// Terms splits a free-text query into words the way FreeText splits
// searchable text: lower-cased, without diacritics, at every character that
// is not a letter or a digit.
func Terms(query string) []string {
	return strings.Fields(FreeText(query))
}

// FreeText normalises searchable text so that every backend tokenises it
// the same way: lower case, diacritics removed ("Olá" matches "ola"), and
// anything but letters and digits turned into spaces ("ana@example.com"
// holds the words ana, example and com).
func FreeText(s string) string {
	if ascii(s) { // nothing to fold: most message text
		b := []byte(s)
		for i, c := range b {
			switch {
			case 'A' <= c && c <= 'Z':
				b[i] = c + 'a' - 'A'
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			default:
				b[i] = ' '
			}
		}
		return string(b)
	}
	// A transform chain holds state: one per call.
	fold := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(fold, s)
	if err != nil {
		folded = s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return unicode.ToLower(r)
		}
		return ' '
	}, folded)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (e *Engine) compileFilter(t *ObjectType, f FilterInput) (SearchFilter, error) {
	var missing []string
	if f.PropertyName == nil || *f.PropertyName == "" {
		missing = append(missing, "propertyName")
	}
	if f.Operator == nil || *f.Operator == "" {
		missing = append(missing, "operator")
	}
	if len(missing) > 0 {
		return SearchFilter{}, bindingError("Cannot build Filter, some of required attributes are not set [%s]", strings.Join(missing, ", "))
	}
	op, name := *f.Operator, *f.PropertyName
	switch op {
	case OpEQ, OpNEQ, OpLT, OpLTE, OpGT, OpGTE, OpBetween, OpIn, OpNotIn, OpHasProperty, OpNotHasProperty, OpContainsToken, OpNotContainsToken:
	default:
		return SearchFilter{}, bindingError("Cannot deserialize value of type `FilterOperator` from String %q: not one of the values accepted for Enum class: [EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN]", op)
	}
	if op == OpBetween && f.HighValue == nil {
		return SearchFilter{}, bindingError("problem: operator BETWEEN requires a highValue")
	}
	if (op == OpIn || op == OpNotIn) && len(f.Values) == 0 {
		return SearchFilter{}, Invalidf("operator %s requires values", op)
	}
	needsValue := op != OpHasProperty && op != OpNotHasProperty && op != OpIn && op != OpNotIn
	if needsValue && f.Value == nil {
		return SearchFilter{}, Invalidf("operator %s requires a value", op)
	}
	if strings.HasPrefix(name, "associations.") {
		return e.associationFilter(t, strings.TrimPrefix(name, "associations."), op, f)
	}
	p := t.Property(name)
	if p == nil {
		return SearchFilter{}, Invalidf("Cannot filter by %s: there is no such property of %s", name, t.Name)
	}
	sf := SearchFilter{Property: name, Kind: p.SearchKind(), Indexed: p.Indexed(), Op: op, Multi: p.multiValued()}
	var raw []string
	switch op {
	case OpIn, OpNotIn:
		raw = f.Values
	case OpBetween:
		raw = []string{*f.Value, *f.HighValue}
	case OpHasProperty, OpNotHasProperty:
	default:
		raw = []string{*f.Value}
	}
	for _, v := range raw {
		if !Storable(v) {
			return sf, Invalidf("A filter value of property %s %s", name, notStorable)
		}
		switch {
		case op == OpContainsToken || op == OpNotContainsToken:
			sf.Texts = append(sf.Texts, strings.ToLower(v))
		case sf.Kind == KindNumeric:
			n, ok := indexNumber(p, v)
			if !ok || math.IsNaN(n) {
				return sf, Invalidf("%s is not a valid value for %s property %s", v, p.Type, name)
			}
			sf.Nums = append(sf.Nums, n)
		case sf.Kind == KindExact:
			if p.Type == TypeBool {
				b, ok := parseBool(v)
				if !ok {
					return sf, Invalidf("%s is not a valid value for bool property %s", v, name)
				}
				v = b
			}
			sf.Texts = append(sf.Texts, v)
		case op == OpIn || op == OpNotIn:
			// HubSpot matches IN values on strings as given: they must be lower-case.
			sf.Texts = append(sf.Texts, v)
		default:
			sf.Texts = append(sf.Texts, strings.ToLower(v))
		}
	}
	if sf.Kind == KindExact && op != OpEQ && op != OpNEQ && op != OpIn && op != OpNotIn && op != OpHasProperty &&
		op != OpNotHasProperty && op != OpContainsToken && op != OpNotContainsToken && p.Type == TypeBool {
		return sf, Invalidf("operator %s cannot be used on bool property %s", op, name)
	}
	return sf, nil
}

// associationFilter compiles associations.{type} EQ id (or IN ids).
func (e *Engine) associationFilter(t *ObjectType, typeName, op string, f FilterInput) (SearchFilter, error) {
	other, err := e.Types.ResolveAssociated(typeName)
	if err != nil {
		return SearchFilter{}, err
	}
	if op != OpEQ && op != OpIn {
		return SearchFilter{}, Invalidf("associations.%s filters support EQ and IN, not %s", typeName, op)
	}
	sf := SearchFilter{Property: "associations." + other.Singular, Op: op, AssociatedWith: other.ID, Indexed: true}
	raw := f.Values
	if op == OpEQ {
		raw = []string{*f.Value}
	}
	for _, v := range raw {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return sf, Invalidf("%s is not a record id for associations.%s", v, typeName)
		}
		sf.Nums = append(sf.Nums, float64(id))
	}
	return sf, nil
}

// TokenMatch reports whether any word of text matches pattern, a lower-case
// token where * stands for any run of characters (CONTAINS_TOKEN).
func TokenMatch(text, pattern string) bool {
	for _, word := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' }) {
		if globMatch(pattern, word) {
			return true
		}
	}
	return false
}

// globMatch matches s against a pattern where * is any run of characters.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		last := i == len(parts)-2
		if last {
			return strings.HasSuffix(s, part) && len(s) >= len(part)
		}
		j := strings.Index(s, part)
		if j < 0 {
			return false
		}
		s = s[j+len(part):]
	}
	return true
}

// String describes a filter for logs.
func (f SearchFilter) String() string {
	return fmt.Sprintf("%s %s %v%v", f.Property, f.Op, f.Nums, f.Texts)
}
