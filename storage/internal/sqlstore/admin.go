package sqlstore

import (
	"context"

	"github.com/spoke-crm/spoke/crm"
)

func (t *Tx) restart(ctx context.Context, sequences ...Sequence) error {
	for _, s := range sequences {
		q, args := t.d.RestartSequence(s)
		if _, err := t.q.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) Reset(ctx context.Context, what crm.ResetScope) error {
	tables := append([]string{"objects", "object_writes", "unique_values", "associations", "search_docs", "search_times", "search_nums"}, t.d.FreeTextTables()...)
	if usesValueSets(t.d) {
		tables = append(tables, "search_num_sets", "search_text_sets")
	} else {
		tables = append(tables, "search_texts")
	}
	if err := t.exec(ctx, t.d.Truncate(tables...)...); err != nil {
		return err
	}
	t.clearFreeText()
	if err := t.restart(ctx, ObjectIDs); err != nil {
		return err
	}
	if err := t.exec(ctx, t.d.Truncate("merged_ids", "blocked_emails")...); err != nil {
		return err
	}
	if what.Owners {
		if err := t.exec(ctx, t.d.Truncate("owners")...); err != nil {
			return err
		}
		if err := t.restart(ctx, OwnerIDs, UserIDs); err != nil {
			return err
		}
	}
	if what.Tokens {
		if err := t.exec(ctx, t.d.Truncate("tokens")...); err != nil {
			return err
		}
	}
	if what.Schema {
		if err := t.exec(ctx, t.d.Truncate("custom_properties", "property_groups", "association_labels", "custom_object_schemas")...); err != nil {
			return err
		}
		if err := t.restart(ctx, LabelIDs); err != nil {
			return err
		}
		if err := t.exec(ctx, t.d.Truncate("association_limits")...); err != nil {
			return err
		}
	}
	return nil
}

// SyncSequences moves each sequence past the largest id of its column.
func (t *Tx) SyncSequences(ctx context.Context) error {
	for _, s := range Sequences {
		c := sequenceColumns[s]
		if _, err := t.q.Exec(ctx, t.d.AdvanceSequence(s, `(SELECT max(`+c[1]+`) FROM `+c[0]+`)`)); err != nil {
			return err
		}
	}
	return nil
}
