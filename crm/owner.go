package crm

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Owner is a HubSpot owner: a user or queue records can be assigned to
// through hubspot_owner_id. Owners are managed from the command line; the
// API only reads them.
type Owner struct {
	ID                               int64
	Email                            string
	Type                             string // PERSON or QUEUE
	FirstName                        string
	LastName                         string
	UserID                           int64
	CreatedAt, UpdatedAt, ArchivedAt time.Time
	Archived                         bool
}

// OwnerQuery selects a page of owners in ascending id order.
type OwnerQuery struct {
	Email    string // exact, case-insensitive; "" for all
	Archived bool
	AfterID  int64
	Limit    int
}

// CreateOwner validates and stores a new owner.
func (e *Engine) CreateOwner(ctx context.Context, o Owner) (*Owner, error) {
	o.Email = strings.TrimSpace(o.Email)
	if _, err := mail.ParseAddress(o.Email); err != nil || !strings.Contains(o.Email, "@") {
		return nil, Invalidf("%q is not a valid email address", o.Email)
	}
	if o.Type == "" {
		o.Type = "PERSON"
	}
	if o.Type != "PERSON" && o.Type != "QUEUE" {
		return nil, Invalidf("owner type must be PERSON or QUEUE, not %q", o.Type)
	}
	if err := checkStorable("The owner's email or name", o.Email, o.FirstName, o.LastName); err != nil {
		return nil, err
	}
	now := e.now()
	o.CreatedAt, o.UpdatedAt = now, now
	err := e.Store.Write(ctx, func(tx Tx) error {
		return tx.InsertOwner(ctx, &o)
	})
	return &o, err
}

// ownerNotFound is the 404 for an owner id that resolves to nothing.
func ownerNotFound(id string) *Error {
	return &Error{Kind: KindNotFound, Category: CategoryNotFound, Message: fmt.Sprintf("Owner %s not found", id),
		Context: map[string][]string{"id": {id}}}
}

// GetOwner reads one owner by id, or by user id when byUserID is set.
func (e *Engine) GetOwner(ctx context.Context, idValue string, byUserID, archived bool) (*Owner, error) {
	id, err := strconv.ParseInt(idValue, 10, 64)
	if err != nil {
		return nil, ownerNotFound(idValue)
	}
	var o *Owner
	err = e.Store.Read(ctx, func(tx ReadTx) error {
		var err error
		if byUserID {
			o, err = tx.OwnerByUserID(ctx, id)
		} else {
			o, err = tx.Owner(ctx, id)
		}
		if errors.Is(err, ErrNotFound) || (err == nil && o.Archived != archived) {
			return ownerNotFound(idValue)
		}
		return err
	})
	return o, err
}

// ListOwners pages through owners; NextAfter is 0 on the last page.
func (e *Engine) ListOwners(ctx context.Context, q OwnerQuery) (owners []*Owner, nextAfter int64, err error) {
	limit := q.Limit
	if !Storable(q.Email) {
		return nil, 0, nil // no owner holds such an email
	}
	q.Limit++
	err = e.Store.Read(ctx, func(tx ReadTx) error {
		owners, err = tx.ListOwners(ctx, q)
		return err
	})
	if len(owners) > limit {
		nextAfter = owners[limit].ID
		owners = owners[:limit]
	}
	return owners, nextAfter, err
}

// ArchiveOwner deactivates an owner; records keep their hubspot_owner_id but
// new writes may not name it.
func (e *Engine) ArchiveOwner(ctx context.Context, id int64) error {
	return e.Store.Write(ctx, func(tx Tx) error {
		o, err := tx.Owner(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return ownerNotFound(strconv.FormatInt(id, 10))
		}
		if err != nil || o.Archived {
			return err
		}
		now := e.now()
		o.Archived, o.ArchivedAt, o.UpdatedAt = true, now, now
		return tx.UpdateOwner(ctx, o)
	})
}

// liveOwner returns the owner a hubspot_owner_id value names, or a
// validation error if it names no live owner.
func (e *Engine) liveOwner(ctx context.Context, tx ReadTx, value string) (*Owner, error) {
	id, _ := strconv.ParseInt(value, 10, 64)
	o, err := tx.Owner(ctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && o.Archived) {
		return nil, ValidationError(e.PortalID, []PropertyError{{Name: "hubspot_owner_id", Code: CodeInvalidOwnerID,
			Message: fmt.Sprintf("%s is not a valid owner id", value)}})
	}
	return o, err
}
