-- Developer apps, their webhook settings and subscriptions, the outbox of
-- webhook events (written in the transaction of the change that caused
-- them) and the log of deliveries. The client secret is kept as it is: it
-- keys the HMAC of every delivery. The developer API key is kept hashed.
CREATE TABLE apps (
	id            bigserial PRIMARY KEY,
	name          text    NOT NULL,
	client_secret text    NOT NULL,
	key_hash      text    NOT NULL UNIQUE,
	created_at    bigint  NOT NULL
);

CREATE TABLE webhook_settings (
	app_id          bigint NOT NULL PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
	target_url      text    NOT NULL,
	max_concurrent  bigint  NOT NULL,
	created_at      bigint  NOT NULL,
	updated_at      bigint  NOT NULL
);

CREATE TABLE webhook_subscriptions (
	id             bigserial PRIMARY KEY,
	app_id         bigint  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
	event_type     text    NOT NULL,
	property_name  text    NOT NULL,
	object_type_id text    NOT NULL,
	active         bigint  NOT NULL,
	created_at     bigint  NOT NULL,
	updated_at     bigint  NOT NULL
);
CREATE INDEX webhook_subscriptions_by_app ON webhook_subscriptions (app_id, id);

-- Pending events only: a delivered or given-up event is deleted (the
-- delivery log keeps its id). state is 0.
CREATE TABLE webhook_events (
	id              bigserial PRIMARY KEY,
	app_id          bigint  NOT NULL,
	subscription_id bigint  NOT NULL,
	object_id       bigint  NOT NULL,
	occurred_at     bigint  NOT NULL,
	payload         text    NOT NULL,
	state           bigint  NOT NULL DEFAULT 0,
	attempts        bigint  NOT NULL DEFAULT 0,
	next_at         bigint  NOT NULL DEFAULT 0,
	lease_until     bigint  NOT NULL DEFAULT 0,
	hold_until      bigint  NOT NULL DEFAULT 0,
	done_at         bigint
);
-- hold_until is the later of next_at and lease_until: an event is due once
-- it has passed, and until then holds back the other events of its record.
-- Claims read the held events through this index and the due ones in id
-- order through the primary key.
CREATE INDEX webhook_events_held ON webhook_events (hold_until) WHERE state = 0;

CREATE TABLE webhook_deliveries (
	id         bigserial PRIMARY KEY,
	app_id     bigint  NOT NULL,
	at         bigint  NOT NULL,
	url        text    NOT NULL,
	event_ids  text    NOT NULL, -- comma-separated
	attempt    bigint  NOT NULL,
	status     bigint  NOT NULL,
	error      text    NOT NULL,
	latency_us bigint  NOT NULL,
	response   text    NOT NULL,
	next_retry bigint,
	dropped    bigint  NOT NULL
);
CREATE INDEX webhook_deliveries_by_app ON webhook_deliveries (app_id, id);
