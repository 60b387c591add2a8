package crm

import (
	"context"
	"sort"
)

// RecycleBinQuery selects archived records that can still be restored.
type RecycleBinQuery struct {
	// AssociatedWith, when set, keeps only the archived records associated
	// with the record AssociatedID of that type (the messages deleted from
	// one contact's timeline).
	AssociatedWith *ObjectType
	AssociatedID   int64
	Offset         int
	Limit          int
}

// RecycleBinPage is one page of the recycle bin.
type RecycleBinPage struct {
	// Records are ordered most recently archived first, then by id.
	Records []*Object
	// Total counts every matching record in the recycle bin.
	Total int
}

// recycleBinChunk is how many archived records RecycleBin reads at a time.
const recycleBinChunk = 1000

// RecycleBin lists the archived records of type t still in the recycle bin
// (archived less than RecycleBinDays ago), most recently archived first. It
// reads every archived record of the type, which the 90-day limit keeps
// bounded; it is meant for people looking at the bin, not for bulk work.
func (e *Engine) RecycleBin(ctx context.Context, t *ObjectType, q RecycleBinQuery) (*RecycleBinPage, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultSearchLimit
	}
	var all []*Object
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		after := int64(0)
		for {
			objs, err := tx.ListObjects(ctx, ListQuery{TypeID: t.ID, Archived: true, AfterID: after, Limit: recycleBinChunk, ArchivedSince: e.recycleCutoff()})
			if err != nil {
				return err
			}
			for _, o := range objs {
				if q.AssociatedWith != nil {
					rows, err := tx.AssociationsBetween(ctx, o.ID, q.AssociatedID)
					if err != nil {
						return err
					}
					if !rowsTo(rows, q.AssociatedWith.ID) {
						continue
					}
				}
				all = append(all, o)
			}
			if len(objs) < recycleBinChunk {
				return nil
			}
			after = objs[len(objs)-1].ID + 1
		}
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].ArchivedAt.Equal(all[j].ArchivedAt) {
			return all[i].ArchivedAt.After(all[j].ArchivedAt)
		}
		return all[i].ID > all[j].ID
	})
	page := &RecycleBinPage{Total: len(all)}
	if q.Offset < len(all) {
		end := min(q.Offset+q.Limit, len(all))
		page.Records = all[q.Offset:end]
	}
	return page, nil
}

func rowsTo(rows []AssociationRow, typeID string) bool {
	for _, r := range rows {
		if r.ToType == typeID {
			return true
		}
	}
	return false
}
