package crm

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Pipelines. Deals and tickets sit in a pipeline and one of its stages: the
// type declares which properties hold them (ObjectType.Pipelines). The
// pipelines themselves are stored (a new database holds HubSpot's default
// ones) and are read in the transaction of every record write that sets a
// pipeline or stage, so that a pipeline created or changed through any node
// applies at once on every node; nothing about them is cached.

// PipelineProperties names the properties that place a record of a type in
// a pipeline, and what the stages of the type's pipelines carry.
type PipelineProperties struct {
	Pipeline string // "pipeline" on deals, "hs_pipeline" on tickets
	Stage    string // "dealstage", "hs_pipeline_stage"
	// Default is the id of the pipeline a new account has, where records
	// created without a pipeline go while it is live.
	Default string
	// Probability: every stage has a probability between 0.0 and 1.0 in its
	// metadata (deals), from which its isClosed flag follows unless given.
	Probability bool
	// TicketState: a stage's ticketState is OPEN or CLOSED, OPEN when not
	// given (tickets).
	TicketState bool
}

// Pipeline is a pipeline of one object type with its stages.
type Pipeline struct {
	TypeID       string
	ID           string
	Label        string
	DisplayOrder int
	// Stages are every stage, archived ones included, in the order they
	// were made.
	Stages     []*PipelineStage
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Archived   bool
	ArchivedAt time.Time
}

// PipelineStage is one stage of a pipeline.
type PipelineStage struct {
	ID           string
	Label        string
	DisplayOrder int
	Metadata     map[string]string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Archived     bool
	ArchivedAt   time.Time
}

// Limits.
const (
	MaxPipelineStages = 100 // stages of one pipeline (deals and tickets)
	maxPipelineLabel  = 256 // characters of a pipeline or stage label
	maxPipelineID     = 100 // characters of a pipeline or stage id given on create
	// firstPipelineID is the first id handed out to pipelines and stages
	// created without one: numeric strings, as HubSpot's.
	firstPipelineID = 100000001
	// maxUsesShown bounds the record ids an archive refusal lists.
	maxUsesShown = 100
)

// WritePermissions is what every stage answers for writePermissions.
const WritePermissions = "CRM_PERMISSIONS_ENFORCEMENT"

// PipelineReadScopes are the scopes, one of which reads pipelines: those of
// HubSpot's pipelines spec that Spoke knows, with Spoke's ticket scopes.
var PipelineReadScopes = []string{
	"crm.objects.contacts.read", "crm.objects.contacts.write",
	"crm.objects.companies.read", "crm.objects.companies.write",
	"crm.objects.deals.read", "crm.objects.deals.write",
	"tickets", "crm.objects.tickets.read", "crm.objects.tickets.write",
	"crm.objects.owners.read", "automation", "crm.objects.users.read",
	"crm.objects.custom.read", "crm.objects.custom.write",
	"crm.schemas.contacts.read", "crm.schemas.companies.read", "crm.schemas.deals.read",
	"crm.schemas.tickets.read", "crm.schemas.custom.read",
}

// PipelineWriteScopes are the scopes, one of which changes pipelines: those
// of HubSpot's spec that Spoke knows. A record write scope is not one.
var PipelineWriteScopes = []string{
	"tickets", "crm.schemas.deals.write", "crm.schemas.tickets.write",
	"crm.schemas.contacts.write", "crm.schemas.companies.write",
	"crm.schemas.custom.write", "crm.objects.users.write",
}

var epoch = time.UnixMilli(0).UTC()

// DefaultPipelines are the pipelines of a new HubSpot account for a type
// (deals: "default"; tickets: "0"), created at epoch 0 as HubSpot's are.
func DefaultPipelines(typeID string) []*Pipeline {
	stage := func(order int, id, label string, meta ...string) *PipelineStage {
		s := &PipelineStage{ID: id, Label: label, DisplayOrder: order, Metadata: map[string]string{}, CreatedAt: epoch, UpdatedAt: epoch}
		for i := 0; i+1 < len(meta); i += 2 {
			s.Metadata[meta[i]] = meta[i+1]
		}
		return s
	}
	switch typeID {
	case "0-3":
		return []*Pipeline{{TypeID: typeID, ID: "default", Label: "Sales Pipeline", CreatedAt: epoch, UpdatedAt: epoch, Stages: []*PipelineStage{
			stage(0, "appointmentscheduled", "Appointment scheduled", "probability", "0.2", "isClosed", "false"),
			stage(1, "qualifiedtobuy", "Qualified to buy", "probability", "0.4", "isClosed", "false"),
			stage(2, "presentationscheduled", "Presentation scheduled", "probability", "0.6", "isClosed", "false"),
			stage(3, "decisionmakerboughtin", "Decision maker bought-in", "probability", "0.8", "isClosed", "false"),
			stage(4, "contractsent", "Contract sent", "probability", "0.9", "isClosed", "false"),
			stage(5, "closedwon", "Closed won", "probability", "1.0", "isClosed", "true"),
			stage(6, "closedlost", "Closed lost", "probability", "0.0", "isClosed", "true"),
		}}}
	case "0-5":
		return []*Pipeline{{TypeID: typeID, ID: "0", Label: "Support Pipeline", CreatedAt: epoch, UpdatedAt: epoch, Stages: []*PipelineStage{
			stage(0, "1", "New", "ticketState", "OPEN"),
			stage(1, "2", "Waiting on contact", "ticketState", "OPEN"),
			stage(2, "3", "Waiting on us", "ticketState", "OPEN"),
			stage(3, "4", "Closed", "ticketState", "CLOSED"),
		}}}
	}
	return nil
}

// pipelineProperty and stageProperty are the enumerations holding a
// record's pipeline and stage. Their options are the default pipelines;
// written values are checked against the stored pipelines instead
// (checkPipelines), and the properties API shows the stored ones
// (WithPipelineOptions).
func pipelineProperty(name, label, typeID string) *PropertyDefinition {
	p := enum(name, label)
	p.PipelineValue = true
	p.Options = pipelineOptions(DefaultPipelines(typeID), false)
	return p
}

func stageProperty(name, label, typeID string) *PropertyDefinition {
	p := enum(name, label)
	p.PipelineValue = true
	p.Options = stageOptions(DefaultPipelines(typeID), false)
	return p
}

