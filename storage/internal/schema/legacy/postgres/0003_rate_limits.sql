-- Rate-limit emulation counts shared by every node: the calls of each
-- rolling window ("token:<id>" for the 10-second window, "search" for the
-- per-second one) and the calls of each day.
CREATE TABLE rate_calls (
	bucket text   NOT NULL,
	at     bigint NOT NULL -- Unix nanoseconds
);
CREATE INDEX rate_calls_by_bucket ON rate_calls (bucket, at);

CREATE TABLE rate_days (
	day bigint PRIMARY KEY, -- start of the day, Unix nanoseconds
	n   bigint NOT NULL
);
