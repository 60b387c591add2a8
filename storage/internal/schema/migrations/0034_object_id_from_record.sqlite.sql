-- After the part both drivers run (0034_object_id_from_record.sql): the
-- values leave the documents (SQLite's binary JSON).
UPDATE search_docs
SET nums = CASE WHEN json(jsonb_remove(nums, p.path)) = '{}' THEN NULL ELSE jsonb_remove(nums, p.path) END
FROM (
	SELECT o.id, '$."' || k.key || '"' AS path
	FROM objects o JOIN object_id_keys k ON k.type_id = o.type_id
) p
WHERE p.id = search_docs.object_id AND json_extract(search_docs.nums, p.path) IS NOT NULL;

DELETE FROM search_docs WHERE nums IS NULL AND texts IS NULL;

DROP TABLE object_id_keys;
