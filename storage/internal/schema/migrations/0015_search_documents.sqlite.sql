-- The search index in three parts (see storage/internal/searchsql):
--   search_docs   one row per live record: its indexed values, numbers and
--                 texts, as two JSON objects (in SQLite's binary JSONB) from
--                 the key of each property to its value (an array when it
--                 has several). Checks of a candidate record and sort keys
--                 read it by id;
--   search_nums,  one entry per value, in value order, to find the records
--   search_texts  matching a filter. The entry of a property with a scoped
--                 index carries the key of the record's scoped name in
--                 scope, instead of a second entry under that name.
-- A value thus costs one b-tree entry instead of two (the record-ordered
-- table and a value index), a scoped property none more, and a record one
-- row of search_docs. The entries of search_values convert as they are,
-- in the common file after this one (0015_search_documents.sql), which
-- drops search_values.
CREATE TABLE search_docs (
	object_id INTEGER PRIMARY KEY,
	nums      BLOB,
	texts     BLOB
);
CREATE TABLE search_nums (
	key       INTEGER NOT NULL,
	num       REAL    NOT NULL,
	object_id INTEGER NOT NULL,
	scope     INTEGER,
	PRIMARY KEY (key, num, object_id)
) WITHOUT ROWID;
CREATE TABLE search_texts (
	key       INTEGER NOT NULL,
	text      TEXT    NOT NULL,
	object_id INTEGER NOT NULL,
	PRIMARY KEY (key, text, object_id)
) WITHOUT ROWID;

-- The documents are JSONB. json_quote writes numbers so that they read back
-- as the same number.
INSERT INTO search_docs (object_id, nums, texts)
SELECT object_id,
	jsonb('{' || group_concat(CASE WHEN numeric THEN '"' || key || '":' || value END, ',') || '}'),
	jsonb('{' || group_concat(CASE WHEN NOT numeric THEN '"' || key || '":' || value END, ',') || '}')
FROM (
	SELECT object_id, key, num IS NOT NULL AS numeric,
		CASE WHEN count(*) = 1 THEN json_quote(coalesce(min(num), min(text)))
		ELSE '[' || group_concat(json_quote(coalesce(num, text)), ',' ORDER BY n) || ']' END AS value
	FROM search_values
	WHERE key NOT IN (SELECT scoped FROM scoped_keys) AND (num IS NOT NULL OR text IS NOT NULL)
	GROUP BY object_id, key, num IS NOT NULL
)
GROUP BY object_id
ORDER BY object_id;
