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

-- scoped_keys: the keys of scoped names and of their property, made by the
-- part both drivers run first (0015_search_documents.sql).
INSERT INTO search_nums (key, num, object_id, scope)
SELECT v.key, v.num, v.object_id, s.scope
FROM search_values v
LEFT JOIN (
	SELECT w.object_id, k.property, min(w.key) AS scope
	FROM search_values w JOIN scoped_keys k ON k.scoped = w.key
	GROUP BY w.object_id, k.property
) s ON s.object_id = v.object_id AND s.property = v.key
WHERE v.num IS NOT NULL AND v.key NOT IN (SELECT scoped FROM scoped_keys)
ON CONFLICT DO NOTHING;

INSERT INTO search_texts (key, text, object_id)
SELECT key, text, object_id FROM search_values
WHERE text IS NOT NULL AND key NOT IN (SELECT scoped FROM scoped_keys)
ON CONFLICT DO NOTHING;

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

DROP TABLE search_values;
DROP TABLE scoped_keys;
