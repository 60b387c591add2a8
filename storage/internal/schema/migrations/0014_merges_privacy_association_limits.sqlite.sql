-- Ids of merged records: a merge replaces both records with a new one, and
-- each old id (with every id merged into them before) resolves to it.
CREATE TABLE merged_ids (
	id          INTEGER NOT NULL PRIMARY KEY,
	merged_into INTEGER NOT NULL
);
CREATE INDEX merged_ids_by_target ON merged_ids (merged_into);

-- Email addresses (lower-cased) of contacts deleted for privacy (GDPR delete).
CREATE TABLE blocked_emails (
	email      TEXT    NOT NULL PRIMARY KEY,
	blocked_at INTEGER NOT NULL
) WITHOUT ROWID;

-- User-set association limits: a record of from_type holds at most
-- max_to_ids associations of the type (category, type_id) to records of to_type.
CREATE TABLE association_limits (
	from_type  TEXT    NOT NULL,
	to_type    TEXT    NOT NULL,
	category   TEXT    NOT NULL,
	type_id    INTEGER NOT NULL,
	max_to_ids INTEGER NOT NULL,
	PRIMARY KEY (from_type, to_type, category, type_id)
) WITHOUT ROWID;
