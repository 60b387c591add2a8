-- Web sessions are stored, so that every node knows them and a restart
-- keeps people signed in. Only hashes of the cookie value and of the access
-- token are kept.
CREATE TABLE web_sessions (
	id_hash    text   PRIMARY KEY,
	token_hash text   NOT NULL,
	csrf       text   NOT NULL,
	flash      text   NOT NULL DEFAULT '',
	seen_at    bigint NOT NULL -- epoch milliseconds
);
CREATE INDEX web_sessions_by_seen ON web_sessions (seen_at);
