-- The part of 0015 both drivers run, around each one's own file (which
-- creates the new tables and fills search_docs): first the keys of scoped
-- names (searchsql.Key(type, crm.ScopedName(...))) and of their property,
-- checked against the code by storage/internal/searchsql's tests; after
-- it, the entries of search_values into search_nums (the scoped rows into
-- the scope of their property's entry) and search_texts, in value order,
-- and the old tables dropped.
CREATE TEMP TABLE scoped_keys (scoped bigint PRIMARY KEY, property bigint NOT NULL);
INSERT INTO scoped_keys (scoped, property) VALUES
	(8784458391126517301, 1858469429341635131), -- 0-18 hs_timestamp|hs_communication_channel_type=WHATS_APP
	(2417062043210369254, 1858469429341635131), -- 0-18 hs_timestamp|hs_communication_channel_type=LINKEDIN_MESSAGE
	(4403286743354999528, 1858469429341635131), -- 0-18 hs_timestamp|hs_communication_channel_type=SMS
	(5647336332623940165, 7785311592478752124), -- 0-27 hs_timestamp|hs_task_status=NOT_STARTED
	(5573805416582955245, 7785311592478752124), -- 0-27 hs_timestamp|hs_task_status=IN_PROGRESS
	(874196157029873475, 7785311592478752124),  -- 0-27 hs_timestamp|hs_task_status=WAITING
	(8063421545987699736, 7785311592478752124), -- 0-27 hs_timestamp|hs_task_status=COMPLETED
	(7530408905146079913, 7785311592478752124); -- 0-27 hs_timestamp|hs_task_status=DEFERRED

-- The driver's file runs here.

INSERT INTO search_nums (key, num, object_id, scope)
SELECT v.key, v.num, v.object_id, s.scope
FROM search_values v
LEFT JOIN (
	SELECT w.object_id, k.property, min(w.key) AS scope
	FROM search_values w JOIN scoped_keys k ON k.scoped = w.key
	GROUP BY w.object_id, k.property
) s ON s.object_id = v.object_id AND s.property = v.key
WHERE v.num IS NOT NULL AND v.key NOT IN (SELECT scoped FROM scoped_keys)
ORDER BY v.key, v.num, v.object_id
ON CONFLICT DO NOTHING;

INSERT INTO search_texts (key, text, object_id)
SELECT key, text, object_id FROM search_values
WHERE text IS NOT NULL AND key NOT IN (SELECT scoped FROM scoped_keys)
ORDER BY key, text, object_id
ON CONFLICT DO NOTHING;

DROP TABLE scoped_keys;
DROP TABLE search_values;
