-- The search index table is stored in record order: (object_id, key, n) is
-- its primary key, so checks of a candidate record's values read the table
-- itself and a value costs two b-tree entries (the table and one value
-- index) instead of three. n tells apart the values of one property of one
-- record (multi-valued properties); rows written before this migration keep
-- their old rowid there.
CREATE TABLE search_values_by_record (
	object_id INTEGER NOT NULL,
	key       INTEGER NOT NULL,
	n         INTEGER NOT NULL DEFAULT 0,
	num       REAL,
	text      TEXT,
	PRIMARY KEY (object_id, key, n)
) WITHOUT ROWID;
INSERT INTO search_values_by_record (object_id, key, n, num, text)
SELECT object_id, key, rowid, num, text FROM search_values ORDER BY object_id, key, rowid;
DROP TABLE search_values;
ALTER TABLE search_values_by_record RENAME TO search_values;
CREATE INDEX search_values_by_num ON search_values (key, num, object_id) WHERE num IS NOT NULL;
CREATE INDEX search_values_by_text ON search_values (key, text) WHERE text IS NOT NULL;
