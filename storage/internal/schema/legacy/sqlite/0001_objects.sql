-- Record ids come from one sequence shared by every object type, as in
-- HubSpot where ids are large numbers; starting above 2^32 makes clients that
-- squeeze ids into 32-bit integers fail here rather than in production.
CREATE TABLE id_sequence (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
INSERT INTO id_sequence (name, value) VALUES ('objects', 10000000000);

CREATE TABLE objects (
	id          INTEGER PRIMARY KEY,
	type_id     TEXT    NOT NULL,
	properties  TEXT    NOT NULL, -- JSON object of set values
	created_at  INTEGER NOT NULL, -- epoch milliseconds
	updated_at  INTEGER NOT NULL,
	archived    INTEGER NOT NULL DEFAULT 0,
	archived_at INTEGER
);
CREATE INDEX objects_by_type ON objects (type_id, archived, id);

CREATE TABLE property_history (
	seq         INTEGER PRIMARY KEY,
	object_id   INTEGER NOT NULL,
	name        TEXT    NOT NULL,
	value       TEXT    NOT NULL,
	timestamp   INTEGER NOT NULL,
	source_type TEXT    NOT NULL,
	source_id   TEXT    NOT NULL
);
CREATE INDEX property_history_by_object ON property_history (object_id, name, seq);

CREATE TABLE unique_values (
	type_id   TEXT    NOT NULL,
	property  TEXT    NOT NULL,
	value     TEXT    NOT NULL,
	object_id INTEGER NOT NULL,
	PRIMARY KEY (type_id, property, value)
);
CREATE INDEX unique_values_by_object ON unique_values (object_id);

CREATE TABLE tokens (
	id           INTEGER PRIMARY KEY,
	name         TEXT    NOT NULL,
	hash         TEXT    NOT NULL UNIQUE,
	scopes       TEXT    NOT NULL, -- space-separated
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at   INTEGER
);
