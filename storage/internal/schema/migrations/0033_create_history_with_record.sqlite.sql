-- A record's first write is kept with the record instead of as a row of
-- object_writes (storage/internal/history, Compact): created_history names
-- the write's time and the source of each property, and the values are
-- the record's properties until they first change, when the properties of
-- that moment are copied into created_values. A create then writes one row
-- and no history row (whose JSON repeats every value, name and source).
-- Records with a NULL created_history have their first write in
-- object_writes, as every record written before this migration does.
ALTER TABLE objects ADD COLUMN created_history TEXT;
ALTER TABLE objects ADD COLUMN created_values TEXT;
