-- hs_object_id is served from the record id (see storage/internal/searchsql
-- and docs/decisions.md): its values leave the search index, one b-tree
-- entry less for every record, and the documents lose them too (a document
-- left without values goes, as the store writes none).
--
-- The key of hs_object_id of each built-in object type
-- (searchsql.Key(type, "hs_object_id")), checked against the code by
-- storage/internal/searchsql's tests. The entries of custom object types'
-- records stay: their type ids are each database's own. Nothing reads them
-- any more, and a record's entries, found from its document, are removed
-- when it is next written (reindexed or archived).
--
-- This part both drivers run; each one's own file then removes the values
-- from the documents, whose form differs, and drops the table.
CREATE TEMP TABLE object_id_keys (type_id text PRIMARY KEY, key bigint NOT NULL);
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
