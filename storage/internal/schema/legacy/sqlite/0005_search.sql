-- The search index holds live records only: archiving removes their entries.
-- Each row is one indexed property value; key is a 63-bit hash of
-- (type id, property name), so no dictionary table is needed.
CREATE TABLE search_values (
	object_id INTEGER NOT NULL,
	key       INTEGER NOT NULL,
	num       REAL,
	text      TEXT
);
CREATE INDEX search_values_by_object ON search_values (object_id, key);
CREATE INDEX search_values_by_num ON search_values (key, num) WHERE num IS NOT NULL;
CREATE INDEX search_values_by_text ON search_values (key, text) WHERE text IS NOT NULL;

-- Free text for the query parameter; rowid is the record id.
CREATE VIRTUAL TABLE search_text USING fts5(
	text, content='', contentless_delete=1, detail=none,
	tokenize='unicode61 remove_diacritics 2', prefix='2 3'
);
