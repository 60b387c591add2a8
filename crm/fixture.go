package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Fixture is a data set in Spoke's fixture format: close to HubSpot's JSON,
// keyed by plural object type names. Export writes it; Seed loads it.
type Fixture struct {
	Owners            []FixtureOwner               `json:"owners,omitempty"`
	Schemas           []FixtureSchema              `json:"schemas,omitempty"`
	PropertyGroups    map[string][]FixtureGroup    `json:"propertyGroups,omitempty"`
	Properties        map[string][]FixtureProperty `json:"properties,omitempty"`
	AssociationLabels []FixtureLabel               `json:"associationLabels,omitempty"`
	Pipelines         map[string][]FixturePipeline `json:"pipelines,omitempty"`
	Objects           map[string][]FixtureObject   `json:"objects,omitempty"`
	Associations      []FixtureAssociation         `json:"associations,omitempty"`
	AssociationLimits []FixtureAssociationLimit    `json:"associationLimits,omitempty"`
	// BlockedEmails are the addresses GDPR deletes blocked.
	BlockedEmails []string `json:"gdprBlockedEmails,omitempty"`
	// Apps are the developer apps with their webhook settings and
	// subscriptions.
	Apps []FixtureApp `json:"apps,omitempty"`
}

// fixtureKeys are the keys a fixture may have: the JSON names of Fixture's
// fields.
var fixtureKeys = func() []string {
	t := reflect.TypeFor[Fixture]()
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		keys = append(keys, name)
	}
	sort.Strings(keys)
	return keys
}()

// UnmarshalJSON reads a fixture and refuses a key it does not know: a
// misspelt section ("owner", "object") would otherwise load nothing and the
// seed would report success. Keys inside the sections are not checked.
func (f *Fixture) UnmarshalJSON(data []byte) error {
	var sections map[string]json.RawMessage
	if json.Unmarshal(data, &sections) == nil {
		var unknown []string
		for k := range sections {
			if _, found := slices.BinarySearch(fixtureKeys, k); !found {
				unknown = append(unknown, strconv.Quote(k))
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return fmt.Errorf("unknown fixture key %s: a fixture has %s", strings.Join(unknown, ", "), strings.Join(fixtureKeys, ", "))
		}
	}
	type plain Fixture
	return json.Unmarshal(data, (*plain)(f))
}

// FixtureOwner is an owner; id and userId are assigned when absent.
type FixtureOwner struct {
	ID        string `json:"id,omitempty"`
	Email     string `json:"email"`
	Type      string `json:"type,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	UserID    int64  `json:"userId,omitempty"`
	Archived  bool   `json:"archived,omitempty"`
	// Times as the owners API writes them; the seeding time when absent.
	CreatedAt  string `json:"createdAt,omitempty"`
	UpdatedAt  string `json:"updatedAt,omitempty"`
	ArchivedAt string `json:"archivedAt,omitempty"`
}

// FixtureGroup is a custom property group.
type FixtureGroup struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder,omitempty"`
	Archived     bool   `json:"archived,omitempty"`
}

// FixtureProperty is a custom property definition.
type FixtureProperty struct {
	Name           string          `json:"name"`
	Label          string          `json:"label"`
	Type           string          `json:"type"`
	FieldType      string          `json:"fieldType"`
	GroupName      string          `json:"groupName"`
	Description    string          `json:"description,omitempty"`
	Options        []FixtureOption `json:"options,omitempty"`
	HasUniqueValue bool            `json:"hasUniqueValue,omitempty"`
	Archived       bool            `json:"archived,omitempty"`
	// Times as the properties API writes them; the seeding time when absent.
	CreatedAt  string `json:"createdAt,omitempty"`
	UpdatedAt  string `json:"updatedAt,omitempty"`
	ArchivedAt string `json:"archivedAt,omitempty"`
}

// FixtureOption is an option of an enumeration, with the keys of HubSpot's
// Option (a fixture read with other cases of them loads too).
type FixtureOption struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// fixtureOptions converts options to their fixture form; nil stays nil.
func fixtureOptions(opts []PropertyOption) []FixtureOption {
	if opts == nil {
		return nil
	}
	out := make([]FixtureOption, len(opts))
	for i, o := range opts {
		out[i] = FixtureOption(o)
	}
	return out
}

// FixtureLabel is a USER_DEFINED association type between two object types.
type FixtureLabel struct {
	From          string `json:"from"`
	To            string `json:"to"`
	TypeID        int64  `json:"typeId"`
	InverseTypeID int64  `json:"inverseTypeId"`
	Label         string `json:"label"`
	InverseLabel  string `json:"inverseLabel,omitempty"`
	Name          string `json:"name"`
}

// FixtureObject is a record. Without an id one is assigned; without
// createdAt the seeding time is used. Properties are HubSpot's string values;
// computed ones (previews, owner fields) are filled in when absent.
type FixtureObject struct {
	ID         string            `json:"id,omitempty"`
	Properties map[string]string `json:"properties"`
	CreatedAt  string            `json:"createdAt,omitempty"`
	UpdatedAt  string            `json:"updatedAt,omitempty"`
	Archived   bool              `json:"archived,omitempty"`
	ArchivedAt string            `json:"archivedAt,omitempty"`
	// PropertiesWithHistory holds the values each named property had,
	// newest first, as the objects API writes them; a seed stores them as
	// that property's history (an export writes them only when asked).
	PropertiesWithHistory map[string][]FixtureValue `json:"propertiesWithHistory,omitempty"`
}

// FixtureValue is one value of a property's history.
type FixtureValue struct {
	Value     string `json:"value"`
	Timestamp string `json:"timestamp"`
	// SourceType and SourceID are where the value came from; the seed's
	// own (INTEGRATION, "0") when SourceType is absent.
	SourceType string `json:"sourceType,omitempty"`
	SourceID   string `json:"sourceId,omitempty"`
}

// FixtureAssociation associates two records with one or more types, named
// from the "from" record's side.
type FixtureAssociation struct {
	From  FixtureRef        `json:"from"`
	To    FixtureRef        `json:"to"`
	Types []AssociationSpec `json:"types"`
}

// FixtureRef names a record by plural type name and id.
type FixtureRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// MarshalJSON writes a spec as HubSpot's AssociationSpec.
func (s AssociationSpec) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"associationCategory":%q,"associationTypeId":%d}`, s.Category, s.TypeID)), nil
}

// UnmarshalJSON reads HubSpot's AssociationSpec.
func (s *AssociationSpec) UnmarshalJSON(b []byte) error {
	var v struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int64  `json:"associationTypeId"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.Category, s.TypeID = v.AssociationCategory, v.AssociationTypeID
	return nil
}

