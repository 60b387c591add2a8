-- Ids of merged records: a merge replaces both records with a new one, and
-- each old id (with every id merged into them before) resolves to it.
CREATE TABLE merged_ids (
	id          bigint NOT NULL PRIMARY KEY,
	merged_into bigint NOT NULL
);
CREATE INDEX merged_ids_by_target ON merged_ids (merged_into);

-- Email addresses (lower-cased) of contacts deleted for privacy (GDPR delete).
CREATE TABLE blocked_emails (
	email      text   NOT NULL PRIMARY KEY,
	blocked_at bigint NOT NULL
);

-- User-set association limits: a record of from_type holds at most
-- max_to_ids associations of the type (category, type_id) to records of to_type.
CREATE TABLE association_limits (
	from_type  text   NOT NULL,
	to_type    text   NOT NULL,
	category   text   NOT NULL,
	type_id    bigint NOT NULL,
	max_to_ids bigint NOT NULL,
	PRIMARY KEY (from_type, to_type, category, type_id)
);
