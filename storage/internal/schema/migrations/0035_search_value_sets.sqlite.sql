-- Value sets (storage/internal/sqlstore/valuesets.go): a value of the
-- search index is kept once per block of 64 record ids (block = id >> 6),
-- with the ids holding it as a JSON array in ascending order, instead of
-- as an entry per record. A value that many records hold (an option of an
-- enumeration, a record source, the time a batch was written) then costs
-- one write of its set per transaction instead of a b-tree entry for each
-- record. The values of properties with a scoped index stay entries of
-- search_nums, one per record: each carries its record's scope.
CREATE TABLE search_num_sets (
	key   INTEGER NOT NULL,
	num   REAL    NOT NULL,
	block INTEGER NOT NULL,
	ids   TEXT    NOT NULL,
	PRIMARY KEY (key, num, block)
) WITHOUT ROWID;
CREATE TABLE search_text_sets (
	key   INTEGER NOT NULL,
	text  TEXT    NOT NULL,
	block INTEGER NOT NULL,
	ids   TEXT    NOT NULL,
	PRIMARY KEY (key, text, block)
) WITHOUT ROWID;

-- The keys of the properties with a scoped index
-- (searchsql.Key(type, property)), checked against the code by
-- storage/internal/searchsql's tests.
CREATE TEMP TABLE scoped_properties (key INTEGER PRIMARY KEY);
INSERT INTO scoped_properties (key) VALUES
	(1858469429341635131), -- 0-18 hs_timestamp
	(7785311592478752124); -- 0-27 hs_timestamp

INSERT INTO search_num_sets (key, num, block, ids)
SELECT key, num, object_id >> 6, json_group_array(object_id ORDER BY object_id)
FROM search_nums
WHERE key NOT IN (SELECT key FROM scoped_properties)
GROUP BY key, num, object_id >> 6
ORDER BY key, num, object_id >> 6;
DELETE FROM search_nums WHERE key NOT IN (SELECT key FROM scoped_properties);

INSERT INTO search_text_sets (key, text, block, ids)
SELECT key, text, object_id >> 6, json_group_array(object_id ORDER BY object_id)
FROM search_texts
GROUP BY key, text, object_id >> 6
ORDER BY key, text, object_id >> 6;
DROP TABLE search_texts;

DROP TABLE scoped_properties;