// Stage returns the stage with that id, archived or not, or nil.
func (p *Pipeline) Stage(id string) *PipelineStage {
	for _, s := range p.Stages {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// LiveStages are the stages not archived, in display order (then label,
// then id), as HubSpot lists them.
func (p *Pipeline) LiveStages() []*PipelineStage {
	var out []*PipelineStage
	for _, s := range p.Stages {
		if !s.Archived {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b *PipelineStage) int {
		return byOrder(a.DisplayOrder, b.DisplayOrder, a.Label, b.Label, a.ID, b.ID)
	})
	return out
}

// byOrder compares by display order, then label, then id: HubSpot sorts
// pipelines and stages of equal displayOrder alphabetically by label.
func byOrder(oa, ob int, la, lb, ia, ib string) int {
	if oa != ob {
		return oa - ob
	}
	if c := strings.Compare(strings.ToLower(la), strings.ToLower(lb)); c != 0 {
		return c
	}
	return strings.Compare(ia, ib)
}

// sortPipelines orders pipelines as HubSpot lists them.
func sortPipelines(ps []*Pipeline) {
	slices.SortStableFunc(ps, func(a, b *Pipeline) int { return byOrder(a.DisplayOrder, b.DisplayOrder, a.Label, b.Label, a.ID, b.ID) })
}

func (p *Pipeline) clone() *Pipeline {
	c := *p
	c.Stages = make([]*PipelineStage, len(p.Stages))
	for i, s := range p.Stages {
		sc := *s
		sc.Metadata = maps.Clone(s.Metadata)
		c.Stages[i] = &sc
	}
	return &c
}

// livePipelines are the live pipelines of a list, in display order.
func livePipelines(all []*Pipeline) []*Pipeline {
	var out []*Pipeline
	for _, p := range all {
		if !p.Archived {
			out = append(out, p)
		}
	}
	sortPipelines(out)
	return out
}

// recordDefault is the pipeline records go into when created without one:
// the type's default pipeline while it is live, else the first live
// pipeline in display order. Nil when the type has none live.
func recordDefault(pp *PipelineProperties, all []*Pipeline) *Pipeline {
	live := livePipelines(all)
	for _, p := range live {
		if p.ID == pp.Default {
			return p
		}
	}
	if len(live) > 0 {
		return live[0]
	}
	return nil
}

func findPipeline(all []*Pipeline, id string) *Pipeline {
	for _, p := range all {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func pipelineOptions(all []*Pipeline, archived bool) []PropertyOption {
	var out []PropertyOption
	list := livePipelines(all)
	if archived {
		list = append(list, archivedPipelines(all)...)
	}
	for i, p := range list {
		out = append(out, PropertyOption{Value: p.ID, Label: p.Label, DisplayOrder: i, Hidden: p.Archived})
	}
	return out
}

func archivedPipelines(all []*Pipeline) []*Pipeline {
	var out []*Pipeline
	for _, p := range all {
		if p.Archived {
			out = append(out, p)
		}
	}
	sortPipelines(out)
	return out
}

// stageOptions are the stages of the live pipelines (with archived ones,
// hidden, when asked), pipeline by pipeline in display order.
func stageOptions(all []*Pipeline, archived bool) []PropertyOption {
	var out []PropertyOption
	list := livePipelines(all)
	if archived {
		list = append(list, archivedPipelines(all)...)
	}
	for _, p := range list {
		stages := p.LiveStages()
		if archived {
			for _, s := range p.Stages {
				if s.Archived {
					stages = append(stages, s)
				}
			}
		}
		for _, s := range stages {
			out = append(out, PropertyOption{Value: s.ID, Label: s.Label, DisplayOrder: len(out), Hidden: p.Archived || s.Archived})
		}
	}
	return out
}

// WithPipelineOptions returns t with the options of its pipeline and stage
// properties read from the stored pipelines: the live ones, and with
// archived the archived ones too, as hidden options (for showing the values
// of records in the recycle bin). Types without pipelines come back as
// they are.
func (e *Engine) WithPipelineOptions(ctx context.Context, t *ObjectType, archived bool) (*ObjectType, error) {
	if t.Pipelines == nil {
		return t, nil
	}
	var all []*Pipeline
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		var err error
		all, err = tx.Pipelines(ctx, t.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	c := *t
	c.Properties = slices.Clone(t.Properties)
	for i, p := range c.Properties {
		var opts []PropertyOption
		switch p.Name {
		case t.Pipelines.Pipeline:
			opts = pipelineOptions(all, archived)
		case t.Pipelines.Stage:
			opts = stageOptions(all, archived)
		default:
			continue
		}
		pc := *p
		pc.Options = opts
		c.Properties[i] = &pc
	}
	c.index()
	return &c, nil
}

// Pipeline errors.

// NoPipelines refuses the pipelines API for a type without pipelines.
func NoPipelines(t *ObjectType) *Error {
	return Invalidf("Object type %s (%s) has no pipelines: pipelines exist for deals and tickets", t.ID, t.Name)
}

func pipelineNotFound(t *ObjectType, id string) *Error {
	return &Error{Kind: KindNotFound, Category: CategoryNotFound,
		Message: fmt.Sprintf("Pipeline %s does not exist for object type %s", id, t.ID),
		Context: map[string][]string{"pipelineId": {id}}}
}

func stageNotFound(p *Pipeline, id string) *Error {
	return &Error{Kind: KindNotFound, Category: CategoryNotFound,
		Message: fmt.Sprintf("Stage %s does not exist in pipeline %s", id, p.ID),
		Context: map[string][]string{"pipelineId": {p.ID}, "stageId": {id}}}
}

// stagesInUse is HubSpot's refusal to archive stages that records use.
func stagesInUse(uses []ValueUse) *Error {
	var stages, ids []string
	for _, u := range uses {
		if !slices.Contains(stages, u.Value) {
			stages = append(stages, u.Value)
		}
		ids = append(ids, strconv.FormatInt(u.ObjectID, 10))
	}
	slices.Sort(stages)
	sl, il := "["+strings.Join(stages, ", ")+"]", "["+strings.Join(ids, ", ")+"]"
	return &Error{Kind: KindInvalid, Category: CategoryValidation, SubCategory: "PipelineError.STAGE_ID_IN_USE",
		Message: fmt.Sprintf("Stage IDs: %s are being referenced by object IDs: %s", sl, il),
		Context: map[string][]string{"stageIds": {sl}, "objectIds": {il}}}
}

// PipelineInput is a pipeline create (POST), replacement (PUT) or partial
// update (PATCH). Nil fields were not given.
type PipelineInput struct {
	ID           string // pipelineId, create only; "" to have one made
	Label        *string
	DisplayOrder *int
	Stages       []StageInput // create and replace
	Archived     *bool        // update only
}

// StageInput is a stage create, replacement or partial update.
type StageInput struct {
	ID           string // stageId, create only; "" to have one made
	Label        *string
	DisplayOrder *int
	Metadata     map[string]string // nil when not given
	Archived     *bool             // update only
}

var (
	pipelineIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	stageIDPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// pipelinesOf is the type's pipelines among all.
func pipelinesOf(all []*Pipeline, typeID string) []*Pipeline {
	var out []*Pipeline
	for _, p := range all {
		if p.TypeID == typeID {
			out = append(out, p)
		}
	}
	return out
}

// idSource hands out the ids of new pipelines and stages: numbers after
// every numeric id stored, of any type.
type idSource struct{ next int64 }

func newIDSource(all []*Pipeline) *idSource {
	next := int64(firstPipelineID)
	see := func(id string) {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && n >= next {
			next = n + 1
		}
	}
	for _, p := range all {
		see(p.ID)
		for _, s := range p.Stages {
			see(s.ID)
		}
	}
	return &idSource{next: next}
}

func (s *idSource) take() string {
	id := strconv.FormatInt(s.next, 10)
	s.next++
	return id
}

// see moves the source past an id given by a client.
func (s *idSource) see(id string) {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil && n >= s.next {
		s.next = n + 1
	}
}

// checkLabel checks a pipeline or stage label.
func checkLabel(what string, label *string) (string, error) {
	if label == nil || strings.TrimSpace(*label) == "" {
		return "", Invalidf("%s needs a label", what)
	}
	if err := checkStorable(what+": the label", *label); err != nil {
		return "", err
	}
	if len([]rune(*label)) > maxPipelineLabel {
		return "", Invalidf("%s: the label is longer than %d characters", what, maxPipelineLabel)
	}
	return *label, nil
}

// stageMetadata checks and completes a stage's metadata for type t.
func stageMetadata(pp *PipelineProperties, what string, in map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(in)+1)
	for _, k := range sortedKeys(in) {
		if err := checkStorable(what+": metadata", k, in[k]); err != nil {
			return nil, err
		}
		out[k] = in[k]
	}
	if pp.Probability {
		v, ok := out["probability"]
		if !ok || v == "" {
			return nil, Invalidf("%s: deal stages need a probability between 0.0 and 1.0 in metadata", what)
		}
		n, ok := formatNumber(v) // decimal notation only, as number properties
		f, err := strconv.ParseFloat(n, 64)
		if !ok || err != nil || !(f >= 0 && f <= 1) {
			return nil, Invalidf("%s: probability %s is not a number between 0.0 and 1.0", what, v)
		}
		switch c := out["isClosed"]; c {
		case "":
			out["isClosed"] = strconv.FormatBool(f == 0 || f == 1)
		case "true", "false":
		default:
			return nil, Invalidf("%s: isClosed %s is not true or false", what, c)
		}
	}
	if pp.TicketState {
		switch s := out["ticketState"]; s {
		case "":
			out["ticketState"] = "OPEN"
		case "OPEN", "CLOSED":
		default:
			return nil, Invalidf("%s: ticketState %s is not OPEN or CLOSED", what, s)
		}
	}
	return out, nil
}

// checkStageID checks a stage id a client gives.
func checkStageID(what, id string) error {
	if strings.ToLower(id) != id && stageIDPattern.MatchString(strings.ToLower(id)) {
		return Invalidf("Property name must be lowercase, but given: hs_date_entered_%s", id)
	}
	if !stageIDPattern.MatchString(id) || len(id) > maxPipelineID || !Storable(id) {
		return Invalidf("%s: stage ID %q is not valid: use lower-case letters, digits, '_' and '-'", what, id)
	}
	return nil
}

// pipelineSet is the stored pipelines while one pipeline write runs.
type pipelineSet struct {
	t   *ObjectType
	all []*Pipeline // every type's
	ids *idSource
}

// mine is the type's pipelines.
func (s *pipelineSet) mine() []*Pipeline { return pipelinesOf(s.all, s.t.ID) }

// live returns the type's live pipeline with that id, or a 404.
func (s *pipelineSet) live(id string) (*Pipeline, error) {
	p := findPipeline(s.mine(), id)
	if p == nil || p.Archived {
		return nil, pipelineNotFound(s.t, id)
	}
	return p, nil
}

// checkPipelineLabel refuses a label another live pipeline of the type has.
func (s *pipelineSet) checkPipelineLabel(label, self string) error {
	for _, p := range s.mine() {
		if !p.Archived && p.ID != self && strings.EqualFold(p.Label, label) {
			return Invalidf("A pipeline labelled %q already exists for %s: %s. Pipeline labels must be unique", label, s.t.Name, p.ID)
		}
	}
	return nil
}

// stageIDTaken reports whether a stage id is used by any stage of the
// type's pipelines, archived ones included.
func (s *pipelineSet) stageIDTaken(id string) bool {
	for _, p := range s.mine() {
		if p.Stage(id) != nil {
			return true
		}
	}
	return false
}

// buildStage makes a stage from a create or replacement input.
func (s *pipelineSet) buildStage(what string, in StageInput, now time.Time) (*PipelineStage, error) {
	label, err := checkLabel(what, in.Label)
	if err != nil {
		return nil, err
	}
	if in.DisplayOrder == nil {
		return nil, Invalidf("%s needs a displayOrder", what)
	}
	meta, err := stageMetadata(s.t.Pipelines, what, in.Metadata)
	if err != nil {
		return nil, err
	}
	return &PipelineStage{Label: label, DisplayOrder: *in.DisplayOrder, Metadata: meta, CreatedAt: now, UpdatedAt: now}, nil
}

// newStageID checks a given stage id, or makes one.
func (s *pipelineSet) newStageID(what, id string, taken map[string]bool) (string, error) {
	if id == "" {
		id = s.ids.take()
		for s.stageIDTaken(id) || taken[id] {
			id = s.ids.take()
		}
		return id, nil
	}
	if err := checkStageID(what, id); err != nil {
		return "", err
	}
	if s.stageIDTaken(id) || taken[id] {
		return "", &Error{Kind: KindConflict, Category: CategoryConflict,
			Message: fmt.Sprintf("%s: a stage with ID %s already exists in the %s pipelines", what, id, s.t.Singular)}
	}
	s.ids.see(id)
	return id, nil
}

// checkStageLabels refuses two live stages of one pipeline with one label.
func checkStageLabels(p *Pipeline) error {
	seen := map[string]string{}
	for _, st := range p.LiveStages() {
		k := strings.ToLower(st.Label)
		if other, ok := seen[k]; ok {
			return Invalidf("Stage labels must be unique within a pipeline: %s and %s are both labelled %q", other, st.ID, st.Label)
		}
		seen[k] = st.ID
	}
	return nil
}

// checkStageCount keeps a pipeline between one and MaxPipelineStages live
// stages.
func checkStageCount(p *Pipeline) error {
	n := len(p.LiveStages())
	if n == 0 {
		return Invalidf("A pipeline needs at least one stage")
	}
	if n > MaxPipelineStages {
		return Invalidf("A pipeline can have at most %d stages; %d were given", MaxPipelineStages, n)
	}
	return nil
}

// checkUnused refuses to archive stages that live records are in.
func (e *Engine) checkUnused(ctx context.Context, tx ReadTx, t *ObjectType, stages []string) error {
	if len(stages) == 0 {
		return nil
	}
	uses, err := tx.UsesOf(ctx, t.ID, t.Pipelines.Stage, stages, maxUsesShown)
	if err != nil {
		return err
	}
	if len(uses) > 0 {
		return stagesInUse(uses)
	}
	return nil
}

// pipelineWrite runs fn on the stored pipelines of t in a write transaction
// that holds every pipeline (LockPipelines), and stores the pipelines fn
// returns.
func (e *Engine) pipelineWrite(ctx context.Context, t *ObjectType, fn func(tx Tx, s *pipelineSet, now time.Time) ([]*Pipeline, error)) error {
	if t.Pipelines == nil {
		return NoPipelines(t)
	}
	return e.Store.Write(ctx, func(tx Tx) error {
		all, err := tx.LockPipelines(ctx)
		if err != nil {
			return err
		}
		set := &pipelineSet{t: t, all: all, ids: newIDSource(all)}
		changed, err := fn(tx, set, e.now())
		if err != nil {
			return err
		}
		for _, p := range changed {
			if err := tx.PutPipeline(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// pipelineRead reads the type's pipelines.
func (e *Engine) pipelineRead(ctx context.Context, t *ObjectType) ([]*Pipeline, error) {
	if t.Pipelines == nil {
		return nil, NoPipelines(t)
	}
	var all []*Pipeline
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		var err error
		all, err = tx.Pipelines(ctx, t.ID)
		return err
	})
	return all, err
}

// Pipelines lists the live pipelines of a type in display order.
func (e *Engine) Pipelines(ctx context.Context, t *ObjectType) ([]*Pipeline, error) {
	all, err := e.pipelineRead(ctx, t)
	if err != nil {
		return nil, err
	}
	return livePipelines(all), nil
}

// AllPipelines lists every pipeline of a type, archived ones included
// (for pages showing the values of any record).
func (e *Engine) AllPipelines(ctx context.Context, t *ObjectType) ([]*Pipeline, error) {
	return e.pipelineRead(ctx, t)
}

// GetPipeline reads one live pipeline.
func (e *Engine) GetPipeline(ctx context.Context, t *ObjectType, id string) (*Pipeline, error) {
	all, err := e.pipelineRead(ctx, t)
	if err != nil {
		return nil, err
	}
	p := findPipeline(all, id)
	if p == nil || p.Archived {
		return nil, pipelineNotFound(t, id)
	}
	return p, nil
}

// GetStage reads one live stage of a live pipeline.
func (e *Engine) GetStage(ctx context.Context, t *ObjectType, pipelineID, stageID string) (*PipelineStage, error) {
	p, err := e.GetPipeline(ctx, t, pipelineID)
	if err != nil {
		return nil, err
	}
	s := p.Stage(stageID)
	if s == nil || s.Archived {
		return nil, stageNotFound(p, stageID)
	}
	return s, nil
}

// CreatePipeline creates a pipeline with its stages.
func (e *Engine) CreatePipeline(ctx context.Context, t *ObjectType, in PipelineInput) (*Pipeline, error) {
	var out *Pipeline
	err := e.pipelineWrite(ctx, t, func(tx Tx, s *pipelineSet, now time.Time) ([]*Pipeline, error) {
		p, err := s.newPipeline(in, now)
		if err != nil {
			return nil, err
		}
		out = p
		return []*Pipeline{p}, nil
	})
	return out, err
}

// newPipeline builds a new pipeline of the set's type from a create input.
func (s *pipelineSet) newPipeline(in PipelineInput, now time.Time) (*Pipeline, error) {
	label, err := checkLabel("The pipeline", in.Label)
	if err != nil {
		return nil, err
	}
	if in.DisplayOrder == nil {
		return nil, Invalidf("The pipeline needs a displayOrder")
	}
	if err := s.checkPipelineLabel(label, ""); err != nil {
		return nil, err
	}
	p := &Pipeline{TypeID: s.t.ID, Label: label, DisplayOrder: *in.DisplayOrder, CreatedAt: now, UpdatedAt: now}
	if in.ID != "" {
		if !pipelineIDPattern.MatchString(in.ID) || len(in.ID) > maxPipelineID {
			return nil, Invalidf("Pipeline ID %q is not valid: use letters, digits, '_' and '-'", in.ID)
		}
		if findPipeline(s.mine(), in.ID) != nil {
			return nil, &Error{Kind: KindConflict, Category: CategoryConflict,
				Message: fmt.Sprintf("A pipeline with ID %s already exists for %s", in.ID, s.t.Name)}
		}
		s.ids.see(in.ID)
		p.ID = in.ID
	}
	for _, si := range in.Stages {
		if si.ID != "" {
			s.ids.see(si.ID) // made ids come after every id given
		}
	}
	if p.ID == "" {
		p.ID = s.ids.take()
		for findPipeline(s.mine(), p.ID) != nil {
			p.ID = s.ids.take()
		}
	}
	taken := map[string]bool{}
	for i, si := range in.Stages {
		what := fmt.Sprintf("stages[%d]", i)
		st, err := s.buildStage(what, si, now)
		if err != nil {
			return nil, err
		}
		if st.ID, err = s.newStageID(what, si.ID, taken); err != nil {
			return nil, err
		}
		taken[st.ID] = true
		p.Stages = append(p.Stages, st)
	}
	if err := checkStageCount(p); err != nil {
		return nil, err
	}
	return p, checkStageLabels(p)
}

// ReplacePipeline replaces a live pipeline's label, display order and
// stages. A stage input with a stageId, or else with the label of a stored
// stage, replaces that stage and keeps its id; the others are new stages.
// Stored stages left out are archived, which records in them forbid.
func (e *Engine) ReplacePipeline(ctx context.Context, t *ObjectType, id string, in PipelineInput) (*Pipeline, error) {
	var out *Pipeline
	err := e.pipelineWrite(ctx, t, func(tx Tx, s *pipelineSet, now time.Time) ([]*Pipeline, error) {
		old, err := s.live(id)
		if err != nil {
			return nil, err
		}
		label, err := checkLabel("The pipeline", in.Label)
		if err != nil {
			return nil, err
		}
		if in.DisplayOrder == nil {
			return nil, Invalidf("The pipeline needs a displayOrder")
		}
		if err := s.checkPipelineLabel(label, id); err != nil {
			return nil, err
		}
		p := old.clone()
		p.Label, p.DisplayOrder, p.UpdatedAt = label, *in.DisplayOrder, now
		kept := map[string]bool{}
		taken := map[string]bool{}
		var added []*PipelineStage
		for i, si := range in.Stages {
			what := fmt.Sprintf("stages[%d]", i)
			st, err := s.buildStage(what, si, now)
			if err != nil {
				return nil, err
			}
			var match *PipelineStage
			if si.ID != "" {
				match = p.Stage(si.ID)
			} else {
				for _, cand := range p.LiveStages() {
					if !kept[cand.ID] && strings.EqualFold(cand.Label, st.Label) {
						match = cand
						break
					}
				}
			}
			if match != nil {
				if kept[match.ID] {
					return nil, Invalidf("%s: stage %s is given twice", what, match.ID)
				}
				kept[match.ID] = true
				match.Label, match.DisplayOrder, match.Metadata, match.UpdatedAt = st.Label, st.DisplayOrder, st.Metadata, now
				match.Archived, match.ArchivedAt = false, time.Time{}
				continue
			}
			if st.ID, err = s.newStageID(what, si.ID, taken); err != nil {
				return nil, err
			}
			taken[st.ID] = true
			added = append(added, st)
		}
		var gone []string
		for _, st := range p.Stages {
			if !st.Archived && !kept[st.ID] {
				st.Archived, st.ArchivedAt, st.UpdatedAt = true, now, now
				gone = append(gone, st.ID)
			}
		}
		p.Stages = append(p.Stages, added...)
		if err := checkStageCount(p); err != nil {
			return nil, err
		}
		if err := checkStageLabels(p); err != nil {
			return nil, err
		}
		if err := e.checkUnused(ctx, tx, t, gone); err != nil {
			return nil, err
		}
		out = p
		return []*Pipeline{p}, nil
	})
	return out, err
}

// UpdatePipeline changes a pipeline's label and display order. Archived
// may only be given as false, to restore an archived pipeline (the one
// call that addresses one).
func (e *Engine) UpdatePipeline(ctx context.Context, t *ObjectType, id string, in PipelineInput) (*Pipeline, error) {
	var out *Pipeline
	err := e.pipelineWrite(ctx, t, func(tx Tx, s *pipelineSet, now time.Time) ([]*Pipeline, error) {
		old := findPipeline(s.mine(), id)
		restore := in.Archived != nil && !*in.Archived
		if in.Archived != nil && *in.Archived {
			return nil, Invalidf("archived may only be sent as false, to restore an archived pipeline; archive a pipeline with DELETE")
		}
		if old == nil || (old.Archived && !restore) {
			return nil, pipelineNotFound(t, id)
		}
		p := old.clone()
		if in.Label != nil {
			label, err := checkLabel("The pipeline", in.Label)
			if err != nil {
				return nil, err
			}
			p.Label = label
		}
		if in.DisplayOrder != nil {
			p.DisplayOrder = *in.DisplayOrder
		}
		if restore {
			p.Archived, p.ArchivedAt = false, time.Time{}
		}
		if err := s.checkPipelineLabel(p.Label, id); err != nil {
			return nil, err
		}
		p.UpdatedAt = now
		out = p
		return []*Pipeline{p}, nil
	})
	return out, err
}

// ArchivePipeline archives a live pipeline; records in its stages, or its
// being the type's last live pipeline, forbid it.
func (e *Engine) ArchivePipeline(ctx context.Context, t *ObjectType, id string) error {
	return e.pipelineWrite(ctx, t, func(tx Tx, s *pipelineSet, now time.Time) ([]*Pipeline, error) {
		old, err := s.live(id)
		if err != nil {
			return nil, err
		}
		if len(livePipelines(s.mine())) == 1 {
			return nil, Invalidf("Pipeline %s is the last pipeline of %s, which always have one; create another before archiving it", id, t.Name)
		}
		var stages []string
		for _, st := range old.Stages {
			stages = append(stages, st.ID)
		}
		if err := e.checkUnused(ctx, tx, t, stages); err != nil {
			return nil, err
		}
		p := old.clone()
		p.Archived, p.ArchivedAt, p.UpdatedAt = true, now, now
		return []*Pipeline{p}, nil
	})
}

// Stages lists the live stages of a live pipeline in display order.
func (e *Engine) Stages(ctx context.Context, t *ObjectType, pipelineID string) ([]*PipelineStage, error) {
	p, err := e.GetPipeline(ctx, t, pipelineID)
	if err != nil {
		return nil, err
	}
	return p.LiveStages(), nil
}

// stageWrite runs fn on a copy of a live pipeline and stores it.
func (e *Engine) stageWrite(ctx context.Context, t *ObjectType, pipelineID string, fn func(tx Tx, s *pipelineSet, p *Pipeline, now time.Time) error) error {
	return e.pipelineWrite(ctx, t, func(tx Tx, s *pipelineSet, now time.Time) ([]*Pipeline, error) {
		old, err := s.live(pipelineID)
		if err != nil {
			return nil, err
		}
		p := old.clone()
		if err := fn(tx, s, p, now); err != nil {
			return nil, err
		}
		p.UpdatedAt = now
		if err := checkStageCount(p); err != nil {
			return nil, err
		}
		return []*Pipeline{p}, checkStageLabels(p)
	})
}

// liveStage returns the live stage of p with that id, or a 404.
func liveStage(p *Pipeline, id string) (*PipelineStage, error) {
	st := p.Stage(id)
	if st == nil || st.Archived {
		return nil, stageNotFound(p, id)
	}
	return st, nil
}

// CreateStage adds a stage to a live pipeline.
func (e *Engine) CreateStage(ctx context.Context, t *ObjectType, pipelineID string, in StageInput) (*PipelineStage, error) {
	var out *PipelineStage
	err := e.stageWrite(ctx, t, pipelineID, func(tx Tx, s *pipelineSet, p *Pipeline, now time.Time) error {
		st, err := s.buildStage("The stage", in, now)
		if err != nil {
			return err
		}
		if st.ID, err = s.newStageID("The stage", in.ID, nil); err != nil {
			return err
		}
		p.Stages = append(p.Stages, st)
		out = st
		return nil
	})
	return out, err
}

// ReplaceStage replaces a live stage's label, display order and metadata.
func (e *Engine) ReplaceStage(ctx context.Context, t *ObjectType, pipelineID, stageID string, in StageInput) (*PipelineStage, error) {
	var out *PipelineStage
	err := e.stageWrite(ctx, t, pipelineID, func(tx Tx, s *pipelineSet, p *Pipeline, now time.Time) error {
		st, err := liveStage(p, stageID)
		if err != nil {
			return err
		}
		built, err := s.buildStage("The stage", in, now)
		if err != nil {
			return err
		}
		st.Label, st.DisplayOrder, st.Metadata, st.UpdatedAt = built.Label, built.DisplayOrder, built.Metadata, now
		out = st
		return nil
	})
	return out, err
}

// UpdateStage changes what the input gives of a stage. Metadata, when
// given, replaces the stage's. Archived true archives the stage (as
// ArchiveStage); false restores an archived one, the one call that
// addresses one.
func (e *Engine) UpdateStage(ctx context.Context, t *ObjectType, pipelineID, stageID string, in StageInput) (*PipelineStage, error) {
	var out *PipelineStage
	err := e.stageWrite(ctx, t, pipelineID, func(tx Tx, s *pipelineSet, p *Pipeline, now time.Time) error {
		st := p.Stage(stageID)
		restore := in.Archived != nil && !*in.Archived
		if st == nil || (st.Archived && !restore) {
			return stageNotFound(p, stageID)
		}
		if in.Label != nil {
			label, err := checkLabel("The stage", in.Label)
			if err != nil {
				return err
			}
			st.Label = label
		}
		if in.DisplayOrder != nil {
			st.DisplayOrder = *in.DisplayOrder
		}
		if in.Metadata != nil {
			meta, err := stageMetadata(t.Pipelines, "The stage", in.Metadata)
			if err != nil {
				return err
			}
			st.Metadata = meta
		}
		st.UpdatedAt = now
		switch {
		case restore:
			st.Archived, st.ArchivedAt = false, time.Time{}
		case in.Archived != nil && !st.Archived:
			if err := e.checkUnused(ctx, tx, t, []string{st.ID}); err != nil {
				return err
			}
			st.Archived, st.ArchivedAt = true, now
		}
		out = st
		return nil
	})
	return out, err
}

// ArchiveStage archives a live stage that no live record is in.
func (e *Engine) ArchiveStage(ctx context.Context, t *ObjectType, pipelineID, stageID string) error {
	return e.stageWrite(ctx, t, pipelineID, func(tx Tx, s *pipelineSet, p *Pipeline, now time.Time) error {
		st, err := liveStage(p, stageID)
		if err != nil {
			return err
		}
		if err := e.checkUnused(ctx, tx, t, []string{st.ID}); err != nil {
			return err
		}
		st.Archived, st.ArchivedAt, st.UpdatedAt = true, now, now
		return nil
	})
}

// Records and pipelines.

// pipelineMemo reads a type's pipelines once per transaction: a batch
// checks many records against them, and only pipeline writes, which hold
// their own transactions, change them.
type pipelineMemo struct {
	Tx
	got map[string][]*Pipeline
}

// memoPipelines wraps tx so that Pipelines reads each type once.
func memoPipelines(tx Tx) Tx {
	if _, ok := tx.(*pipelineMemo); ok {
		return tx
	}
	return &pipelineMemo{Tx: tx, got: map[string][]*Pipeline{}}
}

func (m *pipelineMemo) Pipelines(ctx context.Context, typeID string) ([]*Pipeline, error) {
	if ps, ok := m.got[typeID]; ok {
		return ps, nil
	}
	ps, err := m.Tx.Pipelines(ctx, typeID)
	if err == nil {
		m.got[typeID] = ps
	}
	return ps, err
}

// invalidOption is the INVALID_OPTION error of a value that is not one of
// the given pipelines or stages.
func invalidOption(name, value string, opts []PropertyOption) PropertyError {
	p := &PropertyDefinition{Name: name, Options: opts}
	return PropertyError{Name: name, Code: CodeInvalidOption,
		Message: fmt.Sprintf("%s was not one of the allowed options: [%s]", value, p.optionValues(", ")),
		Detail:  fmt.Sprintf("%s was not one of the allowed options: %s", value, p.optionLabels())}
}

// placeRecord checks the pipeline and stage a record of t will have
// (values after the write; "" for none). With archivedOK, archived
// pipelines and stages are accepted (a seed restoring exported records).
func placeRecord(t *ObjectType, all []*Pipeline, pipeline, stage string, archivedOK bool) []PropertyError {
	pp := t.Pipelines
	p := findPipeline(all, pipeline)
	if p == nil || (p.Archived && !archivedOK) {
		opts := pipelineOptions(all, false)
		if pipeline == "" {
			return []PropertyError{{Name: pp.Pipeline, Code: CodeInvalidOption,
				Message: fmt.Sprintf("%s cannot be cleared: every %s is in a pipeline", pp.Pipeline, t.Singular)}}
		}
		return []PropertyError{invalidOption(pp.Pipeline, pipeline, opts)}
	}
	if stage == "" {
		return []PropertyError{{Name: pp.Stage, Code: CodeInvalidOption,
			Message: fmt.Sprintf("%s cannot be cleared: every %s is in a stage of its pipeline", pp.Stage, t.Singular)}}
	}
	if st := p.Stage(stage); st != nil && (!st.Archived || archivedOK) {
		return nil
	}
	return []PropertyError{invalidOption(pp.Stage, stage, stageOptions([]*Pipeline{p}, false))}
}

// checkPipelines puts new records without a pipeline into the default one
// and marks jobs whose stage is not a live stage of their live pipeline.
func (e *Engine) checkPipelines(ctx context.Context, tx ReadTx, t *ObjectType, jobs []*createJob) error {
	pp := t.Pipelines
	if pp == nil {
		return nil
	}
	var all []*Pipeline
	loaded := false
	for _, j := range jobs {
		if j.err != nil {
			continue
		}
		if !loaded {
			var err error
			if all, err = tx.Pipelines(ctx, t.ID); err != nil {
				return err
			}
			loaded = true
		}
		if j.props[pp.Pipeline] == "" {
			j.props = maps.Clone(j.props) // the caller's inputs stay as they were
			if d := recordDefault(pp, all); d != nil {
				j.props[pp.Pipeline] = d.ID
			}
		}
		if errs := placeRecord(t, all, j.props[pp.Pipeline], j.props[pp.Stage], false); errs != nil {
			j.err = ValidationError(e.PortalID, errs)
		}
	}
	return nil
}

// checkPipelineChange checks a change of a record's pipeline or stage.
func (e *Engine) checkPipelineChange(ctx context.Context, tx ReadTx, t *ObjectType, obj *Object, changed map[string]string) error {
	pp := t.Pipelines
	if pp == nil {
		return nil
	}
	pv, pOK := changed[pp.Pipeline]
	sv, sOK := changed[pp.Stage]
	if !pOK && !sOK {
		return nil
	}
	if !pOK {
		pv = obj.Properties[pp.Pipeline]
	}
	if !sOK {
		sv = obj.Properties[pp.Stage]
	}
	all, err := tx.Pipelines(ctx, t.ID)
	if err != nil {
		return err
	}
	if errs := placeRecord(t, all, pv, sv, false); errs != nil {
		return ValidationError(e.PortalID, errs)
	}
	return nil
}

// FixturePipeline is a pipeline in a fixture: HubSpot's Pipeline shape, with
// archived stages among the stages. Ids are made when absent.
type FixturePipeline struct {
	ID           string         `json:"id,omitempty"`
	Label        string         `json:"label"`
	DisplayOrder int            `json:"displayOrder"`
	Stages       []FixtureStage `json:"stages"`
	CreatedAt    string         `json:"createdAt,omitempty"`
	UpdatedAt    string         `json:"updatedAt,omitempty"`
	Archived     bool           `json:"archived,omitempty"`
	ArchivedAt   string         `json:"archivedAt,omitempty"`
}

// FixtureStage is a stage of a fixture pipeline.
type FixtureStage struct {
	ID           string            `json:"id,omitempty"`
	Label        string            `json:"label"`
	DisplayOrder int               `json:"displayOrder"`
	Metadata     map[string]string `json:"metadata"`
	CreatedAt    string            `json:"createdAt,omitempty"`
	UpdatedAt    string            `json:"updatedAt,omitempty"`
	Archived     bool              `json:"archived,omitempty"`
	ArchivedAt   string            `json:"archivedAt,omitempty"`
}

// exportPipelines is every pipeline of every type with pipelines, keyed
// by the type's plural name, in display order (archived ones last).
func (e *Engine) exportPipelines(ctx context.Context, tx ReadTx) (map[string][]FixturePipeline, error) {
	out := map[string][]FixturePipeline{}
	for _, t := range e.Types.Types() {
		if t.Pipelines == nil {
			continue
		}
		all, err := tx.Pipelines(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range append(livePipelines(all), archivedPipelines(all)...) {
			fp := FixturePipeline{ID: p.ID, Label: p.Label, DisplayOrder: p.DisplayOrder, CreatedAt: FormatTime(p.CreatedAt),
				UpdatedAt: FormatTime(p.UpdatedAt), Archived: p.Archived, Stages: []FixtureStage{}}
			if p.Archived {
				fp.ArchivedAt = FormatTime(p.ArchivedAt)
			}
			for _, s := range p.Stages {
				fs := FixtureStage{ID: s.ID, Label: s.Label, DisplayOrder: s.DisplayOrder, Metadata: s.Metadata,
					CreatedAt: FormatTime(s.CreatedAt), UpdatedAt: FormatTime(s.UpdatedAt), Archived: s.Archived}
				if s.Archived {
					fs.ArchivedAt = FormatTime(s.ArchivedAt)
				}
				fp.Stages = append(fp.Stages, fs)
			}
			out[t.Name] = append(out[t.Name], fp)
		}
	}
	return out, nil
}

// seedPipelines stores the pipelines of a fixture: one with a stored
// pipeline's id replaces it. It returns, by type id, the stage ids that
// replaced pipelines no longer have, for checkSeededStages.
func (e *Engine) seedPipelines(ctx context.Context, tx Tx, f *Fixture, now time.Time) (map[string][]string, error) {
	if len(f.Pipelines) == 0 {
		return nil, nil
	}
	all, err := tx.LockPipelines(ctx)
	if err != nil {
		return nil, err
	}
	ids := newIDSource(all)
	dropped := map[string][]string{}
	for _, typeName := range sortedKeys(f.Pipelines) {
		t, err := e.Types.Resolve(typeName)
		if err != nil {
			return nil, fixtureError("pipelines", err)
		}
		if t.Pipelines == nil {
			return nil, fixtureError("pipelines."+typeName, NoPipelines(t))
		}
		stored := pipelinesOf(all, t.ID)
		var seeded []*Pipeline
		for i, fp := range f.Pipelines[typeName] {
			where := fmt.Sprintf("pipelines.%s[%d]", typeName, i)
			p, err := seedPipeline(t, fp, now, where)
			if err != nil {
				return nil, err
			}
			if p.ID != "" && findPipeline(seeded, p.ID) != nil {
				return nil, Invalidf("%s: pipeline %s is given twice", where, p.ID)
			}
			if old := findPipeline(stored, p.ID); old != nil {
				if fp.CreatedAt == "" {
					p.CreatedAt = old.CreatedAt
				}
				for _, s := range old.Stages {
					if p.Stage(s.ID) == nil {
						dropped[t.ID] = append(dropped[t.ID], s.ID)
					}
				}
			}
			seeded = append(seeded, p)
		}
		// Ids: given ones first, so that made ones come after them all.
		for _, p := range seeded {
			ids.see(p.ID)
			for _, s := range p.Stages {
				ids.see(s.ID)
			}
		}
		for _, p := range seeded {
			for p.ID == "" {
				if id := ids.take(); findPipeline(stored, id) == nil && findPipeline(seeded, id) == nil {
					p.ID = id
				}
			}
		}
		// The type's pipelines once seeded: stored ones not replaced, and
		// the fixture's.
		result := slices.Clone(seeded)
		for _, p := range stored {
			if findPipeline(seeded, p.ID) == nil {
				result = append(result, p)
			}
		}
		owner := map[string]string{}
		for _, p := range result {
			for _, s := range p.Stages {
				if s.ID == "" {
					continue
				}
				if other, ok := owner[s.ID]; ok {
					return nil, fixtureConflict("pipelines."+typeName, "stage ID %s is in pipelines %s and %s; stage IDs are unique among a type's pipelines", s.ID, other, p.ID)
				}
				owner[s.ID] = p.ID
			}
		}
		for _, p := range seeded {
			for _, s := range p.Stages {
				if s.ID == "" {
					s.ID = ids.take()
					for owner[s.ID] != "" {
						s.ID = ids.take()
					}
					owner[s.ID] = p.ID
				}
			}
		}
		labels := map[string]string{}
		for _, p := range result {
			if p.Archived {
				continue
			}
			k := strings.ToLower(p.Label)
			if other, ok := labels[k]; ok {
				return nil, fixtureConflict("pipelines."+typeName, "pipelines %s and %s are both labelled %q; pipeline labels must be unique", other, p.ID, p.Label)
			}
			labels[k] = p.ID
		}
		if len(livePipelines(result)) == 0 {
			return nil, Invalidf("pipelines.%s: %s need at least one live pipeline", typeName, t.Name)
		}
		for _, p := range seeded {
			if err := tx.PutPipeline(ctx, p); err != nil {
				return nil, err
			}
		}
	}
	return dropped, nil
}

// seedPipeline builds a pipeline of a fixture.
func seedPipeline(t *ObjectType, fp FixturePipeline, now time.Time, where string) (*Pipeline, error) {
	label := fp.Label
	if _, err := checkLabel(where+": the pipeline", &label); err != nil {
		return nil, err
	}
	if fp.ID != "" && (!pipelineIDPattern.MatchString(fp.ID) || len(fp.ID) > maxPipelineID) {
		return nil, Invalidf("%s: pipeline ID %q is not valid: use letters, digits, '_' and '-'", where, fp.ID)
	}
	created, err := parseFixtureTime(fp.CreatedAt, now)
	if err != nil {
		return nil, fixtureError(where, err)
	}
	updated, err := parseFixtureTime(fp.UpdatedAt, created)
	if err != nil {
		return nil, fixtureError(where, err)
	}
	p := &Pipeline{TypeID: t.ID, ID: fp.ID, Label: fp.Label, DisplayOrder: fp.DisplayOrder, CreatedAt: created, UpdatedAt: updated, Archived: fp.Archived}
	if fp.Archived {
		if p.ArchivedAt, err = parseFixtureTime(fp.ArchivedAt, updated); err != nil {
			return nil, fixtureError(where, err)
		}
	}
	for i, fs := range fp.Stages {
		sw := fmt.Sprintf("%s.stages[%d]", where, i)
		if fs.ID != "" {
			if err := checkStageID(sw, fs.ID); err != nil {
				return nil, err
			}
			if p.Stage(fs.ID) != nil {
				return nil, Invalidf("%s: stage %s is given twice", sw, fs.ID)
			}
		}
		label := fs.Label
		if _, err := checkLabel(sw+": the stage", &label); err != nil {
			return nil, err
		}
		meta, err := stageMetadata(t.Pipelines, sw, fs.Metadata)
		if err != nil {
			return nil, err
		}
		sc, err := parseFixtureTime(fs.CreatedAt, created)
		if err != nil {
			return nil, fixtureError(sw, err)
		}
		su, err := parseFixtureTime(fs.UpdatedAt, sc)
		if err != nil {
			return nil, fixtureError(sw, err)
		}
		s := &PipelineStage{ID: fs.ID, Label: fs.Label, DisplayOrder: fs.DisplayOrder, Metadata: meta, CreatedAt: sc, UpdatedAt: su, Archived: fs.Archived}
		if fs.Archived {
			if s.ArchivedAt, err = parseFixtureTime(fs.ArchivedAt, su); err != nil {
				return nil, fixtureError(sw, err)
			}
		}
		p.Stages = append(p.Stages, s)
	}
	if len(p.LiveStages()) > MaxPipelineStages {
		return nil, Invalidf("%s: a pipeline can have at most %d stages", where, MaxPipelineStages)
	}
	if len(p.LiveStages()) == 0 && !p.Archived {
		return nil, Invalidf("%s: a pipeline needs at least one stage", where)
	}
	if err := checkStageLabels(p); err != nil {
		return nil, fixtureError(where, err)
	}
	return p, nil
}

// seedPlace puts a fixture record without a pipeline into the default one
// and checks its pipeline and stage: they must exist, archived or not (an
// export holds records in the recycle bin, and restored records, in
// stages archived since).
func (e *Engine) seedPlace(ctx context.Context, tx ReadTx, t *ObjectType, props map[string]string) error {
	pp := t.Pipelines
	if pp == nil {
		return nil
	}
	all, err := tx.Pipelines(ctx, t.ID)
	if err != nil {
		return err
	}
	if props[pp.Pipeline] == "" {
		if d := recordDefault(pp, all); d != nil {
			props[pp.Pipeline] = d.ID
		}
	}
	if props[pp.Stage] == "" {
		if p := findPipeline(all, props[pp.Pipeline]); p != nil {
			return nil // a record without a stage, as fixtures may hold
		}
	}
	if errs := placeRecord(t, all, props[pp.Pipeline], props[pp.Stage], true); errs != nil {
		return ValidationError(e.PortalID, errs)
	}
	return nil
}

// checkSeededStages refuses a seed that took stages out of pipelines while
// live records are still in them.
func (e *Engine) checkSeededStages(ctx context.Context, tx ReadTx, dropped map[string][]string) error {
	for _, typeID := range sortedKeys(dropped) {
		t, err := e.Types.Resolve(typeID)
		if err != nil {
			return err
		}
		uses, err := tx.UsesOf(ctx, t.ID, t.Pipelines.Stage, dropped[typeID], maxUsesShown)
		if err != nil {
			return err
		}
		if len(uses) > 0 {
			e := stagesInUse(uses)
			return fixtureConflict("pipelines."+t.Name, "the fixture leaves out stages records are in: %s", e.Message)
		}
	}
	return nil
}

// resetPipelines replaces every pipeline by HubSpot's default ones, as a
// reset of the schema does.
func (e *Engine) resetPipelines(ctx context.Context, tx Tx) error {
	if _, err := tx.LockPipelines(ctx); err != nil {
		return err
	}
	if err := tx.DeletePipelines(ctx); err != nil {
		return err
	}
	for _, t := range e.Types.Types() {
		if t.Pipelines == nil {
			continue
		}
		for _, p := range DefaultPipelines(t.ID) {
			if err := tx.PutPipeline(ctx, p); err != nil {
				return err
			}
		}
	}
	return nil
}
