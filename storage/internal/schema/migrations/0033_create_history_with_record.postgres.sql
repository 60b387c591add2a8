-- See 0033_create_history_with_record.sqlite.sql: the same columns, the
-- values in jsonb as properties are.
ALTER TABLE objects ADD COLUMN created_history text;
ALTER TABLE objects ADD COLUMN created_values jsonb;
