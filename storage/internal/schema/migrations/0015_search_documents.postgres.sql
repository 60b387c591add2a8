-- The search index in three parts (see storage/internal/searchsql and the
-- SQLite variant of this migration): search_docs, a row of jsonb documents
-- per live record; search_nums and search_texts, one entry per value in
-- value order, the entry of a scoped property carrying its scope. A value
-- costs a row and one index entry instead of a row and two index entries
-- (record order and value order), a scoped property none more.
CREATE TABLE search_docs (
	object_id bigint PRIMARY KEY,
	nums      jsonb,
	texts     jsonb
);
CREATE TABLE search_nums (
	key       bigint           NOT NULL,
	num       double precision NOT NULL,
	object_id bigint           NOT NULL,
	scope     bigint,
	PRIMARY KEY (key, num, object_id) INCLUDE (scope)
);
CREATE TABLE search_texts (
	key       bigint NOT NULL,
	text      text   NOT NULL,
	object_id bigint NOT NULL,
	PRIMARY KEY (key, text, object_id)
);

INSERT INTO search_docs (object_id, nums, texts)
SELECT object_id,
	jsonb_object_agg(key::text, value) FILTER (WHERE numeric),
	jsonb_object_agg(key::text, value) FILTER (WHERE NOT numeric)
FROM (
	SELECT object_id, key, num IS NOT NULL AS numeric,
		CASE WHEN count(*) = 1 THEN (array_agg(coalesce(to_jsonb(num), to_jsonb(text))))[1]
		ELSE jsonb_agg(coalesce(to_jsonb(num), to_jsonb(text)) ORDER BY n) END AS value
	FROM search_values
	WHERE key NOT IN (SELECT scoped FROM scoped_keys) AND (num IS NOT NULL OR text IS NOT NULL)
	GROUP BY object_id, key, num IS NOT NULL
) k
GROUP BY object_id;
