-- The entries of properties with a scoped index (the time of a message or
-- a task) leave search_nums for search_times, ordered by hour instead of
-- by value: (key, bucket, object_id), bucket being the value in
-- milliseconds divided by 3,600,000 and truncated (searchsql.TimeBucket).
-- Records written in time order, or a batch of records of the same hours,
-- then append their entries at the end of one or a few runs of the index
-- instead of inserting each at the place of its exact time: a write
-- touches a few pages of it instead of one a distinct time. A filter on a
-- range of times reads the range's hours and keeps the entries in the
-- range, by num.
CREATE TABLE search_times (
	key       INTEGER NOT NULL,
	bucket    INTEGER NOT NULL,
	object_id INTEGER NOT NULL,
	num       REAL    NOT NULL,
	scope     INTEGER,
	PRIMARY KEY (key, bucket, object_id)
) WITHOUT ROWID;

-- The keys of the properties with a scoped index
-- (searchsql.Key(type, property)), checked against the code by
-- storage/internal/searchsql's tests.
CREATE TEMP TABLE scoped_properties (key INTEGER PRIMARY KEY);
INSERT INTO scoped_properties (key) VALUES
	(1858469429341635131), -- 0-18 hs_timestamp
	(7785311592478752124); -- 0-27 hs_timestamp

INSERT INTO search_times (key, bucket, object_id, num, scope)
SELECT key, CAST(num / 3600000.0 AS INTEGER), object_id, num, scope
FROM search_nums
WHERE key IN (SELECT key FROM scoped_properties)
ORDER BY key, CAST(num / 3600000.0 AS INTEGER), object_id;
DELETE FROM search_nums WHERE key IN (SELECT key FROM scoped_properties);

DROP TABLE scoped_properties;
