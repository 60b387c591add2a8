-- The part of 0015 both drivers run, before each one's own file: the keys
-- of scoped names (searchsql.Key(type, crm.ScopedName(...))) and of their
-- property, checked against the code by storage/internal/searchsql's
-- tests. Each driver's file converts the index with them and drops the
-- table.
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
