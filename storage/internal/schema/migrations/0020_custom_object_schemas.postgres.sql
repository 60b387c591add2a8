-- Custom object schemas, one JSON document each (crm.CustomSchema). A
-- schema's properties and groups are custom properties and groups of its
-- type id; the association types of its pairs are rows of
-- association_labels with an empty label.
CREATE TABLE custom_object_schemas (
	type_id    text  NOT NULL PRIMARY KEY,
	name       text  NOT NULL UNIQUE,
	definition jsonb NOT NULL
);
