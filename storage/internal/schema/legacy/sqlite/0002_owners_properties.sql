INSERT INTO id_sequence (name, value) VALUES ('owners', 80000000), ('users', 9000000);

CREATE TABLE owners (
	id          INTEGER PRIMARY KEY,
	email       TEXT    NOT NULL,
	type        TEXT    NOT NULL,
	first_name  TEXT    NOT NULL,
	last_name   TEXT    NOT NULL,
	user_id     INTEGER NOT NULL UNIQUE,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	archived    INTEGER NOT NULL DEFAULT 0,
	archived_at INTEGER
);
CREATE INDEX owners_by_email ON owners (lower(email));

-- Custom property definitions and groups, one JSON document each.
CREATE TABLE custom_properties (
	type_id    TEXT    NOT NULL,
	name       TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	definition TEXT    NOT NULL,
	PRIMARY KEY (type_id, name)
);

CREATE TABLE property_groups (
	type_id    TEXT    NOT NULL,
	name       TEXT    NOT NULL,
	seq        INTEGER NOT NULL,
	definition TEXT    NOT NULL,
	PRIMARY KEY (type_id, name)
);
