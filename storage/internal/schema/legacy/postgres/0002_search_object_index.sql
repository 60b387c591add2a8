-- Checks of a candidate record's values look up (object, property, value):
-- with the value in the index the planner prefers it to the value index.
DROP INDEX search_values_by_object;
CREATE INDEX search_values_by_object ON search_values (object_id, key, text, num);
