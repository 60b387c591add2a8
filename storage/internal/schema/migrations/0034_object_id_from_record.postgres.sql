-- hs_object_id is served from the record id: its values leave the search
-- index and the documents, as in the SQLite variant, whose comment says
-- why and which entries stay (those of custom object types).
CREATE TEMP TABLE object_id_keys (type_id text PRIMARY KEY, key bigint NOT NULL) ON COMMIT DROP;
INSERT INTO object_id_keys (type_id, key) VALUES
	('0-18', 8866037940573293539),  -- 0-18 hs_object_id
	('0-1', 523443577340093258),    -- 0-1 hs_object_id
	('0-2', 6397677242825683509),   -- 0-2 hs_object_id
	('0-3', 9211335677520173687),   -- 0-3 hs_object_id
	('0-5', 9182110665119701608),   -- 0-5 hs_object_id
	('0-46', 7078384876217423499),  -- 0-46 hs_object_id
	('0-48', 904133712521156812),   -- 0-48 hs_object_id
	('0-49', 1515565716645188902),  -- 0-49 hs_object_id
	('0-47', 5776317345802929221),  -- 0-47 hs_object_id
	('0-27', 306977226720844052),   -- 0-27 hs_object_id
	('0-116', 3722270139786194218), -- 0-116 hs_object_id
	('0-115', 1534615571668437233); -- 0-115 hs_object_id

DELETE FROM search_nums WHERE key IN (SELECT key FROM object_id_keys);

UPDATE search_docs s
SET nums = nullif(s.nums - k.key::text, '{}'::jsonb)
FROM objects o JOIN object_id_keys k ON k.type_id = o.type_id
WHERE o.id = s.object_id AND s.nums -> (k.key::text) IS NOT NULL;

DELETE FROM search_docs WHERE nums IS NULL AND texts IS NULL;
