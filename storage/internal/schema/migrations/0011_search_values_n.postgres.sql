-- n tells apart the values of one property of one record (multi-valued
-- properties), as on SQLite, so that both write the same index rows. Rows
-- written before this migration get 0; nothing reads n.
ALTER TABLE search_values ADD COLUMN n integer NOT NULL DEFAULT 0;
