-- Record ids come from one sequence shared by every type, above 2^32 (see
-- the SQLite schema for why). Sequences give ids that never collide across
-- nodes.
CREATE SEQUENCE object_ids START WITH 10000000001;
CREATE SEQUENCE owner_ids START WITH 80000001;
CREATE SEQUENCE user_ids START WITH 9000001;
CREATE SEQUENCE label_ids START WITH 2001;

CREATE TABLE objects (
	id          bigint  PRIMARY KEY,
	type_id     text    NOT NULL,
	properties  jsonb   NOT NULL,
	created_at  bigint  NOT NULL, -- epoch milliseconds
	updated_at  bigint  NOT NULL,
	archived    boolean NOT NULL DEFAULT false,
	archived_at bigint
);
CREATE INDEX objects_by_type ON objects (type_id, archived, id);
CREATE INDEX objects_archived_at ON objects (archived_at) WHERE archived;

-- One row per write of a record: [[name, value, sourceType, sourceId], ...].
CREATE TABLE object_writes (
	seq       bigserial PRIMARY KEY,
	object_id bigint    NOT NULL,
	timestamp bigint    NOT NULL,
	changes   jsonb     NOT NULL
);
CREATE INDEX object_writes_by_object ON object_writes (object_id, seq);

CREATE TABLE unique_values (
	type_id   text   NOT NULL,
	property  text   NOT NULL,
	value     text   NOT NULL,
	object_id bigint NOT NULL,
	PRIMARY KEY (type_id, property, value)
);
CREATE INDEX unique_values_by_object ON unique_values (object_id);

CREATE TABLE tokens (
	id           bigserial PRIMARY KEY,
	name         text   NOT NULL,
	hash         text   NOT NULL UNIQUE,
	scopes       text   NOT NULL,
	created_at   bigint NOT NULL,
	last_used_at bigint,
	revoked_at   bigint
);

CREATE TABLE owners (
	id          bigint  PRIMARY KEY,
	email       text    NOT NULL,
	type        text    NOT NULL,
	first_name  text    NOT NULL,
	last_name   text    NOT NULL,
	user_id     bigint  NOT NULL UNIQUE,
	created_at  bigint  NOT NULL,
	updated_at  bigint  NOT NULL,
	archived    boolean NOT NULL DEFAULT false,
	archived_at bigint
);
CREATE INDEX owners_by_email ON owners (lower(email));

CREATE TABLE custom_properties (
	type_id    text      NOT NULL,
	name       text      NOT NULL,
	seq        bigserial NOT NULL,
	definition jsonb     NOT NULL,
	PRIMARY KEY (type_id, name)
);

CREATE TABLE property_groups (
	type_id    text      NOT NULL,
	name       text      NOT NULL,
	seq        bigserial NOT NULL,
	definition jsonb     NOT NULL,
	PRIMARY KEY (type_id, name)
);

-- Every association is stored in both directions.
CREATE TABLE associations (
	from_id   bigint NOT NULL,
	to_type   text   NOT NULL,
	to_id     bigint NOT NULL,
	category  text   NOT NULL,
	type_id   bigint NOT NULL,
	from_type text   NOT NULL,
	PRIMARY KEY (from_id, to_type, to_id, category, type_id)
);
CREATE INDEX associations_by_target ON associations (to_id);

CREATE TABLE association_labels (
	type_id    bigint PRIMARY KEY,
	inverse_id bigint NOT NULL,
	from_type  text   NOT NULL,
	to_type    text   NOT NULL,
	label      text   NOT NULL,
	name       text   NOT NULL
);

-- The search index of live records (see the SQLite schema).
CREATE TABLE search_values (
	object_id bigint NOT NULL,
	key       bigint NOT NULL,
	num       double precision,
	text      text
);
CREATE INDEX search_values_by_object ON search_values (object_id, key);
CREATE INDEX search_values_by_num ON search_values (key, num) WHERE num IS NOT NULL;
CREATE INDEX search_values_by_text ON search_values (key, text) WHERE text IS NOT NULL;

CREATE TABLE search_text (
	object_id bigint   PRIMARY KEY,
	doc       tsvector NOT NULL
);
CREATE INDEX search_text_doc ON search_text USING gin (doc);
