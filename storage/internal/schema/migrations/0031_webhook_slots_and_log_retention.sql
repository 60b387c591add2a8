-- An app's requests in flight, across every node sharing the database:
-- a delivery leases one of the app's maxConcurrentRequests slots with its
-- batch (in the claim's transaction) and releases it when it records the
-- outcome; a slot whose lease has passed (its node died) is free again.
-- token names the delivery holding the slot, so that a delivery whose
-- lease lapsed cannot release the slot another has taken since.
CREATE TABLE webhook_slots (
	app_id      bigint NOT NULL,
	slot        bigint NOT NULL,
	lease_until bigint NOT NULL DEFAULT 0,
	token       text   NOT NULL DEFAULT '',
	PRIMARY KEY (app_id, slot)
);

-- The delivery log is pruned by age, oldest first.
CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at);
