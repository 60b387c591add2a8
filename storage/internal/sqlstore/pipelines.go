package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Pipelines are stored one row each: the type, the id, whether it is
// archived, and the rest as a JSON document with its stages (archived ones
// included). Times are epoch milliseconds.

type pipelineDoc struct {
	Label        string     `json:"label"`
	DisplayOrder int        `json:"displayOrder"`
	CreatedAt    int64      `json:"createdAt"`
	UpdatedAt    int64      `json:"updatedAt"`
	ArchivedAt   int64      `json:"archivedAt,omitempty"`
	Stages       []stageDoc `json:"stages"`
}

type stageDoc struct {
	ID           string            `json:"id"`
	Label        string            `json:"label"`
	DisplayOrder int               `json:"displayOrder"`
	Metadata     map[string]string `json:"metadata"`
	CreatedAt    int64             `json:"createdAt"`
	UpdatedAt    int64             `json:"updatedAt"`
	Archived     bool              `json:"archived,omitempty"`
	ArchivedAt   int64             `json:"archivedAt,omitempty"`
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMillis(ms int64, set bool) time.Time {
	if !set {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func scanPipeline(row Row) (*crm.Pipeline, error) {
	var (
		p   crm.Pipeline
		raw []byte
		doc pipelineDoc
	)
	if err := row.Scan(&p.TypeID, &p.ID, &p.Archived, &raw); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	p.Label, p.DisplayOrder = doc.Label, doc.DisplayOrder
	p.CreatedAt, p.UpdatedAt = fromMillis(doc.CreatedAt, true), fromMillis(doc.UpdatedAt, true)
	p.ArchivedAt = fromMillis(doc.ArchivedAt, p.Archived)
	p.Stages = make([]*crm.PipelineStage, len(doc.Stages))
	for i, s := range doc.Stages {
		meta := s.Metadata
		if meta == nil {
			meta = map[string]string{}
		}
		p.Stages[i] = &crm.PipelineStage{ID: s.ID, Label: s.Label, DisplayOrder: s.DisplayOrder, Metadata: meta,
			CreatedAt: fromMillis(s.CreatedAt, true), UpdatedAt: fromMillis(s.UpdatedAt, true),
			Archived: s.Archived, ArchivedAt: fromMillis(s.ArchivedAt, s.Archived)}
	}
	return &p, nil
}

const pipelineColumns = `type_id, id, archived, definition`

// Pipelines share-locks what it reads in write transactions: a pipeline
// write (LockPipelines) then waits for the record writes that checked
// records against the pipelines, and they for it. The rows are locked in
// id order, the order of LockPipelines within a type: in the order of a
// scan of the table, a record write could hold one pipeline and wait for
// another that a pipeline write holds while it waits for the first.
func (t *Tx) Pipelines(ctx context.Context, typeID string) ([]*crm.Pipeline, error) {
	lock := ""
	if t.write {
		lock = t.d.ForShare()
	}
	return query(ctx, t.q, scanPipeline, `SELECT `+pipelineColumns+` FROM pipelines WHERE type_id = ? ORDER BY id`+lock, typeID)
}

// LockPipelines takes the named lock of pipeline writes, then locks every
// pipeline row for update, so that the records a pipeline write finds in
// its stages are all there are until it commits.
func (t *Tx) LockPipelines(ctx context.Context) ([]*crm.Pipeline, error) {
	if lock := t.d.LockName(); lock != "" {
		if _, err := t.q.Exec(ctx, lock, "pipelines"); err != nil {
			return nil, err
		}
	}
	return query(ctx, t.q, scanPipeline, `SELECT `+pipelineColumns+` FROM pipelines ORDER BY type_id, id`+t.d.ForUpdate())
}

func (t *Tx) PutPipeline(ctx context.Context, p *crm.Pipeline) error {
	doc := pipelineDoc{Label: p.Label, DisplayOrder: p.DisplayOrder, CreatedAt: millis(p.CreatedAt), UpdatedAt: millis(p.UpdatedAt),
		Stages: make([]stageDoc, len(p.Stages))}
	if p.Archived {
		doc.ArchivedAt = millis(p.ArchivedAt)
	}
	for i, s := range p.Stages {
		doc.Stages[i] = stageDoc{ID: s.ID, Label: s.Label, DisplayOrder: s.DisplayOrder, Metadata: s.Metadata,
			CreatedAt: millis(s.CreatedAt), UpdatedAt: millis(s.UpdatedAt), Archived: s.Archived}
		if s.Archived {
			doc.Stages[i].ArchivedAt = millis(s.ArchivedAt)
		}
		if doc.Stages[i].Metadata == nil {
			doc.Stages[i].Metadata = map[string]string{}
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = t.q.Exec(ctx, `INSERT INTO pipelines (`+pipelineColumns+`) VALUES (?, ?, ?, ?)
		ON CONFLICT (type_id, id) DO UPDATE SET archived = excluded.archived, definition = excluded.definition`,
		p.TypeID, p.ID, p.Archived, string(raw))
	return err
}

func (t *Tx) DeletePipelines(ctx context.Context) error {
	return t.exec(ctx, t.d.Truncate("pipelines")...)
}

// UsesOf reads the records of the type in id order and keeps those whose
// property holds one of values: an archive of a stage is rare, and the
// records' own index serves it without another index on every write.
func (t *Tx) UsesOf(ctx context.Context, typeID, property string, values []string, limit int) ([]crm.ValueUse, error) {
	if len(values) == 0 || limit <= 0 {
		return nil, nil
	}
	if !validPropertyName(property) {
		return nil, fmt.Errorf("sqlstore: %q is not a property name", property)
	}
	expr := t.d.JSONText("o", property)
	args := []any{typeID}
	for _, v := range values {
		args = append(args, v)
	}
	args = append(args, limit)
	return query(ctx, t.q, func(row Row) (crm.ValueUse, error) {
		var u crm.ValueUse
		err := row.Scan(&u.ObjectID, &u.Value)
		return u, err
	}, `SELECT o.id, `+expr+` FROM objects o WHERE o.type_id = ? AND o.archived = `+t.d.False()+`
		AND `+expr+` IN (`+Placeholders(len(values))+`) ORDER BY o.id LIMIT ?`, args...)
}

// validPropertyName keeps property names given to UsesOf to the form of
// HubSpot's names, since they are written into the statement.
func validPropertyName(name string) bool {
	return name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}
