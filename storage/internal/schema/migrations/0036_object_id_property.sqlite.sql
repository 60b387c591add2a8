-- A record's hs_object_id is its id. Seeds before 0034 kept a fixture's
-- value when it differed, while searches compare the id (0034): such
-- records get their id as the value, as a seed now gives them. The value
-- is a string, as every stored property value is.
UPDATE objects SET properties = json_set(properties, '$.hs_object_id', CAST(id AS TEXT))
WHERE properties ->> '$.hs_object_id' IS NOT CAST(id AS TEXT);
