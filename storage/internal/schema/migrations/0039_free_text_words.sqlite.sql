-- New free text goes to search_words, an FTS5 table like search_text but
-- without its prefix indexes of two and three letters, which wrote every
-- word three times: a query word is matched as a prefix by reading the
-- words it begins instead. search_text keeps the text of records written
-- before, which is searched beside search_words and deleted from both when
-- a record is written again, archived or the index emptied; a contentless
-- FTS5 table cannot be read back to move it (its text is made by the
-- engine from the records' properties). Merges as 0037 set for search_text.
CREATE VIRTUAL TABLE search_words USING fts5(
	text, content='', contentless_delete=1, detail=none,
	tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO search_words (search_words, rank) VALUES ('automerge', 16);
