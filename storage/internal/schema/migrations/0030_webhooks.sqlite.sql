-- Developer apps, their webhook settings and subscriptions, the outbox of
-- webhook events (written in the transaction of the change that caused
-- them) and the log of deliveries. The client secret is kept as it is: it
-- keys the HMAC of every delivery. The developer API key is kept hashed.
CREATE TABLE apps (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT    NOT NULL,
	client_secret TEXT    NOT NULL,
	key_hash      TEXT    NOT NULL UNIQUE,
	created_at    INTEGER NOT NULL
);

CREATE TABLE webhook_settings (
	app_id          INTEGER NOT NULL PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
	target_url      TEXT    NOT NULL,
	max_concurrent  INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);

CREATE TABLE webhook_subscriptions (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	app_id         INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	event_type     TEXT    NOT NULL,
	property_name  TEXT    NOT NULL,
	object_type_id TEXT    NOT NULL,
	active         INTEGER NOT NULL,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL
);
CREATE INDEX webhook_subscriptions_by_app ON webhook_subscriptions (app_id, id);

-- Pending events only: a delivered or given-up event is deleted (the
-- delivery log keeps its id). state is 0.
CREATE TABLE webhook_events (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	app_id          INTEGER NOT NULL,
	subscription_id INTEGER NOT NULL,
	object_id       INTEGER NOT NULL,
	occurred_at     INTEGER NOT NULL,
	payload         TEXT    NOT NULL,
	state           INTEGER NOT NULL DEFAULT 0,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_at         INTEGER NOT NULL DEFAULT 0,
	lease_until     INTEGER NOT NULL DEFAULT 0,
	hold_until      INTEGER NOT NULL DEFAULT 0,
	done_at         INTEGER
);
-- hold_until is the later of next_at and lease_until: an event is due once
-- it has passed, and until then holds back the other events of its record.
-- Claims read the held events through this index and the due ones in id
-- order through the primary key.
CREATE INDEX webhook_events_held ON webhook_events (hold_until) WHERE state = 0;

CREATE TABLE webhook_deliveries (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	app_id     INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	url        TEXT    NOT NULL,
	event_ids  TEXT    NOT NULL, -- comma-separated
	attempt    INTEGER NOT NULL,
	status     INTEGER NOT NULL,
	error      TEXT    NOT NULL,
	latency_us INTEGER NOT NULL,
	response   TEXT    NOT NULL,
	next_retry INTEGER,
	dropped    INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_by_app ON webhook_deliveries (app_id, id);
