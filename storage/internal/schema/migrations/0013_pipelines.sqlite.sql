-- Pipelines of deals and tickets, one row each: the definition is a JSON
-- document with the label, display order, times (epoch milliseconds) and
-- every stage, archived ones included. Records are checked against them in
-- the transactions that write them.
CREATE TABLE pipelines (
	type_id    TEXT    NOT NULL,
	id         TEXT    NOT NULL,
	archived   INTEGER NOT NULL DEFAULT 0,
	definition TEXT    NOT NULL,
	PRIMARY KEY (type_id, id)
);

-- Every account starts with HubSpot's default pipelines, created at epoch 0:
-- deals in "default" with its seven stages, tickets in "0" with its four
-- (crm.DefaultPipelines, which a reset of the schema puts back; the storage
-- suite checks that the two agree). Records written before this migration
-- are all in them: the properties accepted only their values.
INSERT INTO pipelines (type_id, id, archived, definition) VALUES
	('0-3', 'default', 0, '{"label":"Sales Pipeline","displayOrder":0,"createdAt":0,"updatedAt":0,"stages":[{"id":"appointmentscheduled","label":"Appointment scheduled","displayOrder":0,"metadata":{"probability":"0.2","isClosed":"false"},"createdAt":0,"updatedAt":0},{"id":"qualifiedtobuy","label":"Qualified to buy","displayOrder":1,"metadata":{"probability":"0.4","isClosed":"false"},"createdAt":0,"updatedAt":0},{"id":"presentationscheduled","label":"Presentation scheduled","displayOrder":2,"metadata":{"probability":"0.6","isClosed":"false"},"createdAt":0,"updatedAt":0},{"id":"decisionmakerboughtin","label":"Decision maker bought-in","displayOrder":3,"metadata":{"probability":"0.8","isClosed":"false"},"createdAt":0,"updatedAt":0},{"id":"contractsent","label":"Contract sent","displayOrder":4,"metadata":{"probability":"0.9","isClosed":"false"},"createdAt":0,"updatedAt":0},{"id":"closedwon","label":"Closed won","displayOrder":5,"metadata":{"probability":"1.0","isClosed":"true"},"createdAt":0,"updatedAt":0},{"id":"closedlost","label":"Closed lost","displayOrder":6,"metadata":{"probability":"0.0","isClosed":"true"},"createdAt":0,"updatedAt":0}]}'),
	('0-5', '0', 0, '{"label":"Support Pipeline","displayOrder":0,"createdAt":0,"updatedAt":0,"stages":[{"id":"1","label":"New","displayOrder":0,"metadata":{"ticketState":"OPEN"},"createdAt":0,"updatedAt":0},{"id":"2","label":"Waiting on contact","displayOrder":1,"metadata":{"ticketState":"OPEN"},"createdAt":0,"updatedAt":0},{"id":"3","label":"Waiting on us","displayOrder":2,"metadata":{"ticketState":"OPEN"},"createdAt":0,"updatedAt":0},{"id":"4","label":"Closed","displayOrder":3,"metadata":{"ticketState":"CLOSED"},"createdAt":0,"updatedAt":0}]}');
