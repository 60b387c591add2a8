-- Every association is stored in both directions, each with its own type id,
-- so either end reads its associations from one index range.
CREATE TABLE associations (
	from_id   INTEGER NOT NULL,
	to_type   TEXT    NOT NULL,
	to_id     INTEGER NOT NULL,
	category  TEXT    NOT NULL,
	type_id   INTEGER NOT NULL,
	from_type TEXT    NOT NULL,
	PRIMARY KEY (from_id, to_type, to_id, category, type_id)
) WITHOUT ROWID;
CREATE INDEX associations_by_target ON associations (to_id);

CREATE TABLE association_labels (
	type_id    INTEGER PRIMARY KEY,
	inverse_id INTEGER NOT NULL,
	from_type  TEXT    NOT NULL,
	to_type    TEXT    NOT NULL,
	label      TEXT    NOT NULL,
	name       TEXT    NOT NULL
);
INSERT INTO id_sequence (name, value) VALUES ('association_labels', 2000);

CREATE INDEX objects_archived_at ON objects (archived_at) WHERE archived = 1;
