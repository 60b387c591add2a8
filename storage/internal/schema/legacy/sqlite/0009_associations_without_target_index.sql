-- Every association is stored in both directions, so the rows leading to a
-- record are found from the rows leaving it; the index on to_id, which only
-- the purge of a record used, cost one more b-tree entry per row written.
DROP INDEX associations_by_target;
