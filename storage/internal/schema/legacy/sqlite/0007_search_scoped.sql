-- Scoped search index: the time of each message also indexed within its
-- channel (crm.ScopedIndex), so that a channel filter with a time range reads
-- one range of the index in time order. Existing messages get their entries
-- here; new writes add them. Keys are searchsql.Key("0-18", name), checked
-- against the code by storage/internal/searchsql's tests:
--   hs_timestamp                                             1858469429341635131
--   hs_communication_channel_type                            7842473421127037722
--   hs_timestamp|hs_communication_channel_type=WHATS_APP        8784458391126517301
--   hs_timestamp|hs_communication_channel_type=LINKEDIN_MESSAGE 2417062043210369254
--   hs_timestamp|hs_communication_channel_type=SMS              4403286743354999528
INSERT INTO search_values (object_id, key, num, text)
SELECT t.object_id,
	CASE c.text
		WHEN 'WHATS_APP' THEN 8784458391126517301
		WHEN 'LINKEDIN_MESSAGE' THEN 2417062043210369254
		WHEN 'SMS' THEN 4403286743354999528
	END,
	t.num, NULL
FROM search_values t
JOIN search_values c ON c.object_id = t.object_id AND c.key = 7842473421127037722
WHERE t.key = 1858469429341635131 AND t.num IS NOT NULL
	AND c.text IN ('WHATS_APP', 'LINKEDIN_MESSAGE', 'SMS');

-- The record id in the value index spares a lookup of each matching row.
DROP INDEX search_values_by_num;
CREATE INDEX search_values_by_num ON search_values (key, num, object_id) WHERE num IS NOT NULL;
