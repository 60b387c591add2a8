-- Web sessions are stored, so that a restart keeps people signed in and
-- every process on the file knows them. Only hashes of the cookie value and
-- of the access token are kept.
CREATE TABLE web_sessions (
	id_hash    TEXT    PRIMARY KEY,
	token_hash TEXT    NOT NULL,
	csrf       TEXT    NOT NULL,
	flash      TEXT    NOT NULL DEFAULT '',
	seen_at    INTEGER NOT NULL -- epoch milliseconds
);
CREATE INDEX web_sessions_by_seen ON web_sessions (seen_at);
