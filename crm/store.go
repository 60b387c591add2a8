package crm

import (
	"context"
	"time"
)

// Store is the storage behind the engine. Implementations make every Write
// call one atomic transaction and guarantee that an acknowledged Write
// survives a crash of the process.
type Store interface {
	// Read runs fn in a read-only snapshot.
	Read(ctx context.Context, fn func(ReadTx) error) error
	// Write runs fn in a read-write transaction; an error from fn rolls it back.
	Write(ctx context.Context, fn func(Tx) error) error

	Tokens() TokenStore
	Sessions() SessionStore
	Close() error
}

// Preparer is a Store that can turn new records and their search
// documents into its own form (Object.Prepared, SearchDoc.Prepared) before
// the write transaction that stores them: work a store with a single
// writer then does not do while it holds it. The engine prepares the
// records of batch creates, built before their ids are known: a record's
// id (and its hs_object_id, and its history's) is the only thing that may
// change between Prepare and Tx.InsertObjects.
type Preparer interface {
	Prepare(objs []*Object, docs []SearchDoc)
}

// ListQuery selects a page of records of one type in ascending id order.
type ListQuery struct {
	TypeID   string
	Archived bool  // only archived records when true, only live ones when false
	AfterID  int64 // first id of the page is >= AfterID
	Limit    int
	// ArchivedSince, with Archived, leaves out records archived before it.
	ArchivedSince time.Time
}

// ResetScope says what a reset empties. Records (with their history,
// associations, search index, merged ids, and the email addresses GDPR
// deletes blocked) are always emptied; Schema also empties association
// limits.
type ResetScope struct {
	Owners bool
	Tokens bool
	// Schema covers custom object schemas, custom properties, property
	// groups and association labels.
	Schema bool
	// Webhooks covers apps with their webhook settings and subscriptions.
	// Queued webhook events and the delivery log are always emptied.
	Webhooks bool
}

// ValueUse is a live record holding one of the values asked about.
type ValueUse struct {
	ObjectID int64
	Value    string
}

// UniqueKey names one value (in key form) of a unique property.
type UniqueKey struct {
	TypeID, Property, Value string
}

// AssociationRow is one directed association of one type. Every association
// is stored in both directions, each with its own type id.
type AssociationRow struct {
	FromID   int64
	FromType string
	ToID     int64
	ToType   string
	TypeID   int64
	Category string
}

