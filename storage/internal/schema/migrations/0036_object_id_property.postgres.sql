-- A record's hs_object_id is its id: see the SQLite variant.
UPDATE objects SET properties = jsonb_set(properties, '{hs_object_id}', to_jsonb(id::text))
WHERE properties ->> 'hs_object_id' IS DISTINCT FROM id::text;
