// End-to-end tests of the batch endpoints (create, read, update, archive,
// upsert, and the objectWriteTraceId rule) and of search, driven through
// HubSpot's official Node client (@hubspot/api-client) the way users drive
// HubSpot:
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/batch_search.test.mjs
//
// SPOKE_TOKEN must hold every scope (the Go test e2e/node_test.go sets both).
// Values are unique to the run (the RUN tag), and search data lives in its own
// time window (2031), so the file does not depend on an empty server.
//
// How the client (14.x) surfaces batch results: a 201/200 and a 207 both
// resolve, and are told apart by the model the client builds: 207 bodies are
// deserialized as BatchResponse...WithErrors, which keeps numErrors and
// errors. A 207 is never an exception. The *WithHttpInfo variants give the
// status code. Any 4xx rejects with the API package's ApiException. Upsert
// results carry HubSpot's boolean "new" as `_new` (the generator renames the
// reserved word), so users test `result._new`.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, ISO_Z, SLACK_MS, expectApiError, assertWithin } from './helpers.mjs';

import { AssociationTypes, Client } from '@hubspot/api-client';
import { ApiException as CommunicationsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/communications/apis/exception.js';
import { ApiException as ContactsApiException } from '@hubspot/api-client/lib/codegen/crm/contacts/apis/exception.js';
import {
  BatchResponseSimplePublicObject,
  BatchResponseSimplePublicObjectWithErrors,
  BatchResponseSimplePublicUpsertObject,
  CollectionResponseWithTotalSimplePublicObjectForwardPaging,
  FilterOperatorEnum,
} from '@hubspot/api-client/lib/codegen/crm/objects/communications/index.js';
// Each API package has its own model classes; contacts answers with these.
import {
  BatchResponseSimplePublicUpsertObject as ContactsUpsertResponse,
} from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const comms = client.crm.objects.communications.basicApi;
const commsBatch = client.crm.objects.communications.batchApi;
const commsSearch = client.crm.objects.communications.searchApi;
const contacts = client.crm.contacts.basicApi;
const contactsBatch = client.crm.contacts.batchApi;
const properties = client.crm.properties.coreApi;

// A well-formed id that names no record.
const MISSING = '987654321012';

// ---------------------------------------------------------------- helpers

/** Checks a batch response envelope: status, timestamps and error count. */
function assertEnvelope(res, Model, numErrors) {
  assert.ok(res instanceof Model, `expected ${Model.name}, got ${res?.constructor?.name}`);
  assert.equal(res.status, 'COMPLETE');
  assert.ok(res.startedAt instanceof Date && !Number.isNaN(res.startedAt.getTime()), 'startedAt is a Date');
  assert.ok(res.completedAt instanceof Date && !Number.isNaN(res.completedAt.getTime()), 'completedAt is a Date');
  assert.ok(res.completedAt.getTime() >= res.startedAt.getTime(), 'completedAt not before startedAt');
  assert.ok(Array.isArray(res.results));
  if (numErrors === 0) {
    assert.equal(res.numErrors, undefined);
    assert.equal(res.errors, undefined);
  } else {
    assert.equal(res.numErrors, numErrors);
    assert.equal(res.errors.length, numErrors);
  }
}

/** Checks the status code and JSON content type of a *WithHttpInfo answer. */
function assertHttp(info, code) {
  assert.equal(info.httpStatusCode, code);
  assert.match(info.headers['content-type'], /^application\/json/);
  assert.match(info.headers['x-hubspot-correlation-id'], /^[0-9a-f-]{36}$/);
}

/** An inline association from a new communication to a contact. */
function toContact(id) {
  return {
    to: { id },
    types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: AssociationTypes.communicationToContact }],
  };
}

/** Properties of a valid communication. */
function message(body, { channel = 'WHATS_APP', timestamp = Date.now() } = {}) {
  return { hs_communication_channel_type: channel, hs_timestamp: timestamp, hs_communication_body: body };
}

/** Every live communication's id and body, paged through the basic API. */
async function allBodies() {
  const out = new Map();
  let after;
  for (;;) {
    const page = await comms.getPage(100, after, ['hs_communication_body']);
    for (const o of page.results) {
      out.set(o.id, o.properties.hs_communication_body);
    }
    if (!page.paging) {
      return out;
    }
    after = page.paging.next.after;
  }
}

/** Bodies (sorted) of live communications whose body contains marker. */
async function bodiesWith(marker) {
  return [...(await allBodies()).values()].filter((b) => b?.includes(marker)).sort();
}

function byBody(results) {
  return new Map(results.map((r) => [r.properties.hs_communication_body, r]));
}

// ----------------------------------------------------------- batch: create