// ReadTx reads within one transaction.
type ReadTx interface {
	// Object returns the record of that type and id, archived or not.
	// Returns ErrNotFound if there is none.
	Object(ctx context.Context, typeID string, id int64) (*Object, error)
	// ObjectsByIDs returns the records with those ids, of any type, archived
	// or not, in no particular order; missing ids are left out. In a write
	// transaction of a store with concurrent writers, the records are locked
	// until it ends, one after the other in ascending id order, so that
	// writes locking the same records this way cannot deadlock.
	ObjectsByIDs(ctx context.Context, ids []int64) ([]*Object, error)
	// PeekObjects is ObjectsByIDs without locking: what other transactions
	// committed and this one wrote. A write that only checks a record it
	// does not change (the activity a pin names) peeks at it, so as not to
	// lock it after the records it locked before.
	PeekObjects(ctx context.Context, ids []int64) ([]*Object, error)
	// ListObjects returns up to q.Limit records with id >= q.AfterID.
	ListObjects(ctx context.Context, q ListQuery) ([]*Object, error)
	// FindUnique returns the id of the live record holding value (already in
	// key form) for a unique property. Returns ErrNotFound if none.
	FindUnique(ctx context.Context, typeID, property, value string) (int64, error)
	// History returns the recorded values of the named properties of the given
	// records, newest first per property.
	History(ctx context.Context, objectIDs []int64, names []string) ([]HistoryEntry, error)

	// Owner returns the owner with that id, archived or not, or ErrNotFound.
	Owner(ctx context.Context, id int64) (*Owner, error)
	// OwnerByUserID returns the owner with that user id, or ErrNotFound.
	OwnerByUserID(ctx context.Context, userID int64) (*Owner, error)
	ListOwners(ctx context.Context, q OwnerQuery) ([]*Owner, error)

	// CustomProperties returns the stored property definitions of a type,
	// archived ones included, in creation order.
	CustomProperties(ctx context.Context, typeID string) ([]*PropertyDefinition, error)
	// PropertyGroups returns the stored property groups of a type.
	PropertyGroups(ctx context.Context, typeID string) ([]*PropertyGroup, error)
	// CustomSchemas returns every stored custom object schema, archived
	// ones included, by type number.
	CustomSchemas(ctx context.Context) ([]*CustomSchema, error)
	// CustomSchema returns the stored schema of the custom type typeID
	// (archived, or the record a hard delete leaves), or nil. In a write
	// transaction of a store with concurrent writers, it is share-locked
	// until the transaction ends, so that an archive or a hard delete
	// (LockCustomSchema) cannot pass while records of the type are written.
	CustomSchema(ctx context.Context, typeID string) (*CustomSchema, error)

	// AssociationsFrom returns the associations of fromID with live records
	// of toType (any type when toType is ""), ordered by target id then type
	// id, for targets with id >= afterToID, covering at most maxTargets
	// distinct targets.
	AssociationsFrom(ctx context.Context, fromID int64, toType string, afterToID int64, maxTargets int) ([]AssociationRow, error)
	// AssociationsBetween returns every type from fromID to toID.
	AssociationsBetween(ctx context.Context, fromID, toID int64) ([]AssociationRow, error)
	AssociationLabels(ctx context.Context) ([]*AssociationLabel, error)
	// AllAssociations returns every stored association once, from the end
	// with the lower id (the other direction is its inverse).
	AllAssociations(ctx context.Context) ([]AssociationRow, error)

	// Pipelines returns every stored pipeline of a type, archived ones
	// included, with all their stages, in no particular order. In a write
	// transaction of a store with concurrent writers, the pipelines read are
	// share-locked until it ends, so that a pipeline write (LockPipelines)
	// cannot change them while records are checked against them.
	Pipelines(ctx context.Context, typeID string) ([]*Pipeline, error)
	// UsesOf returns live records of a type whose property holds one of
	// values, in ascending id order, at most limit.
	UsesOf(ctx context.Context, typeID, property string, values []string, limit int) ([]ValueUse, error)

	// Search returns the ids of one page of live records matching q, in
	// q's order, and the number of all matches.
	Search(ctx context.Context, q SearchQuery) (ids []int64, total int, err error)

	// MergedInto returns, for those of ids that belonged to records merged
	// into another, the id of the record each resolves to now.
	MergedInto(ctx context.Context, ids []int64) (map[int64]int64, error)
	// AssociationRows returns every association leaving fromID, to live
	// and archived records alike.
	AssociationRows(ctx context.Context, fromID int64) ([]AssociationRow, error)
	// CountAssociations counts the live records of toType that fromID is
	// associated with by the type (category, typeID).
	CountAssociations(ctx context.Context, fromID int64, toType, category string, typeID int64) (int, error)
	// AssociationLimits returns every user-set association limit.
	AssociationLimits(ctx context.Context) ([]*AssociationLimit, error)
	// BlockedEmails returns the email addresses GDPR deletes blocked, in
	// ascending order.
	BlockedEmails(ctx context.Context) ([]string, error)
}

