-- pg_dump --inserts of a Spoke PostgreSQL schema written by commit 85a65eb
-- (see storagetest/before.go), with the schema's name taken out.

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

CREATE TABLE association_labels (
    type_id bigint NOT NULL,
    inverse_id bigint NOT NULL,
    from_type text NOT NULL,
    to_type text NOT NULL,
    label text NOT NULL,
    name text NOT NULL
);

CREATE TABLE associations (
    from_id bigint NOT NULL,
    to_type text NOT NULL,
    to_id bigint NOT NULL,
    category text NOT NULL,
    type_id bigint NOT NULL,
    from_type text NOT NULL
);

CREATE TABLE custom_properties (
    type_id text NOT NULL,
    name text NOT NULL,
    seq bigint NOT NULL,
    definition jsonb NOT NULL
);

CREATE SEQUENCE custom_properties_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE custom_properties_seq_seq OWNED BY custom_properties.seq;

CREATE SEQUENCE label_ids
    START WITH 2001
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE SEQUENCE object_ids
    START WITH 10000000001
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE object_writes (
    seq bigint NOT NULL,
    object_id bigint NOT NULL,
    "timestamp" bigint NOT NULL,
    changes jsonb NOT NULL
);

CREATE SEQUENCE object_writes_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE object_writes_seq_seq OWNED BY object_writes.seq;

CREATE TABLE objects (
    id bigint NOT NULL,
    type_id text NOT NULL,
    properties jsonb NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    archived boolean DEFAULT false NOT NULL,
    archived_at bigint
);

CREATE SEQUENCE owner_ids
    START WITH 80000001
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE owners (
    id bigint NOT NULL,
    email text NOT NULL,
    type text NOT NULL,
    first_name text NOT NULL,
    last_name text NOT NULL,
    user_id bigint NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    archived boolean DEFAULT false NOT NULL,
    archived_at bigint
);

CREATE TABLE property_groups (
    type_id text NOT NULL,
    name text NOT NULL,
    seq bigint NOT NULL,
    definition jsonb NOT NULL
);

CREATE SEQUENCE property_groups_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE property_groups_seq_seq OWNED BY property_groups.seq;

CREATE TABLE rate_calls (
    bucket text NOT NULL,
    at bigint NOT NULL
);

CREATE TABLE rate_days (
    day bigint NOT NULL,
    n bigint NOT NULL
);

CREATE TABLE schema_migrations (
    version text NOT NULL
);

CREATE TABLE search_text (
    object_id bigint NOT NULL,
    doc tsvector NOT NULL
);

CREATE TABLE search_values (
    object_id bigint NOT NULL,
    key bigint NOT NULL,
    num double precision,
    text text
);

CREATE TABLE tokens (
    id bigint NOT NULL,
    name text NOT NULL,
    hash text NOT NULL,
    scopes text NOT NULL,
    created_at bigint NOT NULL,
    last_used_at bigint,
    revoked_at bigint
);

CREATE SEQUENCE tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE tokens_id_seq OWNED BY tokens.id;

CREATE TABLE unique_values (
    type_id text NOT NULL,
    property text NOT NULL,
    value text NOT NULL,
    object_id bigint NOT NULL
);

CREATE SEQUENCE user_ids
    START WITH 9000001
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE web_sessions (
    id_hash text NOT NULL,
    token_hash text NOT NULL,
    csrf text NOT NULL,
    flash text DEFAULT ''::text NOT NULL,
    seen_at bigint NOT NULL
);

ALTER TABLE ONLY custom_properties ALTER COLUMN seq SET DEFAULT nextval('custom_properties_seq_seq'::regclass);

ALTER TABLE ONLY object_writes ALTER COLUMN seq SET DEFAULT nextval('object_writes_seq_seq'::regclass);

ALTER TABLE ONLY property_groups ALTER COLUMN seq SET DEFAULT nextval('property_groups_seq_seq'::regclass);

ALTER TABLE ONLY tokens ALTER COLUMN id SET DEFAULT nextval('tokens_id_seq'::regclass);

INSERT INTO association_labels VALUES (3001, 3002, '0-1', '0-2', 'Manager', 'manager');
INSERT INTO association_labels VALUES (3002, 3001, '0-2', '0-1', 'Managed company', 'manager_inverse');

