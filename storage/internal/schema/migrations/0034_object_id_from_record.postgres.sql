-- After the part both drivers run (0034_object_id_from_record.sql): the
-- values leave the documents (jsonb).
UPDATE search_docs s
SET nums = nullif(s.nums - k.key::text, '{}'::jsonb)
FROM objects o JOIN object_id_keys k ON k.type_id = o.type_id
WHERE o.id = s.object_id AND s.nums -> (k.key::text) IS NOT NULL;

DELETE FROM search_docs WHERE nums IS NULL AND texts IS NULL;

DROP TABLE object_id_keys;
