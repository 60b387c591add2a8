-- The entries of properties with a scoped index leave search_nums for
-- search_times, ordered by hour instead of by value (see
-- 0038_search_times.sqlite.sql).
CREATE TABLE search_times (
	key       bigint           NOT NULL,
	bucket    bigint           NOT NULL,
	object_id bigint           NOT NULL,
	num       double precision NOT NULL,
	scope     bigint,
	PRIMARY KEY (key, bucket, object_id) INCLUDE (num, scope)
);

-- The keys of the properties with a scoped index
-- (searchsql.Key(type, property)), checked against the code by
-- storage/internal/searchsql's tests.
CREATE TEMP TABLE scoped_properties (key bigint PRIMARY KEY);
INSERT INTO scoped_properties (key) VALUES
	(1858469429341635131), -- 0-18 hs_timestamp
	(7785311592478752124); -- 0-27 hs_timestamp

INSERT INTO search_times (key, bucket, object_id, num, scope)
SELECT key, trunc(num / 3600000.0)::bigint, object_id, num, scope
FROM search_nums
WHERE key IN (SELECT key FROM scoped_properties)
ORDER BY 1, 2, 3;
DELETE FROM search_nums WHERE key IN (SELECT key FROM scoped_properties);

DROP TABLE scoped_properties;