INSERT INTO associations VALUES (201, '0-1', 101, 'HUBSPOT_DEFINED', 81, '0-18');
INSERT INTO associations VALUES (101, '0-18', 201, 'HUBSPOT_DEFINED', 82, '0-1');
INSERT INTO associations VALUES (101, '0-2', 301, 'USER_DEFINED', 3001, '0-1');
INSERT INTO associations VALUES (301, '0-1', 101, 'USER_DEFINED', 3002, '0-2');
INSERT INTO associations VALUES (101, '0-2', 301, 'HUBSPOT_DEFINED', 279, '0-1');
INSERT INTO associations VALUES (301, '0-1', 101, 'HUBSPOT_DEFINED', 280, '0-2');
INSERT INTO associations VALUES (10000000003, '0-1', 10000000002, 'HUBSPOT_DEFINED', 81, '0-18');
INSERT INTO associations VALUES (10000000002, '0-18', 10000000003, 'HUBSPOT_DEFINED', 82, '0-1');
INSERT INTO associations VALUES (10000000004, '0-1', 10000000002, 'HUBSPOT_DEFINED', 81, '0-18');
INSERT INTO associations VALUES (10000000002, '0-18', 10000000004, 'HUBSPOT_DEFINED', 82, '0-1');
INSERT INTO associations VALUES (10000000005, '0-1', 10000000002, 'HUBSPOT_DEFINED', 81, '0-18');
INSERT INTO associations VALUES (10000000002, '0-18', 10000000005, 'HUBSPOT_DEFINED', 82, '0-1');
INSERT INTO associations VALUES (10000000006, '0-1', 10000000002, 'HUBSPOT_DEFINED', 81, '0-18');
INSERT INTO associations VALUES (10000000002, '0-18', 10000000006, 'HUBSPOT_DEFINED', 82, '0-1');

INSERT INTO custom_properties VALUES ('0-1', 'customer_code', 1, '{"Name": "customer_code", "Type": "string", "Label": "Customer code", "Hidden": false, "Unique": true, "Options": null, "Archived": false, "ReadOnly": false, "CreatedAt": "2025-06-01T08:00:00Z", "FieldType": "text", "FormField": true, "GroupName": "loyalty", "UpdatedAt": "2025-06-01T08:00:00Z", "ArchivedAt": "0001-01-01T00:00:00Z", "NotIndexed": false, "Description": "", "DisplayOrder": -1, "HubSpotDefined": false, "ReferencedObjectType": "", "CaseInsensitiveUnique": false}');
INSERT INTO custom_properties VALUES ('0-1', 'tier', 2, '{"Name": "tier", "Type": "enumeration", "Label": "Tier", "Hidden": false, "Unique": false, "Options": [{"Label": "Gold", "Value": "gold", "Hidden": false, "DisplayOrder": 0}, {"Label": "Silver", "Value": "silver", "Hidden": false, "DisplayOrder": 1}], "Archived": false, "ReadOnly": false, "CreatedAt": "2025-06-01T08:00:00Z", "FieldType": "select", "FormField": true, "GroupName": "loyalty", "UpdatedAt": "2025-06-01T08:00:00Z", "ArchivedAt": "0001-01-01T00:00:00Z", "NotIndexed": false, "Description": "", "DisplayOrder": -1, "HubSpotDefined": false, "ReferencedObjectType": "", "CaseInsensitiveUnique": false}');