describe('communications batch: create, read, update, archive', () => {
  let contact;
  const made = []; // SimplePublicObjects, in input order

  before(async () => {
    contact = await contacts.create({ properties: { email: `batch.owner+${RUN}@example.com`, firstname: 'Batch' } });
  });

  test('create answers 201 with every input created and associated inline', async () => {
    const inputs = ['WHATS_APP', 'SMS', 'LINKEDIN_MESSAGE'].map((channel, i) => ({
      properties: message(`batch ${i} ${RUN}`, { channel, timestamp: Date.UTC(2024, 4, 1 + i, 9, 30) }),
      associations: [toContact(contact.id)],
    }));
    const from = Date.now();
    const info = await commsBatch.createWithHttpInfo({ inputs });
    const to = Date.now();
    assertHttp(info, 201);
    const res = info.data;
    assertEnvelope(res, BatchResponseSimplePublicObject, 0);
    assert.equal(res.results.length, 3);

    const got = byBody(res.results);
    inputs.forEach((input, i) => {
      const o = got.get(`batch ${i} ${RUN}`);
      assert.ok(o, `input ${i} created`);
      assert.match(o.id, /^\d+$/);
      assert.equal(o.archived, false);
      assertWithin(o.createdAt, from, to, 'createdAt');
      assert.equal(o.updatedAt.getTime(), o.createdAt.getTime());
      assert.equal(o.properties.hs_object_id, o.id);
      assert.equal(o.properties.hs_communication_channel_type, input.properties.hs_communication_channel_type);
      assert.equal(o.properties.hs_timestamp, `2024-05-0${1 + i}T09:30:00Z`);
      assert.equal(o.properties.hs_body_preview, `batch ${i} ${RUN}`);
      made.push(o);
    });
    assert.equal(new Set(made.map((o) => o.id)).size, 3);

    // The inline associations exist, seen from both sides.
    for (const o of made) {
      const withAssoc = await comms.getById(o.id, undefined, undefined, ['contacts']);
      assert.deepEqual(withAssoc.associations.contacts.results.map((r) => `${r.id}:${r.type}`),
        [`${contact.id}:communication_to_contact`]);
    }
    const back = await contacts.getById(contact.id, undefined, undefined, ['communications']);
    assert.deepEqual(back.associations.communications.results.map((r) => r.id).sort(),
      made.map((o) => o.id).sort());
  });

  test('read answers 200 with the requested properties, in input order', async () => {
    const ids = [made[2].id, made[0].id];
    const info = await commsBatch.readWithHttpInfo({
      inputs: ids.map((id) => ({ id })),
      properties: ['hs_communication_body', 'hs_communication_channel_type'],
      propertiesWithHistory: ['hs_communication_body'],
    });
    assertHttp(info, 200);
    const res = info.data;
    assertEnvelope(res, BatchResponseSimplePublicObject, 0);
    assert.deepEqual(res.results.map((o) => o.id), ids);
    assert.deepEqual(res.results[0].properties, {
      hs_communication_body: `batch 2 ${RUN}`,
      hs_communication_channel_type: 'LINKEDIN_MESSAGE',
      hs_createdate: made[2].properties.hs_createdate,
      hs_lastmodifieddate: made[2].properties.hs_lastmodifieddate,
      hs_object_id: made[2].id,
    });
    assert.equal(res.results[1].properties.hs_communication_channel_type, 'WHATS_APP');
    for (const [i, o] of [[2, res.results[0]], [0, res.results[1]]]) {
      const history = o.propertiesWithHistory.hs_communication_body;
      assert.equal(history.length, 1);
      assert.equal(history[0].value, `batch ${i} ${RUN}`);
      assert.equal(history[0].sourceType, 'INTEGRATION');
      assert.equal(history[0].timestamp.getTime(), made[i].createdAt.getTime());
    }
  });

  test('read without properties returns the defaults', async () => {
    // The client's types mark properties and propertiesWithHistory required;
    // JS callers leave them out.
    const res = await commsBatch.read({ inputs: [{ id: made[1].id }] });
    assertEnvelope(res, BatchResponseSimplePublicObject, 0);
    assert.deepEqual(Object.keys(res.results[0].properties).sort(), ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);
  });

  test('read with a missing id resolves (207) with the found records and one OBJECT_NOT_FOUND error', async () => {
    const info = await commsBatch.readWithHttpInfo({
      inputs: [{ id: made[0].id }, { id: MISSING }, { id: 'not-a-number' }],
      properties: ['hs_communication_body'],
    });
    assertHttp(info, 207);
    const res = info.data;
    assertEnvelope(res, BatchResponseSimplePublicObjectWithErrors, 1);
    assert.deepEqual(res.results.map((o) => o.id), [made[0].id]);
    assert.equal(res.results[0].properties.hs_communication_body, `batch 0 ${RUN}`);
    const [err] = res.errors;
    assert.equal(err.status, 'error');
    assert.equal(err.category, 'OBJECT_NOT_FOUND');
    assert.equal(err.message,
      'Could not get some COMMUNICATION objects, they may be deleted or not exist. Check that ids are valid.');
    assert.deepEqual(err.context, { ids: [MISSING, 'not-a-number'] });

    // The plain method resolves the same way: a 207 is not an exception.
    const plain = await commsBatch.read({ inputs: [{ id: MISSING }] });
    assertEnvelope(plain, BatchResponseSimplePublicObjectWithErrors, 1);
    assert.deepEqual(plain.results, []);
    assert.deepEqual(plain.errors[0].context, { ids: [MISSING] });
  });

  test('update answers 200 and changes only the given properties', async () => {
    const from = Date.now();
    const info = await commsBatch.updateWithHttpInfo({
      inputs: [
        { id: made[0].id, properties: { hs_communication_body: `batch 0 edited ${RUN}` } },
        { id: made[1].id, properties: { hs_communication_channel_type: 'WHATS_APP', hs_timestamp: '2024-06-01T00:00:00.500Z' } },
      ],
    });
    const to = Date.now();
    assertHttp(info, 200);
    const res = info.data;
    assertEnvelope(res, BatchResponseSimplePublicObject, 0);
    const got = new Map(res.results.map((o) => [o.id, o]));
    assert.equal(got.size, 2);

    const first = got.get(made[0].id);
    assert.equal(first.properties.hs_communication_body, `batch 0 edited ${RUN}`);
    assert.equal(first.properties.hs_body_preview, `batch 0 edited ${RUN}`);
    assert.equal(first.properties.hs_communication_channel_type, 'WHATS_APP', 'untouched');
    assertWithin(first.updatedAt, from, to, 'updatedAt');
    assert.equal(first.createdAt.getTime(), made[0].createdAt.getTime());

    const second = got.get(made[1].id);
    assert.equal(second.properties.hs_communication_channel_type, 'WHATS_APP');
    assert.equal(second.properties.hs_timestamp, '2024-06-01T00:00:00.500Z');
    assert.equal(second.properties.hs_communication_body, `batch 1 ${RUN}`, 'untouched');

    const read = await commsBatch.read({ inputs: [{ id: made[0].id }], properties: ['hs_communication_body'] });
    assert.equal(read.results[0].properties.hs_communication_body, `batch 0 edited ${RUN}`);
  });

  test('update of a missing id resolves (207) and still updates the others', async () => {
    const info = await commsBatch.updateWithHttpInfo({
      inputs: [
        { id: made[2].id, properties: { hs_communication_body: `batch 2 edited ${RUN}` } },
        { id: MISSING, properties: { hs_communication_body: 'nobody' } },
      ],
    });
    assertHttp(info, 207);
    assertEnvelope(info.data, BatchResponseSimplePublicObjectWithErrors, 1);
    assert.deepEqual(info.data.results.map((o) => o.id), [made[2].id]);
    assert.equal(info.data.results[0].properties.hs_communication_body, `batch 2 edited ${RUN}`);
    assert.equal(info.data.errors[0].category, 'OBJECT_NOT_FOUND');
    assert.deepEqual(info.data.errors[0].context, { ids: [MISSING] });
  });

  test('update with an unknown property is a 400 and changes nothing', async () => {
    const err = await expectApiError(() => commsBatch.update({
      inputs: [
        { id: made[0].id, properties: { hs_communication_body: 'should not stick' } },
        { id: made[1].id, properties: { hs_no_such_property: 'x' } },
      ],
    }), CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.match(err.body.message, /PROPERTY_DOESNT_EXIST/);
    const read = await commsBatch.read({ inputs: [{ id: made[0].id }], properties: ['hs_communication_body'] });
    assert.equal(read.results[0].properties.hs_communication_body, `batch 0 edited ${RUN}`);
  });

  test('archive answers 204; archived records are missing unless archived=true', async () => {
    const from = Date.now();
    const info = await commsBatch.archiveWithHttpInfo({ inputs: [{ id: made[0].id }, { id: made[1].id }, { id: MISSING }] });
    const to = Date.now();
    assert.equal(info.httpStatusCode, 204);
    assert.equal(info.data, undefined);

    const live = await commsBatch.read({ inputs: made.map((o) => ({ id: o.id })) });
    assertEnvelope(live, BatchResponseSimplePublicObjectWithErrors, 1);
    assert.deepEqual(live.results.map((o) => o.id), [made[2].id]);
    assert.deepEqual(live.errors[0].context, { ids: [made[0].id, made[1].id] });

    const archived = await commsBatch.read({ inputs: [{ id: made[0].id }, { id: made[1].id }], properties: ['hs_communication_body'] }, true);
    assertEnvelope(archived, BatchResponseSimplePublicObject, 0);
    assert.deepEqual(archived.results.map((o) => o.id), [made[0].id, made[1].id]);
    for (const o of archived.results) {
      assert.equal(o.archived, true);
      assertWithin(o.archivedAt, from, to, 'archivedAt');
    }
    assert.equal(archived.results[0].properties.hs_communication_body, `batch 0 edited ${RUN}`);

    // Archiving again is fine (204), as on HubSpot.
    assert.equal(await commsBatch.archive({ inputs: [{ id: made[0].id }] }), undefined);
    await expectApiError(() => comms.getById(made[0].id), CommunicationsApiException, 404, 'OBJECT_NOT_FOUND');
  });
});

// ----------------------------------------------------------- batch: upsert

describe('batch upsert', () => {
  test('contacts by email: new is true, then false for the same contact', async () => {
    const ada = `ada.upsert+${RUN}@example.com`;
    const grace = `grace.upsert+${RUN}@example.com`;
    const first = await contactsBatch.upsert({
      inputs: [
        { id: ada, idProperty: 'email', properties: { firstname: 'Ada', lastname: 'Lovelace' } },
        { id: grace, idProperty: 'email', properties: { firstname: 'Grace' } },
      ],
    });
    assertEnvelope(first, ContactsUpsertResponse, 0);
    const firstBy = new Map(first.results.map((o) => [o.properties.email, o]));
    assert.equal(firstBy.size, 2);
    for (const [email, o] of firstBy) {
      assert.equal(o._new, true, `${email} created`);
      assert.match(o.id, /^\d+$/);
    }
    assert.equal(firstBy.get(ada).properties.firstname, 'Ada');
    assert.equal(firstBy.get(ada).properties.lastname, 'Lovelace');

    // Same emails (one in another case): the same contacts, updated.
    const info = await contactsBatch.upsertWithHttpInfo({
      inputs: [
        { id: ada.toUpperCase(), idProperty: 'email', properties: { lastname: 'King' } },
        { id: grace, idProperty: 'email', properties: { firstname: 'Grace B.' } },
      ],
    });
    assertHttp(info, 200);
    const second = info.data;
    assertEnvelope(second, ContactsUpsertResponse, 0);
    const secondBy = new Map(second.results.map((o) => [o.id, o]));
    const adaAgain = secondBy.get(firstBy.get(ada).id);
    const graceAgain = secondBy.get(firstBy.get(grace).id);
    assert.ok(adaAgain && graceAgain, 'the same ids come back');
    assert.equal(adaAgain._new, false);
    assert.equal(graceAgain._new, false);
    assert.equal(adaAgain.properties.lastname, 'King');
    assert.equal(adaAgain.properties.firstname, 'Ada', 'untouched');
    assert.equal(adaAgain.properties.email, ada);
    assert.equal(graceAgain.properties.firstname, 'Grace B.');

    const read = await contactsBatch.read({ inputs: [{ id: ada }], idProperty: 'email', properties: ['lastname'] });
    assert.equal(read.results[0].id, adaAgain.id);
    assert.equal(read.results[0].properties.lastname, 'King');
  });

  test('contacts batch update by email is refused as non-unique', async () => {
    const email = `nonunique+${RUN}@example.com`;
    await contacts.create({ properties: { email } });
    const err = await expectApiError(() => contactsBatch.update({
      inputs: [{ id: email, idProperty: 'email', properties: { firstname: 'X' } }],
    }), ContactsApiException, 400, 'VALIDATION_ERROR');
    assert.match(err.body.message, /^Unable to perform update\/upsert by non-unique 0-1 property email in portal ID \d+$/);
  });

  test('communications through a custom unique property made with the properties API', async () => {
    const name = `wa_message_id_${RUN}`;
    const prop = await properties.create('communications', {
      name,
      label: `WhatsApp message id ${RUN}`,
      type: 'string',
      fieldType: 'text',
      groupName: 'communicationinformation',
      hasUniqueValue: true,
    });
    assert.equal(prop.name, name);
    assert.equal(prop.hasUniqueValue, true);

    const wamid = (n) => `wamid.${RUN}.${n}`;
    const first = await commsBatch.upsert({
      inputs: [
        { id: wamid(1), idProperty: name, properties: message(`upsert 1 v1 ${RUN}`, { timestamp: '2024-07-01T10:00:00Z' }) },
      ],
    });
    assertEnvelope(first, BatchResponseSimplePublicUpsertObject, 0);
    const [created] = first.results;
    assert.equal(created._new, true);
    assert.equal(created.properties[name], wamid(1), 'the id value is stored in the property');
    assert.equal(created.properties.hs_communication_body, `upsert 1 v1 ${RUN}`);
    assert.equal(created.properties.hs_timestamp, '2024-07-01T10:00:00Z');

    // One existing (updated) and one new in the same call.
    const second = await commsBatch.upsert({
      inputs: [
        { id: wamid(1), idProperty: name, properties: { hs_communication_body: `upsert 1 v2 ${RUN}` } },
        { id: wamid(2), idProperty: name, properties: message(`upsert 2 v1 ${RUN}`, { channel: 'SMS' }) },
      ],
    });
    assertEnvelope(second, BatchResponseSimplePublicUpsertObject, 0);
    const byValue = new Map(second.results.map((o) => [o.properties[name], o]));
    assert.equal(byValue.get(wamid(1)).id, created.id);
    assert.equal(byValue.get(wamid(1))._new, false);
    assert.equal(byValue.get(wamid(1)).properties.hs_communication_body, `upsert 1 v2 ${RUN}`);
    assert.equal(byValue.get(wamid(1)).properties.hs_timestamp, '2024-07-01T10:00:00Z', 'untouched');
    assert.equal(byValue.get(wamid(2))._new, true);
    assert.notEqual(byValue.get(wamid(2)).id, created.id);
    assert.equal(byValue.get(wamid(2)).properties.hs_communication_channel_type, 'SMS');

    // The unique value finds the record on GET and batch read too.
    const got = await comms.getById(wamid(1), ['hs_communication_body'], undefined, undefined, false, name);
    assert.equal(got.id, created.id);
    const read = await commsBatch.read({ inputs: [{ id: wamid(2) }], idProperty: name, properties: [name] });
    assert.equal(read.results[0].id, byValue.get(wamid(2)).id);

    assert.deepEqual(await bodiesWith(`upsert`), [`upsert 1 v2 ${RUN}`, `upsert 2 v1 ${RUN}`]);
  });

  test('communications upsert by a property that is not unique is a 400', async () => {
    const err = await expectApiError(() => commsBatch.upsert({
      inputs: [{ id: 'x', idProperty: 'hs_communication_body', properties: { hs_communication_channel_type: 'SMS' } }],
    }), CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.match(err.body.message, /^Unable to perform update\/upsert by non-unique 0-18 property hs_communication_body in portal ID \d+$/);
  });
});

// ------------------------------------------------------- batch: trace ids

describe('batch create: the objectWriteTraceId rule', () => {
  test('without trace ids one bad input fails the whole batch with a 400; nothing is created', async () => {
    const marker = `untraced${RUN}`;
    const err = await expectApiError(() => commsBatch.create({
      inputs: [
        { properties: message(`${marker} good 1`), associations: [] },
        { properties: { ...message(`${marker} bad`), hs_not_a_property: 'x' }, associations: [] },
        { properties: message(`${marker} good 2`), associations: [] },
      ],
    }), CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.match(err.body.message, /^Property values were not valid: /);
    assert.equal(err.body.errors[0].code, 'PROPERTY_DOESNT_EXIST');
    assert.deepEqual(err.body.errors[0].context, { propertyName: ['hs_not_a_property'] });
    assert.deepEqual(await bodiesWith(marker), []);

    // An invalid option fails it just the same.
    const opt = await expectApiError(() => commsBatch.create({
      inputs: [
        { properties: message(`${marker} good 3`), associations: [] },
        { properties: message(`${marker} pigeon`, { channel: 'CARRIER_PIGEON' }), associations: [] },
      ],
    }), CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.equal(opt.body.errors[0].code, 'INVALID_OPTION');
    assert.deepEqual(await bodiesWith(marker), []);
  });

  test('trace ids that are not all unique keep the all-or-nothing rule', async () => {
    const marker = `sametrace${RUN}`;
    await expectApiError(() => commsBatch.create({
      inputs: [
        { properties: message(`${marker} good`), associations: [], objectWriteTraceId: `same-${RUN}` },
        { properties: { ...message(`${marker} bad`), hs_not_a_property: 'x' }, associations: [], objectWriteTraceId: `same-${RUN}` },
      ],
    }), CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.deepEqual(await bodiesWith(marker), []);
  });

  test('with a unique trace id on every input: 207, good inputs created, errors per input', async () => {
    const marker = `traced${RUN}`;
    const trace = (n) => `${RUN}-trace-${n}`;
    const info = await commsBatch.createWithHttpInfo({
      inputs: [
        { properties: message(`${marker} good 1`), associations: [], objectWriteTraceId: trace(1) },
        { properties: { ...message(`${marker} bad 2`), hs_not_a_property: 'x' }, associations: [], objectWriteTraceId: trace(2) },
        { properties: message(`${marker} good 3`, { channel: 'SMS' }), associations: [], objectWriteTraceId: trace(3) },
        { properties: message(`${marker} bad 4`, { channel: 'CARRIER_PIGEON' }), associations: [], objectWriteTraceId: trace(4) },
      ],
    });
    assertHttp(info, 207);
    const res = info.data;
    assertEnvelope(res, BatchResponseSimplePublicObjectWithErrors, 2);

    const good = byBody(res.results);
    assert.deepEqual([...good.keys()].sort(), [`${marker} good 1`, `${marker} good 3`]);
    assert.equal(good.get(`${marker} good 1`).objectWriteTraceId, trace(1));
    assert.equal(good.get(`${marker} good 3`).objectWriteTraceId, trace(3));
    assert.equal(good.get(`${marker} good 3`).properties.hs_communication_channel_type, 'SMS');

    const errs = new Map(res.errors.map((e) => [e.context.objectWriteTraceId[0], e]));
    assert.deepEqual([...errs.keys()].sort(), [trace(2), trace(4)]);
    for (const e of res.errors) {
      assert.equal(e.status, 'error');
      assert.equal(e.category, 'VALIDATION_ERROR');
      assert.deepEqual(e.context.objectWriteTraceId.length, 1);
      assert.match(e.message, /^Property values were not valid: /);
    }
    assert.equal(errs.get(trace(2)).errors[0].code, 'PROPERTY_DOESNT_EXIST');
    assert.deepEqual(errs.get(trace(2)).errors[0].context.propertyName, ['hs_not_a_property']);
    assert.equal(errs.get(trace(4)).errors[0].code, 'INVALID_OPTION');
    assert.deepEqual(errs.get(trace(4)).errors[0].context.propertyName, ['hs_communication_channel_type']);

    assert.deepEqual(await bodiesWith(marker), [`${marker} good 1`, `${marker} good 3`]);
  });

  test('contacts: a duplicate email conflicts (409) without trace ids and per input with them', async () => {
    const taken = `taken+${RUN}@example.com`;
    const holder = await contacts.create({ properties: { email: taken } });
    const fresh = `fresh+${RUN}@example.com`;

    const err = await expectApiError(() => contactsBatch.create({
      inputs: [
        { properties: { email: fresh }, associations: [] },
        { properties: { email: taken }, associations: [] },
      ],
    }), ContactsApiException, 409, 'CONFLICT');
    assert.equal(err.body.message, `Contact already exists. Existing ID: ${holder.id}`);
    await expectApiError(() => contacts.getById(fresh, undefined, undefined, undefined, false, 'email'),
      ContactsApiException, 404, 'OBJECT_NOT_FOUND');

    const info = await contactsBatch.createWithHttpInfo({
      inputs: [
        { properties: { email: fresh }, associations: [], objectWriteTraceId: `${RUN}-fresh` },
        { properties: { email: taken }, associations: [], objectWriteTraceId: `${RUN}-taken` },
      ],
    });
    assertHttp(info, 207);
    assert.equal(info.data.results.length, 1);
    assert.equal(info.data.results[0].properties.email, fresh);
    assert.equal(info.data.numErrors, 1);
    assert.equal(info.data.errors[0].category, 'CONFLICT');
    assert.equal(info.data.errors[0].message, `Contact already exists. Existing ID: ${holder.id}`);
    assert.deepEqual(info.data.errors[0].context.objectWriteTraceId, [`${RUN}-taken`]);
  });
});

// ------------------------------------------------------------------ search

// Search data: 12 messages a day apart in March 2031, a window no other test
// writes to. Channels cycle WHATS_APP, SMS, LINKEDIN_MESSAGE; every fourth is
// associated with one contact; three carry a rare word.
const DAY_MS = 24 * 3600 * 1000;
const SEED_START = Date.UTC(2031, 2, 1, 9, 0, 0);
const CHANNELS = ['WHATS_APP', 'SMS', 'LINKEDIN_MESSAGE'];
const TAG = `srch${RUN}`;
const RARE = `kiwi${RUN}`;
const RARE_AT = [1, 5, 7];

function seedTimestamp(i) {
  return SEED_START + i * DAY_MS;
}

function seedBody(i) {
  return RARE_AT.includes(i) ? `Seed ${i} ${TAG} mentions ${RARE}` : `Seed ${i} ${TAG} plain`;
}

describe('communications search', () => {
  let contact;
  let seeds; // index -> SimplePublicObject
  const ts = (o) => Date.parse(o.properties.hs_timestamp);

  /** Ids of seeds whose index passes keep, in index (= hs_timestamp) order. */
  function seedIds(keep) {
    return seeds.filter((_, i) => keep(i)).map((o) => o.id);
  }

  function eq(propertyName, value) {
    return { propertyName, operator: FilterOperatorEnum.Eq, value };
  }

  function between(from, to) {
    return { propertyName: 'hs_timestamp', operator: FilterOperatorEnum.Between, value: String(from), highValue: String(to) };
  }

  before(async () => {
    contact = await contacts.create({ properties: { email: `search.owner+${RUN}@example.com`, firstname: 'Searcher' } });
    // Created one by one so that creation order is index order.
    seeds = [];
    for (let i = 0; i < 12; i++) {
      seeds.push(await comms.create({
        properties: message(seedBody(i), { channel: CHANNELS[i % 3], timestamp: seedTimestamp(i) }),
        associations: i % 4 === 0 ? [toContact(contact.id)] : [],
      }));
    }
    assert.deepEqual(seeds.map(ts), seeds.map((_, i) => seedTimestamp(i)));
  });

  test('EQ on the channel AND BETWEEN on hs_timestamp (inclusive), sorted ascending', async () => {
    const info = await commsSearch.doSearchWithHttpInfo({
      filterGroups: [{ filters: [eq('hs_communication_channel_type', 'WHATS_APP'), between(seedTimestamp(2), seedTimestamp(9))] }],
      sorts: [{ propertyName: 'hs_timestamp', direction: 'ASCENDING' }],
      properties: ['hs_communication_body', 'hs_communication_channel_type', 'hs_timestamp'],
      limit: 100,
    });
    assertHttp(info, 200);
    const res = info.data;
    assert.ok(res instanceof CollectionResponseWithTotalSimplePublicObjectForwardPaging);
    const want = seedIds((i) => i % 3 === 0 && i >= 2 && i <= 9); // 3, 6, 9 (9 is the high bound)
    assert.deepEqual(res.results.map((o) => o.id), want);
    assert.equal(res.total, 3);
    assert.equal(res.paging, undefined);
    const o = res.results[0];
    assert.deepEqual(o.properties, {
      hs_communication_body: seedBody(3),
      hs_communication_channel_type: 'WHATS_APP',
      hs_timestamp: new Date(seedTimestamp(3)).toISOString().replace('.000Z', 'Z'),
      hs_createdate: seeds[3].properties.hs_createdate,
      hs_lastmodifieddate: seeds[3].properties.hs_lastmodifieddate,
      hs_object_id: seeds[3].id,
    });
    assert.equal(o.archived, false);
    assert.equal(o.createdAt.getTime(), seeds[3].createdAt.getTime());
    assert.equal(o.associations, undefined, 'search results carry no associations');
  });

  test('BETWEEN accepts ISO instants as well as epoch milliseconds', async () => {
    const res = await commsSearch.doSearch({
      filterGroups: [{
        filters: [{
          propertyName: 'hs_timestamp', operator: 'BETWEEN',
          value: new Date(seedTimestamp(4)).toISOString(), highValue: new Date(seedTimestamp(6) - 1).toISOString(),
        }],
      }],
      limit: 100,
    });
    assert.deepEqual(res.results.map((o) => o.id), seedIds((i) => i === 4 || i === 5));
    assert.equal(res.total, 2);
  });

  test('filter groups are OR-ed; filters in a group AND-ed', async () => {
    const res = await commsSearch.doSearch({
      filterGroups: [
        { filters: [eq('hs_communication_channel_type', 'SMS'), between(seedTimestamp(0), seedTimestamp(11))] },
        { filters: [eq('hs_communication_channel_type', 'LINKEDIN_MESSAGE'), between(seedTimestamp(0), seedTimestamp(5))] },
      ],
      limit: 100,
    });
    const want = seedIds((i) => i % 3 === 1 || (i % 3 === 2 && i <= 5));
    assert.deepEqual(res.results.map((o) => o.id), want, 'default order is creation order');
    assert.equal(res.total, want.length);
  });

  test('sorts: objects, "-prop" and "prop" strings; a stringified object is ignored', async () => {
    const window = [{ filters: [between(seedTimestamp(0), seedTimestamp(11))] }];
    const all = seedIds(() => true);
    const desc = [...all].reverse();

    // The client types sorts as string[]; JS callers pass objects, which go through untouched.
    const objects = await commsSearch.doSearch({
      filterGroups: window, sorts: [{ propertyName: 'hs_timestamp', direction: 'DESCENDING' }], limit: 100,
    });
    assert.deepEqual(objects.results.map((o) => o.id), desc);
    assert.equal(objects.total, 12);

    const minus = await commsSearch.doSearch({ filterGroups: window, sorts: ['-hs_timestamp'], limit: 100 });
    assert.deepEqual(minus.results.map((o) => o.id), desc);

    const plain = await commsSearch.doSearch({ filterGroups: window, sorts: ['hs_timestamp'], limit: 100 });
    assert.deepEqual(plain.results.map((o) => o.id), all);

    // What the typed client pushes users to do (hubspot-api-nodejs#14, #559):
    // HubSpot ignores it, and so does Spoke: creation order.
    const stringified = await commsSearch.doSearch({
      filterGroups: window, sorts: [JSON.stringify({ propertyName: 'hs_timestamp', direction: 'DESCENDING' })], limit: 100,
    });
    assert.deepEqual(stringified.results.map((o) => o.id), all);

    // Sorting on another property: channel descending, ties by creation.
    const byChannel = await commsSearch.doSearch({
      filterGroups: window, sorts: [{ propertyName: 'hs_communication_channel_type', direction: 'DESCENDING' }], limit: 100,
    });
    const rank = { WHATS_APP: 0, SMS: 1, LINKEDIN_MESSAGE: 2 };
    const wantByChannel = seeds.map((o, i) => ({ id: o.id, i, c: CHANNELS[i % 3] }))
      .sort((a, b) => rank[a.c] - rank[b.c] || a.i - b.i).map((x) => x.id);
    assert.deepEqual(byChannel.results.map((o) => o.id), wantByChannel);
  });

  test('associations.contact EQ finds the messages associated with a contact', async () => {
    const res = await commsSearch.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: contact.id }] }],
      sorts: [{ propertyName: 'hs_timestamp', direction: 'DESCENDING' }],
      limit: 100,
    });
    assert.deepEqual(res.results.map((o) => o.id), seedIds((i) => i % 4 === 0).reverse());
    assert.equal(res.total, 3);

    // Combined with a channel filter: 0 and 8 are not SMS; 4 is.
    const sms = await commsSearch.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: contact.id }, eq('hs_communication_channel_type', 'SMS')] }],
    });
    assert.deepEqual(sms.results.map((o) => o.id), [seeds[4].id]);
    assert.equal(sms.total, 1);

    const none = await commsSearch.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: MISSING }] }],
    });
    assert.deepEqual(none.results, []);
    assert.equal(none.total, 0);
    assert.equal(none.paging, undefined);
  });

  test('free-text query matches words of the message, alone and with filters', async () => {
    const rare = await commsSearch.doSearch({ query: RARE, properties: ['hs_communication_body'], limit: 100 });
    assert.deepEqual(rare.results.map((o) => o.id), seedIds((i) => RARE_AT.includes(i)));
    assert.equal(rare.total, 3);
    assert.deepEqual(rare.results.map((o) => o.properties.hs_communication_body), RARE_AT.map(seedBody));

    // Case-insensitive, and a prefix of a word matches.
    const prefix = await commsSearch.doSearch({ query: RARE.toUpperCase().slice(0, -1), limit: 100 });
    assert.equal(prefix.total, 3);

    // Every word must match; filters narrow further.
    const both = await commsSearch.doSearch({
      query: `${TAG} ${RARE}`,
      filterGroups: [{ filters: [eq('hs_communication_channel_type', 'SMS')] }],
      limit: 100,
    });
    assert.deepEqual(both.results.map((o) => o.id), seedIds((i) => RARE_AT.includes(i) && i % 3 === 1));
    assert.equal(both.total, 2);

    const tagged = await commsSearch.doSearch({ query: TAG, limit: 1 });
    assert.equal(tagged.total, 12, 'total counts every match, not the page');
    assert.equal(tagged.results.length, 1);

    const nothing = await commsSearch.doSearch({ query: `nothing${RUN}` });
    assert.equal(nothing.total, 0);
    assert.deepEqual(nothing.results, []);
  });

  test('paging with after walks every result exactly once; paging is absent at the end', async () => {
    for (const sorts of [[{ propertyName: 'hs_timestamp', direction: 'DESCENDING' }], undefined]) {
      const seen = [];
      const afters = [];
      let after;
      for (let page = 0; ; page++) {
        assert.ok(page < 10, 'paging did not end');
        const res = await commsSearch.doSearch({
          query: TAG, sorts, limit: 5, after, properties: ['hs_timestamp'],
        });
        assert.equal(res.total, 12, 'total is the same on every page');
        seen.push(...res.results.map((o) => o.id));
        if (!res.paging) {
          assert.equal(res.results.length, 2, 'the last page holds the rest');
          break;
        }
        assert.equal(res.results.length, 5);
        after = res.paging.next.after;
        afters.push(after);
      }
      assert.deepEqual(afters, ['5', '10'], 'after is an offset');
      assert.equal(new Set(seen).size, 12, 'no record twice');
      const all = seedIds(() => true);
      assert.deepEqual(seen, sorts ? [...all].reverse() : all);
    }

    // Without a limit, pages hold 10.
    const first = await commsSearch.doSearch({ query: TAG });
    assert.equal(first.results.length, 10);
    assert.equal(first.paging.next.after, '10');
    assert.deepEqual(first.results.map((o) => o.id), seedIds((i) => i < 10));
    // Without properties, results hold the defaults.
    assert.deepEqual(Object.keys(first.results[0].properties).sort(), ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);

    // after as users sometimes send it: a number.
    const numeric = await commsSearch.doSearch({ query: TAG, limit: 5, after: 10 });
    assert.deepEqual(numeric.results.map((o) => o.id), seedIds((i) => i >= 10));
    assert.equal(numeric.paging, undefined);
  });

  test('top-level filters never reach the server: the client drops them', async () => {
    // HubSpot accepts {"filters": [...]} without groups, but the client's
    // PublicObjectSearchRequest model has no such field, and its serializer
    // sends only the fields it knows (hubspot-api-nodejs#491): the filter
    // is silently lost and every tagged message comes back.
    const res = await commsSearch.doSearch({
      query: TAG,
      filters: [eq('hs_communication_channel_type', 'SMS')],
      limit: 100,
    });
    assert.equal(res.total, 12);
  });

  test('BETWEEN without highValue is a 400 from the server, not rejected by the client', async () => {
    // The client's Filter model marks only propertyName and operator required
    // and never validates: it drops the undefined highValue and sends the
    // filter as is. The server answers like HubSpot's JSON binding: 400, a
    // message, no category.
    const err = await expectApiError(() => commsSearch.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'hs_timestamp', operator: 'BETWEEN', value: String(seedTimestamp(0)) }] }],
    }), CommunicationsApiException, 400, null);
    assert.equal(err.body.category, undefined);
    assert.match(err.body.message, /operator BETWEEN requires a highValue/);
  });

  test('other bad searches are 400 VALIDATION_ERRORs', async () => {
    const unknown = await expectApiError(() => commsSearch.doSearch({
      filterGroups: [{ filters: [eq(`no_such_property_${RUN}`, 'x')] }],
    }), CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.match(unknown.body.message, new RegExp(`no_such_property_${RUN}`));

    await expectApiError(() => commsSearch.doSearch({ query: TAG, limit: 201 }),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    await expectApiError(() => commsSearch.doSearch({ query: TAG, limit: 100, after: '9950' }),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    const tooMany = Array.from({ length: 6 }, () => ({ filters: [eq('hs_communication_channel_type', 'SMS')] }));
    await expectApiError(() => commsSearch.doSearch({ filterGroups: tooMany }),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
  });

  test('archived records leave search results at once', async () => {
    await commsBatch.archive({ inputs: [{ id: seeds[3].id }, { id: seeds[9].id }] });
    const res = await commsSearch.doSearch({
      filterGroups: [{ filters: [eq('hs_communication_channel_type', 'WHATS_APP'), between(seedTimestamp(0), seedTimestamp(11))] }],
      limit: 100,
    });
    assert.deepEqual(res.results.map((o) => o.id), seedIds((i) => i === 0 || i === 6));
    assert.equal(res.total, 2);
  });
});