// Tx reads and writes within one transaction.
type Tx interface {
	ReadTx
	// NextIDs reserves n new record ids, increasing, never reused.
	NextIDs(ctx context.Context, n int) ([]int64, error)
	InsertObjects(ctx context.Context, objs []*Object) error
	// UpdateObjects replaces properties, timestamps (createdAt included) and
	// archive state.
	UpdateObjects(ctx context.Context, objs []*Object) error
	AppendHistory(ctx context.Context, entries []HistoryEntry) error
	// DeleteHistory removes every recorded value of the given records (a
	// seed replacing them starts their history again).
	DeleteHistory(ctx context.Context, ids []int64) error
	// ClaimUnique records that id holds value for a unique property.
	// Returns a *UniqueConflictError if another record holds it.
	ClaimUnique(ctx context.Context, typeID, property, value string, id int64) error
	// ReleaseUnique drops the claims of id: on one property, or all when property is "".
	ReleaseUnique(ctx context.Context, typeID string, id int64, property string) error
	// LockUnique waits until no other transaction holds any of keys and
	// holds them until this one ends, so that looking a unique value up and
	// then claiming it is one step for every writer that locks first (an
	// upsert never loses the race to another one). Locks are taken in one
	// fixed order, whatever the order of keys; locking a key twice is free.
	// A store with one writer at a time has nothing to do.
	LockUnique(ctx context.Context, keys []UniqueKey) error

	// InsertOwner stores a new owner, assigning its ID and UserID unless set.
	InsertOwner(ctx context.Context, o *Owner) error
	// UpdateOwner replaces every field of the owner with o.ID but CreatedAt.
	UpdateOwner(ctx context.Context, o *Owner) error

	// PutCustomProperty creates or replaces the definition of (typeID, p.Name).
	PutCustomProperty(ctx context.Context, typeID string, p *PropertyDefinition) error
	// PutPropertyGroup creates or replaces the group (typeID, g.Name).
	PutPropertyGroup(ctx context.Context, typeID string, g *PropertyGroup) error
	// LockCustomSchema is CustomSchema locked for update: it waits for the
	// writes that read the schema to check their records and keeps new ones
	// waiting until this transaction ends.
	LockCustomSchema(ctx context.Context, typeID string) (*CustomSchema, error)
	// PutCustomSchema creates or replaces the schema of s.TypeID().
	PutCustomSchema(ctx context.Context, s *CustomSchema) error
	// DeleteCustomSchema deletes a schema for good, with the custom
	// properties and groups of its type and every association type (and
	// association) leading to or from it. Its records must be gone.
	DeleteCustomSchema(ctx context.Context, typeID string) error

	// AddAssociations stores rows; rows already stored are left as they are.
	AddAssociations(ctx context.Context, rows []AssociationRow) error
	RemoveAssociations(ctx context.Context, rows []AssociationRow) error
	// NextLabelIDs reserves n type ids for user-defined association labels.
	NextLabelIDs(ctx context.Context, n int) ([]int64, error)
	PutAssociationLabel(ctx context.Context, l *AssociationLabel) error
	// DeleteAssociationLabel removes a label and every association and
	// association limit of its type.
	DeleteAssociationLabel(ctx context.Context, typeID int64) error

	// IndexObjects replaces the search index entries of the given records.
	IndexObjects(ctx context.Context, docs []SearchDoc) error
	// UnindexObjects removes records from the search index.
	UnindexObjects(ctx context.Context, ids []int64) error

	// LockPipelines waits until no other transaction writes pipelines or
	// holds pipelines it read to check records (Pipelines), keeps them from
	// doing so until this one ends, and returns every stored pipeline of
	// every type.
	LockPipelines(ctx context.Context) ([]*Pipeline, error)
	// PutPipeline creates or replaces the pipeline (p.TypeID, p.ID).
	PutPipeline(ctx context.Context, p *Pipeline) error
	// DeletePipelines removes every stored pipeline (a reset of the schema
	// then puts HubSpot's default ones back).
	DeletePipelines(ctx context.Context) error

	// Reset empties what what names, and restarts the id sequences of what
	// it empties.
	Reset(ctx context.Context, what ResetScope) error
	// SyncSequences moves the id sequences past every stored id, after
	// records, owners or labels were stored with ids of their own.
	SyncSequences(ctx context.Context) error

	// ArchivedBefore returns ids of up to limit records archived before cutoff.
	ArchivedBefore(ctx context.Context, cutoff time.Time, limit int) ([]int64, error)
	// PurgeObjects deletes records for good, with their history, unique
	// claims, associations in both directions, and the merged ids that
	// resolve to them.
	PurgeObjects(ctx context.Context, ids []int64) error

	// MergeIDs makes ids, and every id that resolved to one of them,
	// resolve to the record into.
	MergeIDs(ctx context.Context, ids []int64, into int64) error
	// BlockEmails records email addresses (in lower case) that a GDPR
	// delete blocked; addresses already blocked stay as they are.
	BlockEmails(ctx context.Context, emails []string, at time.Time) error
	// PutAssociationLimit creates or replaces the limit of l's pair and type.
	PutAssociationLimit(ctx context.Context, l *AssociationLimit) error
	// DeleteAssociationLimit removes the limit of l's pair and type, if any.
	DeleteAssociationLimit(ctx context.Context, l *AssociationLimit) error
}

// TokenStore keeps access tokens. Only hashes of secrets are stored.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the live token with that hash, or ErrNotFound.
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	ListTokens(ctx context.Context) ([]*Token, error)
	// RevokeToken marks a token revoked. Returns ErrNotFound if there is none.
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	// TouchToken records the last use of a token.
	TouchToken(ctx context.Context, id int64, at time.Time) error
}