INSERT INTO object_writes VALUES (1, 201, 1748764800000, '[["hs_communication_body", "Parcel left the depot", "INTEGRATION", "0"], ["hs_communication_channel_type", "WHATS_APP", "INTEGRATION", "0"], ["hs_communication_logged_from", "CRM", "INTEGRATION", "0"], ["hs_timestamp", "2025-05-03T09:00:00Z", "INTEGRATION", "0"], ["hs_object_id", "201", "CALCULATED", ""], ["hs_createdate", "2025-06-01T08:00:00Z", "CALCULATED", ""], ["hs_lastmodifieddate", "2025-06-01T08:00:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "0", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""], ["hs_body_preview", "Parcel left the depot", "CALCULATED", ""], ["hs_body_preview_html", "<html>\n <head></head>\n <body>\n Parcel left the depot\n </body>\n</html>", "CALCULATED", ""], ["hs_body_preview_is_truncated", "false", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (2, 202, 1748764800000, '[["hs_communication_body", "Courier arrives tomorrow", "INTEGRATION", "0"], ["hs_communication_channel_type", "SMS", "INTEGRATION", "0"], ["hs_communication_logged_from", "CRM", "INTEGRATION", "0"], ["hs_timestamp", "2025-05-03T10:00:00Z", "INTEGRATION", "0"], ["hs_object_id", "202", "CALCULATED", ""], ["hs_createdate", "2025-06-01T08:00:00Z", "CALCULATED", ""], ["hs_lastmodifieddate", "2025-06-01T08:00:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "0", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""], ["hs_body_preview", "Courier arrives tomorrow", "CALCULATED", ""], ["hs_body_preview_html", "<html>\n <head></head>\n <body>\n Courier arrives tomorrow\n </body>\n</html>", "CALCULATED", ""], ["hs_body_preview_is_truncated", "false", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (3, 301, 1748764800000, '[["domain", "acme.example", "INTEGRATION", "0"], ["name", "Acme", "INTEGRATION", "0"], ["hs_object_id", "301", "CALCULATED", ""], ["createdate", "2025-06-01T08:00:00Z", "CALCULATED", ""], ["hs_lastmodifieddate", "2025-06-01T08:00:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "0", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (4, 101, 1746093600000, '[["customer_code", "C-1", "INTEGRATION", "0"], ["email", "lin@example.com", "INTEGRATION", "0"], ["firstname", "Lin", "INTEGRATION", "0"], ["hubspot_owner_id", "81000001", "INTEGRATION", "0"], ["tier", "gold", "INTEGRATION", "0"], ["hs_object_id", "101", "CALCULATED", ""], ["createdate", "2025-05-01T10:00:00Z", "CALCULATED", ""], ["lastmodifieddate", "2025-05-01T10:00:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "0", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""], ["hs_all_owner_ids", "81000001", "CALCULATED", ""], ["hs_user_ids_of_all_owners", "9100001", "CALCULATED", ""], ["hubspot_owner_assigneddate", "2025-05-01T10:00:00Z", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (5, 102, 1746180000000, '[["customer_code", "C-2", "INTEGRATION", "0"], ["email", "sam@example.com", "INTEGRATION", "0"], ["firstname", "Sam", "INTEGRATION", "0"], ["hs_object_id", "102", "CALCULATED", ""], ["createdate", "2025-05-02T10:00:00Z", "CALCULATED", ""], ["lastmodifieddate", "2025-05-02T10:00:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "0", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (6, 10000000002, 1748764860000, '[["customer_code", "C-3", "INTEGRATION", "7"], ["email", "kim@example.com", "INTEGRATION", "7"], ["hs_object_id", "10000000002", "CALCULATED", ""], ["createdate", "2025-06-01T08:01:00Z", "CALCULATED", ""], ["lastmodifieddate", "2025-06-01T08:01:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "7", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (7, 10000000003, 1748764920000, '[["hs_communication_body", "Order 0 shipped", "INTEGRATION", "7"], ["hs_communication_channel_type", "WHATS_APP", "INTEGRATION", "7"], ["hs_communication_logged_from", "CRM", "INTEGRATION", "7"], ["hs_timestamp", "2025-06-01T09:26:40Z", "INTEGRATION", "7"], ["hs_object_id", "10000000003", "CALCULATED", ""], ["hs_createdate", "2025-06-01T08:02:00Z", "CALCULATED", ""], ["hs_lastmodifieddate", "2025-06-01T08:02:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "7", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""], ["hs_body_preview", "Order 0 shipped", "CALCULATED", ""], ["hs_body_preview_html", "<html>\n <head></head>\n <body>\n Order 0 shipped\n </body>\n</html>", "CALCULATED", ""], ["hs_body_preview_is_truncated", "false", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (8, 10000000004, 1748764920000, '[["hs_communication_body", "Order 1 shipped", "INTEGRATION", "7"], ["hs_communication_channel_type", "SMS", "INTEGRATION", "7"], ["hs_communication_logged_from", "CRM", "INTEGRATION", "7"], ["hs_timestamp", "2025-06-01T09:26:41Z", "INTEGRATION", "7"], ["hs_object_id", "10000000004", "CALCULATED", ""], ["hs_createdate", "2025-06-01T08:02:00Z", "CALCULATED", ""], ["hs_lastmodifieddate", "2025-06-01T08:02:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "7", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""], ["hs_body_preview", "Order 1 shipped", "CALCULATED", ""], ["hs_body_preview_html", "<html>\n <head></head>\n <body>\n Order 1 shipped\n </body>\n</html>", "CALCULATED", ""], ["hs_body_preview_is_truncated", "false", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (9, 10000000005, 1748764920000, '[["hs_communication_body", "Order 2 shipped", "INTEGRATION", "7"], ["hs_communication_channel_type", "WHATS_APP", "INTEGRATION", "7"], ["hs_communication_logged_from", "CRM", "INTEGRATION", "7"], ["hs_timestamp", "2025-06-01T09:26:42Z", "INTEGRATION", "7"], ["hs_object_id", "10000000005", "CALCULATED", ""], ["hs_createdate", "2025-06-01T08:02:00Z", "CALCULATED", ""], ["hs_lastmodifieddate", "2025-06-01T08:02:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "7", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""], ["hs_body_preview", "Order 2 shipped", "CALCULATED", ""], ["hs_body_preview_html", "<html>\n <head></head>\n <body>\n Order 2 shipped\n </body>\n</html>", "CALCULATED", ""], ["hs_body_preview_is_truncated", "false", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (10, 10000000006, 1748764920000, '[["hs_communication_body", "Order 3 shipped", "INTEGRATION", "7"], ["hs_communication_channel_type", "SMS", "INTEGRATION", "7"], ["hs_communication_logged_from", "CRM", "INTEGRATION", "7"], ["hs_timestamp", "2025-06-01T09:26:43Z", "INTEGRATION", "7"], ["hs_object_id", "10000000006", "CALCULATED", ""], ["hs_createdate", "2025-06-01T08:02:00Z", "CALCULATED", ""], ["hs_lastmodifieddate", "2025-06-01T08:02:00Z", "CALCULATED", ""], ["hs_object_source", "INTEGRATION", "CALCULATED", ""], ["hs_object_source_id", "7", "CALCULATED", ""], ["hs_object_source_label", "INTEGRATION", "CALCULATED", ""], ["hs_body_preview", "Order 3 shipped", "CALCULATED", ""], ["hs_body_preview_html", "<html>\n <head></head>\n <body>\n Order 3 shipped\n </body>\n</html>", "CALCULATED", ""], ["hs_body_preview_is_truncated", "false", "CALCULATED", ""]]');
INSERT INTO object_writes VALUES (11, 101, 1748764980000, '[["firstname", "Linnea", "INTEGRATION", "7"], ["tier", "silver", "INTEGRATION", "7"], ["lastmodifieddate", "2025-06-01T08:03:00Z", "CALCULATED", ""]]');

INSERT INTO objects VALUES (201, '0-18', '{"hs_object_id": "201", "hs_timestamp": "2025-05-03T09:00:00Z", "hs_createdate": "2025-06-01T08:00:00Z", "hs_body_preview": "Parcel left the depot", "hs_object_source": "INTEGRATION", "hs_lastmodifieddate": "2025-06-01T08:00:00Z", "hs_object_source_id": "0", "hs_body_preview_html": "<html>\n <head></head>\n <body>\n Parcel left the depot\n </body>\n</html>", "hs_communication_body": "Parcel left the depot", "hs_object_source_label": "INTEGRATION", "hs_body_preview_is_truncated": "false", "hs_communication_logged_from": "CRM", "hs_communication_channel_type": "WHATS_APP"}', 1748764800000, 1748764800000, false, NULL);
INSERT INTO objects VALUES (301, '0-2', '{"name": "Acme", "domain": "acme.example", "createdate": "2025-06-01T08:00:00Z", "hs_object_id": "301", "hs_object_source": "INTEGRATION", "hs_lastmodifieddate": "2025-06-01T08:00:00Z", "hs_object_source_id": "0", "hs_object_source_label": "INTEGRATION"}', 1748764800000, 1748764800000, false, NULL);
INSERT INTO objects VALUES (102, '0-1', '{"email": "sam@example.com", "firstname": "Sam", "createdate": "2025-05-02T10:00:00Z", "hs_object_id": "102", "customer_code": "C-2", "hs_object_source": "INTEGRATION", "lastmodifieddate": "2025-05-02T10:00:00Z", "hs_object_source_id": "0", "hs_object_source_label": "INTEGRATION"}', 1746180000000, 1746180000000, false, NULL);
INSERT INTO objects VALUES (10000000002, '0-1', '{"email": "kim@example.com", "createdate": "2025-06-01T08:01:00Z", "hs_object_id": "10000000002", "customer_code": "C-3", "hs_object_source": "INTEGRATION", "lastmodifieddate": "2025-06-01T08:01:00Z", "hs_object_source_id": "7", "hs_object_source_label": "INTEGRATION"}', 1748764860000, 1748764860000, false, NULL);
INSERT INTO objects VALUES (10000000003, '0-18', '{"hs_object_id": "10000000003", "hs_timestamp": "2025-06-01T09:26:40Z", "hs_createdate": "2025-06-01T08:02:00Z", "hs_body_preview": "Order 0 shipped", "hs_object_source": "INTEGRATION", "hs_lastmodifieddate": "2025-06-01T08:02:00Z", "hs_object_source_id": "7", "hs_body_preview_html": "<html>\n <head></head>\n <body>\n Order 0 shipped\n </body>\n</html>", "hs_communication_body": "Order 0 shipped", "hs_object_source_label": "INTEGRATION", "hs_body_preview_is_truncated": "false", "hs_communication_logged_from": "CRM", "hs_communication_channel_type": "WHATS_APP"}', 1748764920000, 1748764920000, false, NULL);
INSERT INTO objects VALUES (10000000004, '0-18', '{"hs_object_id": "10000000004", "hs_timestamp": "2025-06-01T09:26:41Z", "hs_createdate": "2025-06-01T08:02:00Z", "hs_body_preview": "Order 1 shipped", "hs_object_source": "INTEGRATION", "hs_lastmodifieddate": "2025-06-01T08:02:00Z", "hs_object_source_id": "7", "hs_body_preview_html": "<html>\n <head></head>\n <body>\n Order 1 shipped\n </body>\n</html>", "hs_communication_body": "Order 1 shipped", "hs_object_source_label": "INTEGRATION", "hs_body_preview_is_truncated": "false", "hs_communication_logged_from": "CRM", "hs_communication_channel_type": "SMS"}', 1748764920000, 1748764920000, false, NULL);
INSERT INTO objects VALUES (10000000005, '0-18', '{"hs_object_id": "10000000005", "hs_timestamp": "2025-06-01T09:26:42Z", "hs_createdate": "2025-06-01T08:02:00Z", "hs_body_preview": "Order 2 shipped", "hs_object_source": "INTEGRATION", "hs_lastmodifieddate": "2025-06-01T08:02:00Z", "hs_object_source_id": "7", "hs_body_preview_html": "<html>\n <head></head>\n <body>\n Order 2 shipped\n </body>\n</html>", "hs_communication_body": "Order 2 shipped", "hs_object_source_label": "INTEGRATION", "hs_body_preview_is_truncated": "false", "hs_communication_logged_from": "CRM", "hs_communication_channel_type": "WHATS_APP"}', 1748764920000, 1748764920000, false, NULL);
INSERT INTO objects VALUES (10000000006, '0-18', '{"hs_object_id": "10000000006", "hs_timestamp": "2025-06-01T09:26:43Z", "hs_createdate": "2025-06-01T08:02:00Z", "hs_body_preview": "Order 3 shipped", "hs_object_source": "INTEGRATION", "hs_lastmodifieddate": "2025-06-01T08:02:00Z", "hs_object_source_id": "7", "hs_body_preview_html": "<html>\n <head></head>\n <body>\n Order 3 shipped\n </body>\n</html>", "hs_communication_body": "Order 3 shipped", "hs_object_source_label": "INTEGRATION", "hs_body_preview_is_truncated": "false", "hs_communication_logged_from": "CRM", "hs_communication_channel_type": "SMS"}', 1748764920000, 1748764920000, false, NULL);
INSERT INTO objects VALUES (101, '0-1', '{"tier": "silver", "email": "lin@example.com", "firstname": "Linnea", "createdate": "2025-05-01T10:00:00Z", "hs_object_id": "101", "customer_code": "C-1", "hs_all_owner_ids": "81000001", "hs_object_source": "INTEGRATION", "hubspot_owner_id": "81000001", "lastmodifieddate": "2025-06-01T08:03:00Z", "hs_object_source_id": "0", "hs_object_source_label": "INTEGRATION", "hs_user_ids_of_all_owners": "9100001", "hubspot_owner_assigneddate": "2025-05-01T10:00:00Z"}', 1746093600000, 1748764980000, false, NULL);
INSERT INTO objects VALUES (202, '0-18', '{"hs_object_id": "202", "hs_timestamp": "2025-05-03T10:00:00Z", "hs_createdate": "2025-06-01T08:00:00Z", "hs_body_preview": "Courier arrives tomorrow", "hs_object_source": "INTEGRATION", "hs_lastmodifieddate": "2025-06-01T08:00:00Z", "hs_object_source_id": "0", "hs_body_preview_html": "<html>\n <head></head>\n <body>\n Courier arrives tomorrow\n </body>\n</html>", "hs_communication_body": "Courier arrives tomorrow", "hs_object_source_label": "INTEGRATION", "hs_body_preview_is_truncated": "false", "hs_communication_logged_from": "CRM", "hs_communication_channel_type": "SMS"}', 1748764800000, 1748765040000, true, 1748765040000);

INSERT INTO owners VALUES (81000001, 'ada@example.com', 'PERSON', 'Ada', 'Lovelace', 9100001, 1748764800000, 1748764800000, false, NULL);
INSERT INTO owners VALUES (81000002, 'bob@example.com', 'PERSON', 'Bob', 'Old', 9100002, 1748764800000, 1748764800000, true, 1748764800000);
INSERT INTO owners VALUES (81000003, 'cy@example.com', 'PERSON', 'Cy', '', 9100003, 1748765040000, 1748765040000, false, NULL);

INSERT INTO property_groups VALUES ('0-1', 'loyalty', 1, '{"Name": "loyalty", "Label": "Loyalty", "Archived": false, "DisplayOrder": 3, "HubSpotDefined": false}');

INSERT INTO schema_migrations VALUES ('migrations/0001_schema.sql');
INSERT INTO schema_migrations VALUES ('migrations/0002_search_object_index.sql');
INSERT INTO schema_migrations VALUES ('migrations/0003_rate_limits.sql');
INSERT INTO schema_migrations VALUES ('migrations/0004_search_scoped.sql');
INSERT INTO schema_migrations VALUES ('migrations/0005_web_sessions.sql');

INSERT INTO search_text VALUES (201, '''depot'':4 ''left'':2 ''parcel'':1 ''the'':3');
INSERT INTO search_text VALUES (301, '''acme'':1,2 ''example'':3');
INSERT INTO search_text VALUES (102, '''com'':4 ''example'':3 ''sam'':1,2');
INSERT INTO search_text VALUES (10000000002, '''com'':3 ''example'':2 ''kim'':1');
INSERT INTO search_text VALUES (10000000003, '''0'':2 ''order'':1 ''shipped'':3');
INSERT INTO search_text VALUES (10000000004, '''1'':2 ''order'':1 ''shipped'':3');
INSERT INTO search_text VALUES (10000000005, '''2'':2 ''order'':1 ''shipped'':3');
INSERT INTO search_text VALUES (10000000006, '''3'':2 ''order'':1 ''shipped'':3');
INSERT INTO search_text VALUES (101, '''com'':4 ''example'':3 ''lin'':2 ''linnea'':1');

INSERT INTO search_values VALUES (201, 7842473421127037722, NULL, 'WHATS_APP');
INSERT INTO search_values VALUES (201, 8849704150702794295, NULL, 'CRM');
INSERT INTO search_values VALUES (201, 6618663544990948546, 1748764800000, NULL);
INSERT INTO search_values VALUES (201, 2346187170955160087, 1748764800000, NULL);
INSERT INTO search_values VALUES (201, 8866037940573293539, 201, NULL);
INSERT INTO search_values VALUES (201, 5974190868715102295, NULL, 'integration');
INSERT INTO search_values VALUES (201, 685867102237589607, NULL, '0');
INSERT INTO search_values VALUES (201, 1858469429341635131, 1746262800000, NULL);
INSERT INTO search_values VALUES (201, 8784458391126517301, 1746262800000, NULL);
INSERT INTO search_values VALUES (301, 7822642498468905194, 1748764800000, NULL);
INSERT INTO search_values VALUES (301, 997863897872662352, NULL, 'acme.example');
INSERT INTO search_values VALUES (301, 6379464561686112978, 1748764800000, NULL);
INSERT INTO search_values VALUES (301, 6397677242825683509, 301, NULL);
INSERT INTO search_values VALUES (301, 6870491581048674333, NULL, 'integration');
INSERT INTO search_values VALUES (301, 4061765467173813680, NULL, '0');
INSERT INTO search_values VALUES (301, 3711157302071505111, NULL, 'acme');
INSERT INTO search_values VALUES (102, 6594586763857428681, 1746180000000, NULL);
INSERT INTO search_values VALUES (102, 869349569779112588, NULL, 'c-2');
INSERT INTO search_values VALUES (102, 6321955703145982462, NULL, 'sam@example.com');
INSERT INTO search_values VALUES (102, 8281135134416209800, NULL, 'sam');
INSERT INTO search_values VALUES (102, 523443577340093258, 102, NULL);
INSERT INTO search_values VALUES (102, 3463280385624366654, NULL, 'integration');
INSERT INTO search_values VALUES (102, 4179383923603258206, NULL, '0');
INSERT INTO search_values VALUES (102, 3688448823877072356, 1746180000000, NULL);
INSERT INTO search_values VALUES (10000000002, 6594586763857428681, 1748764860000, NULL);
INSERT INTO search_values VALUES (10000000002, 869349569779112588, NULL, 'c-3');
INSERT INTO search_values VALUES (10000000002, 6321955703145982462, NULL, 'kim@example.com');
INSERT INTO search_values VALUES (10000000002, 523443577340093258, 10000000002, NULL);
INSERT INTO search_values VALUES (10000000002, 3463280385624366654, NULL, 'integration');
INSERT INTO search_values VALUES (10000000002, 4179383923603258206, NULL, '7');
INSERT INTO search_values VALUES (10000000002, 3688448823877072356, 1748764860000, NULL);
INSERT INTO search_values VALUES (10000000003, 7842473421127037722, NULL, 'WHATS_APP');
INSERT INTO search_values VALUES (10000000003, 8849704150702794295, NULL, 'CRM');
INSERT INTO search_values VALUES (10000000003, 6618663544990948546, 1748764920000, NULL);
INSERT INTO search_values VALUES (10000000003, 2346187170955160087, 1748764920000, NULL);
INSERT INTO search_values VALUES (10000000003, 8866037940573293539, 10000000003, NULL);
INSERT INTO search_values VALUES (10000000003, 5974190868715102295, NULL, 'integration');
INSERT INTO search_values VALUES (10000000003, 685867102237589607, NULL, '7');
INSERT INTO search_values VALUES (10000000003, 1858469429341635131, 1748770000000, NULL);
INSERT INTO search_values VALUES (10000000003, 8784458391126517301, 1748770000000, NULL);
INSERT INTO search_values VALUES (10000000004, 7842473421127037722, NULL, 'SMS');
INSERT INTO search_values VALUES (10000000004, 8849704150702794295, NULL, 'CRM');
INSERT INTO search_values VALUES (10000000004, 6618663544990948546, 1748764920000, NULL);
INSERT INTO search_values VALUES (10000000004, 2346187170955160087, 1748764920000, NULL);
INSERT INTO search_values VALUES (10000000004, 8866037940573293539, 10000000004, NULL);
INSERT INTO search_values VALUES (10000000004, 5974190868715102295, NULL, 'integration');
INSERT INTO search_values VALUES (10000000004, 685867102237589607, NULL, '7');
INSERT INTO search_values VALUES (10000000004, 1858469429341635131, 1748770001000, NULL);
INSERT INTO search_values VALUES (10000000004, 4403286743354999528, 1748770001000, NULL);
INSERT INTO search_values VALUES (10000000005, 7842473421127037722, NULL, 'WHATS_APP');
INSERT INTO search_values VALUES (10000000005, 8849704150702794295, NULL, 'CRM');
INSERT INTO search_values VALUES (10000000005, 6618663544990948546, 1748764920000, NULL);
INSERT INTO search_values VALUES (10000000005, 2346187170955160087, 1748764920000, NULL);
INSERT INTO search_values VALUES (10000000005, 8866037940573293539, 10000000005, NULL);
INSERT INTO search_values VALUES (10000000005, 5974190868715102295, NULL, 'integration');
INSERT INTO search_values VALUES (10000000005, 685867102237589607, NULL, '7');
INSERT INTO search_values VALUES (10000000005, 1858469429341635131, 1748770002000, NULL);
INSERT INTO search_values VALUES (10000000005, 8784458391126517301, 1748770002000, NULL);
INSERT INTO search_values VALUES (10000000006, 7842473421127037722, NULL, 'SMS');
INSERT INTO search_values VALUES (10000000006, 8849704150702794295, NULL, 'CRM');
INSERT INTO search_values VALUES (10000000006, 6618663544990948546, 1748764920000, NULL);
INSERT INTO search_values VALUES (10000000006, 2346187170955160087, 1748764920000, NULL);
INSERT INTO search_values VALUES (10000000006, 8866037940573293539, 10000000006, NULL);
INSERT INTO search_values VALUES (10000000006, 5974190868715102295, NULL, 'integration');
INSERT INTO search_values VALUES (10000000006, 685867102237589607, NULL, '7');
INSERT INTO search_values VALUES (10000000006, 1858469429341635131, 1748770003000, NULL);
INSERT INTO search_values VALUES (10000000006, 4403286743354999528, 1748770003000, NULL);
INSERT INTO search_values VALUES (101, 6594586763857428681, 1746093600000, NULL);
INSERT INTO search_values VALUES (101, 869349569779112588, NULL, 'c-1');
INSERT INTO search_values VALUES (101, 6321955703145982462, NULL, 'lin@example.com');
INSERT INTO search_values VALUES (101, 8281135134416209800, NULL, 'linnea');
INSERT INTO search_values VALUES (101, 2987422012573785501, NULL, '81000001');
INSERT INTO search_values VALUES (101, 523443577340093258, 101, NULL);
INSERT INTO search_values VALUES (101, 3463280385624366654, NULL, 'integration');
INSERT INTO search_values VALUES (101, 4179383923603258206, NULL, '0');
INSERT INTO search_values VALUES (101, 518962797583786296, NULL, '9100001');
INSERT INTO search_values VALUES (101, 6920695635168917887, 1746093600000, NULL);
INSERT INTO search_values VALUES (101, 1751665386413863087, NULL, '81000001');
INSERT INTO search_values VALUES (101, 3688448823877072356, 1748764980000, NULL);
INSERT INTO search_values VALUES (101, 5655205890925283927, NULL, 'silver');

INSERT INTO tokens VALUES (1, 'ci', '69e8a2601e6af456f4115dfad71158a8acba37f5dfed9dd40ca3f84d9b62d9a1', 'crm.objects.contacts.read crm.objects.contacts.write', 1748765040000, 1748765041000, NULL);

INSERT INTO unique_values VALUES ('0-1', 'customer_code', 'C-1', 101);
INSERT INTO unique_values VALUES ('0-1', 'email', 'lin@example.com', 101);
INSERT INTO unique_values VALUES ('0-1', 'customer_code', 'C-2', 102);
INSERT INTO unique_values VALUES ('0-1', 'email', 'sam@example.com', 102);
INSERT INTO unique_values VALUES ('0-1', 'customer_code', 'C-3', 10000000002);
INSERT INTO unique_values VALUES ('0-1', 'email', 'kim@example.com', 10000000002);

INSERT INTO web_sessions VALUES ('c62d8b003f920353a967dfa0c2509d9384adb3a477acab9adf4136305da5ef8e', '69e8a2601e6af456f4115dfad71158a8acba37f5dfed9dd40ca3f84d9b62d9a1', 'csrf-before', '{"kind":"ok"}', 1748765040000);

SELECT pg_catalog.setval('custom_properties_seq_seq', 2, true);

SELECT pg_catalog.setval('label_ids', 3002, true);

SELECT pg_catalog.setval('object_ids', 10000000006, true);

SELECT pg_catalog.setval('object_writes_seq_seq', 11, true);

SELECT pg_catalog.setval('owner_ids', 81000003, true);

SELECT pg_catalog.setval('property_groups_seq_seq', 1, true);

SELECT pg_catalog.setval('tokens_id_seq', 1, true);

SELECT pg_catalog.setval('user_ids', 9100003, true);

ALTER TABLE ONLY association_labels
    ADD CONSTRAINT association_labels_pkey PRIMARY KEY (type_id);

ALTER TABLE ONLY associations
    ADD CONSTRAINT associations_pkey PRIMARY KEY (from_id, to_type, to_id, category, type_id);

ALTER TABLE ONLY custom_properties
    ADD CONSTRAINT custom_properties_pkey PRIMARY KEY (type_id, name);

ALTER TABLE ONLY object_writes
    ADD CONSTRAINT object_writes_pkey PRIMARY KEY (seq);

ALTER TABLE ONLY objects
    ADD CONSTRAINT objects_pkey PRIMARY KEY (id);

ALTER TABLE ONLY owners
    ADD CONSTRAINT owners_pkey PRIMARY KEY (id);

ALTER TABLE ONLY owners
    ADD CONSTRAINT owners_user_id_key UNIQUE (user_id);

ALTER TABLE ONLY property_groups
    ADD CONSTRAINT property_groups_pkey PRIMARY KEY (type_id, name);

ALTER TABLE ONLY rate_days
    ADD CONSTRAINT rate_days_pkey PRIMARY KEY (day);

ALTER TABLE ONLY schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY search_text
    ADD CONSTRAINT search_text_pkey PRIMARY KEY (object_id);

ALTER TABLE ONLY tokens
    ADD CONSTRAINT tokens_hash_key UNIQUE (hash);

ALTER TABLE ONLY tokens
    ADD CONSTRAINT tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY unique_values
    ADD CONSTRAINT unique_values_pkey PRIMARY KEY (type_id, property, value);

ALTER TABLE ONLY web_sessions
    ADD CONSTRAINT web_sessions_pkey PRIMARY KEY (id_hash);

CREATE INDEX associations_by_target ON associations USING btree (to_id);

CREATE INDEX object_writes_by_object ON object_writes USING btree (object_id, seq);

CREATE INDEX objects_archived_at ON objects USING btree (archived_at) WHERE archived;

CREATE INDEX objects_by_type ON objects USING btree (type_id, archived, id);

CREATE INDEX owners_by_email ON owners USING btree (lower(email));

CREATE INDEX rate_calls_by_bucket ON rate_calls USING btree (bucket, at);

CREATE INDEX search_text_doc ON search_text USING gin (doc);

CREATE INDEX search_values_by_num ON search_values USING btree (key, num) INCLUDE (object_id) WHERE (num IS NOT NULL);

CREATE INDEX search_values_by_object ON search_values USING btree (object_id, key, text, num);

CREATE INDEX search_values_by_text ON search_values USING btree (key, text) WHERE (text IS NOT NULL);

CREATE INDEX unique_values_by_object ON unique_values USING btree (object_id);

CREATE INDEX web_sessions_by_seen ON web_sessions USING btree (seen_at);

