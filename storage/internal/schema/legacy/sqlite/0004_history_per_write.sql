-- History is stored one row per write of a record: a JSON array of the
-- values that write set, instead of one row per property. A create writes
-- one history row instead of a dozen.
CREATE TABLE object_writes (
	seq       INTEGER PRIMARY KEY,
	object_id INTEGER NOT NULL,
	timestamp INTEGER NOT NULL,
	changes   TEXT    NOT NULL -- [[name, value, sourceType, sourceId], ...]
);
CREATE INDEX object_writes_by_object ON object_writes (object_id, seq);

INSERT INTO object_writes (object_id, timestamp, changes)
SELECT object_id, timestamp, json_group_array(json_array(name, value, source_type, source_id))
FROM (SELECT * FROM property_history ORDER BY seq)
GROUP BY object_id, timestamp
ORDER BY min(seq);

DROP TABLE property_history;
