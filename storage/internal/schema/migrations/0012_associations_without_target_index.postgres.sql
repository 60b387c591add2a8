-- Every association is stored in both directions, so the rows leading to a
-- record are found from the rows leaving it (the purge of a record does);
-- the index on to_id cost one more b-tree entry per association written.
DROP INDEX IF EXISTS associations_by_target;