// Export captures every owner, custom property, label, record (archived
// ones in the recycle bin included), association and app (without its
// secrets) as a fixture.
func (e *Engine) Export(ctx context.Context) (*Fixture, error) {
	return e.ExportWith(ctx, ExportOptions{})
}

// ExportWith is Export with the options of opts.
func (e *Engine) ExportWith(ctx context.Context, opts ExportOptions) (*Fixture, error) {
	f := &Fixture{PropertyGroups: map[string][]FixtureGroup{}, Properties: map[string][]FixtureProperty{}, Objects: map[string][]FixtureObject{}}
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		for _, archived := range []bool{false, true} {
			var after int64
			for {
				owners, err := tx.ListOwners(ctx, OwnerQuery{Archived: archived, AfterID: after, Limit: 500})
				if err != nil {
					return err
				}
				for _, o := range owners {
					fo := FixtureOwner{ID: strconv.FormatInt(o.ID, 10), Email: o.Email, Type: o.Type,
						FirstName: o.FirstName, LastName: o.LastName, UserID: o.UserID, Archived: o.Archived,
						CreatedAt: FormatTime(o.CreatedAt), UpdatedAt: FormatTime(o.UpdatedAt)}
					if o.Archived {
						fo.ArchivedAt = FormatTime(o.ArchivedAt)
					}
					f.Owners = append(f.Owners, fo)
					after = o.ID + 1
				}
				if len(owners) < 500 {
					break
				}
			}
		}
		sort.Slice(f.Owners, func(i, j int) bool { return f.Owners[i].ID < f.Owners[j].ID })
		var err error
		if f.Schemas, err = exportSchemas(ctx, tx); err != nil {
			return err
		}
		for _, t := range e.Types.Types() {
			for _, g := range t.Groups {
				if !g.HubSpotDefined {
					f.PropertyGroups[t.Name] = append(f.PropertyGroups[t.Name], FixtureGroup{Name: g.Name, Label: g.Label, DisplayOrder: g.DisplayOrder, Archived: g.Archived})
				}
			}
			for _, p := range append(append([]*PropertyDefinition(nil), t.Properties...), t.ArchivedProperties...) {
				if !p.HubSpotDefined {
					fp := FixtureProperty{Name: p.Name, Label: p.Label, Type: p.Type,
						FieldType: p.FieldType, GroupName: p.GroupName, Description: p.Description, Options: fixtureOptions(p.Options), HasUniqueValue: p.Unique, Archived: p.Archived,
						CreatedAt: FormatTime(p.CreatedAt), UpdatedAt: FormatTime(p.UpdatedAt)}
					if p.Archived {
						fp.ArchivedAt = FormatTime(p.ArchivedAt)
					}
					f.Properties[t.Name] = append(f.Properties[t.Name], fp)
				}
			}
			for _, archived := range []bool{false, true} {
				var after int64
				for {
					objs, err := tx.ListObjects(ctx, ListQuery{TypeID: t.ID, Archived: archived, AfterID: after, Limit: 1000, ArchivedSince: e.recycleCutoff()})
					if err != nil {
						return err
					}
					history, err := exportHistory(ctx, tx, t, objs, opts.History)
					if err != nil {
						return err
					}
					for _, o := range objs {
						fo := FixtureObject{ID: strconv.FormatInt(o.ID, 10), Properties: o.Properties,
							CreatedAt: FormatTime(o.CreatedAt), UpdatedAt: FormatTime(o.UpdatedAt), Archived: o.Archived,
							PropertiesWithHistory: history[o.ID]}
						if o.Archived {
							fo.ArchivedAt = FormatTime(o.ArchivedAt)
						}
						f.Objects[t.Name] = append(f.Objects[t.Name], fo)
						after = o.ID + 1
					}
					if len(objs) < 1000 {
						break
					}
				}
			}
		}
		pipelines, err := e.exportPipelines(ctx, tx)
		if err != nil {
			return err
		}
		f.Pipelines = pipelines
		labels, err := tx.AssociationLabels(ctx)
		if err != nil {
			return err
		}
		byID := map[int64]*AssociationLabel{}
		for _, l := range labels {
			byID[l.TypeID] = l
		}
		for _, l := range labels {
			inv := byID[l.InverseID]
			if inv == nil || l.TypeID > l.InverseID {
				continue // written with its pair
			}
			from, ferr := e.Types.Resolve(l.From)
			to, terr := e.Types.Resolve(l.To)
			if ferr != nil || terr != nil {
				continue // a type of an archived custom object schema, not exported
			}
			f.AssociationLabels = append(f.AssociationLabels, FixtureLabel{From: from.Name, To: to.Name, TypeID: l.TypeID,
				InverseTypeID: l.InverseID, Label: l.Label, InverseLabel: inv.Label, Name: l.Name})
		}
		rows, err := tx.AllAssociations(ctx)
		if err != nil {
			return err
		}
		for i := 0; i < len(rows); {
			j := i
			a := FixtureAssociation{}
			for ; j < len(rows) && rows[j].FromID == rows[i].FromID && rows[j].ToID == rows[i].ToID; j++ {
				a.Types = append(a.Types, AssociationSpec{Category: rows[j].Category, TypeID: rows[j].TypeID})
			}
			from, ferr := e.Types.Resolve(rows[i].FromType)
			to, terr := e.Types.Resolve(rows[i].ToType)
			if ferr != nil || terr != nil {
				i = j
				continue // a record of an archived custom object schema, not exported
			}
			a.From = FixtureRef{Type: from.Name, ID: strconv.FormatInt(rows[i].FromID, 10)}
			a.To = FixtureRef{Type: to.Name, ID: strconv.FormatInt(rows[i].ToID, 10)}
			f.Associations = append(f.Associations, a)
			i = j
		}
		if f.Apps, err = exportApps(ctx, tx, opts.Secrets); err != nil {
			return err
		}
		return e.exportMergeState(ctx, tx, f)
	})
	return f, err
}

// exportHistory reads the property history of objs (every property of t,
// archived ones included), by record id; nil unless asked.
func exportHistory(ctx context.Context, tx ReadTx, t *ObjectType, objs []*Object, asked bool) (map[int64]map[string][]FixtureValue, error) {
	if !asked || len(objs) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(t.Properties)+len(t.ArchivedProperties))
	for _, p := range append(append([]*PropertyDefinition(nil), t.Properties...), t.ArchivedProperties...) {
		names = append(names, p.Name)
	}
	ids := make([]int64, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	entries, err := tx.History(ctx, ids, names)
	if err != nil {
		return nil, err
	}
	out := map[int64]map[string][]FixtureValue{}
	for _, h := range entries {
		if out[h.ObjectID] == nil {
			out[h.ObjectID] = map[string][]FixtureValue{}
		}
		out[h.ObjectID][h.Name] = append(out[h.ObjectID][h.Name], FixtureValue{Value: h.Value, Timestamp: FormatTime(h.Timestamp),
			SourceType: h.SourceType, SourceID: h.SourceID})
	}
	return out, nil
}
