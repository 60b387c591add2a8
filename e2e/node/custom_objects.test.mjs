// End-to-end tests of custom objects through HubSpot's official Node client
// (@hubspot/api-client): the schemas API (crm.schemas) and records of a
// custom type through the generic objects API (crm.objects with the type id
// or the fully qualified name):
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/custom_objects.test.mjs
//
// SPOKE_TOKEN must hold every scope (the Go test e2e/node_test.go sets both).
// The schema's name carries the run's tag, so the file can run repeatedly
// against the same server.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, ISO_Z, expectApiError } from './helpers.mjs';

import { Client } from '@hubspot/api-client';
import { ApiException as SchemasApiException } from '@hubspot/api-client/lib/codegen/crm/schemas/apis/exception.js';
import { ApiException as ObjectsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/apis/exception.js';
import { ApiException as PropertiesApiException } from '@hubspot/api-client/lib/codegen/crm/properties/apis/exception.js';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const schemas = client.crm.schemas.coreApi;
const objects = client.crm.objects;
const comms = client.crm.objects.communications.basicApi;
const properties = client.crm.properties;

const name = `bookings${RUN}`;

/** POST /_spoke/objects/{type}/{id}/restore: not part of HubSpot's API or client. */
async function restore(type, id) {
  const res = await fetch(`${SPOKE_URL}/_spoke/objects/${type}/${id}/restore`, {
    method: 'POST', headers: { Authorization: `Bearer ${SPOKE_TOKEN}` },
  });
  return { status: res.status, body: await res.json() };
}

describe('custom objects: a booking with a pinned WhatsApp message', () => {
  let schema;
  let typeId;
  let toMessage;

  before(async () => {
    schema = await schemas.create({
      name,
      labels: { singular: 'Booking', plural: 'Bookings' },
      primaryDisplayProperty: 'reference',
      secondaryDisplayProperties: ['guest'],
      requiredProperties: ['reference'],
      searchableProperties: ['reference', 'guest'],
      properties: [
        { name: 'reference', label: 'Reference', type: 'string', fieldType: 'text', hasUniqueValue: true },
        { name: 'guest', label: 'Guest', type: 'string', fieldType: 'text' },
        { name: 'nights', label: 'Nights', type: 'number', fieldType: 'number' },
      ],
      associatedObjects: ['CONTACT'],
    });
    typeId = schema.objectTypeId;
    toMessage = schema.associations.find((a) => a.toObjectTypeId === '0-18');
  });

  test('the schema in the shape of HubSpot\'s ObjectSchema', async () => {
    assert.match(typeId, /^2-\d+$/);
    assert.equal(schema.id, typeId.slice(2));
    assert.match(schema.fullyQualifiedName, new RegExp(`^p\\d+_${name}$`));
    assert.equal(schema.name, name);
    assert.deepEqual({ ...schema.labels }, { singular: 'Booking', plural: 'Bookings' });
    assert.deepEqual(schema.requiredProperties, ['reference']);
    assert.ok(schema.createdAt instanceof Date);
    assert.match(schema.createdAt.toISOString(), ISO_Z);
    const reference = schema.properties.find((p) => p.name === 'reference');
    assert.equal(reference.hasUniqueValue, true);
    assert.equal(reference.groupName, `${name.toLowerCase()}_information`);
    assert.ok(toMessage, 'an association definition to communications');
    assert.ok(schema.associations.some((a) => a.toObjectTypeId === '0-1'), 'an association definition to contacts');

    const byName = await schemas.getById(schema.fullyQualifiedName);
    assert.equal(byName.objectTypeId, typeId);
    const all = await schemas.getAll();
    assert.ok(all.results.some((s) => s.objectTypeId === typeId));
  });

  test('the seed\'s flow: a record, a message associated with it, pinned, deleted and restored', async () => {
    const booking = await objects.basicApi.create(typeId, { properties: { reference: `B-${RUN}`, guest: 'Ana Lima', nights: '3' } });
    assert.equal(booking.properties.reference, `B-${RUN}`);

    const message = await comms.create({
      properties: {
        hs_communication_channel_type: 'WHATS_APP', hs_communication_logged_from: 'CRM',
        hs_communication_body: 'Your room is ready', hs_timestamp: new Date().toISOString(),
      },
      associations: [{ to: { id: booking.id }, types: [{ associationCategory: 'USER_DEFINED', associationTypeId: Number(toMessage.id) + 1 }] }],
    });
    await objects.basicApi.update(typeId, booking.id, { properties: { hs_pinned_engagement_id: message.id } });
    const read = await objects.basicApi.getById(typeId, booking.id, ['reference', 'hs_pinned_engagement_id'], undefined, ['communications']);
    assert.equal(read.properties.hs_pinned_engagement_id, message.id);
    assert.deepEqual(read.associations.communications.results.map((r) => r.id), [message.id]);

    await comms.archive(message.id);
    const unpinned = await objects.basicApi.getById(typeId, booking.id, ['hs_pinned_engagement_id']);
    assert.equal(unpinned.properties.hs_pinned_engagement_id, null);
    const restored = await restore('communications', message.id);
    assert.equal(restored.status, 200);
    const again = await objects.basicApi.getById(schema.fullyQualifiedName, booking.id, undefined, undefined, ['communications']);
    assert.deepEqual(again.associations.communications.results.map((r) => r.id), [message.id]);
  });

  test('batch upsert on the unique reference, search over the searchable properties', async () => {
    const up = await objects.batchApi.upsert(typeId, {
      inputs: [{ id: `U-${RUN}`, idProperty: 'reference', properties: { guest: `Rui${RUN}` } }],
    });
    assert.equal(up.results.length, 1);
    const found = await objects.searchApi.doSearch(typeId, { query: `Rui${RUN}`, limit: 10 });
    assert.equal(found.total, 1);
    assert.equal(found.results[0].id, up.results[0].id);
    await expectApiError(() => objects.basicApi.create(typeId, { properties: { guest: 'no reference' } }),
      ObjectsApiException, 400, 'VALIDATION_ERROR');
  });

  test('update, an association definition, and the archive rules', async () => {
    const patched = await schemas.update(typeId, { labels: { singular: 'Stay', plural: 'Stays' } });
    assert.equal(patched.labels.plural, 'Stays');
    const def = await schemas.createAssociation(typeId, { fromObjectTypeId: typeId, toObjectTypeId: 'COMPANY' });
    assert.equal(def.toObjectTypeId, '0-2');
    await schemas.archiveAssociation(typeId, def.id);

    // Records remain: refused.
    await expectApiError(() => schemas.archive(typeId), SchemasApiException, 400, 'VALIDATION_ERROR');
    await expectApiError(() => schemas.getById("2-999999999"), SchemasApiException, 404, 'OBJECT_NOT_FOUND');
  });

  test('archiving: records, then association definitions, then properties must go first', async () => {
    const refused = async (says) => {
      const err = await expectApiError(() => schemas.archive(typeId), SchemasApiException, 400, 'VALIDATION_ERROR');
      assert.match(err.body.message, says);
    };
    await refused(/still has \d+ records?;/);
    const page = await objects.basicApi.getPage(typeId, 100);
    for (const r of page.results) {
      await objects.basicApi.archive(typeId, r.id);
    }

    const toContact = schema.associations.find((a) => a.toObjectTypeId === '0-1');
    await refused(new RegExp(`association definitions \\(${toContact.id} ${name.toLowerCase()}_to_contact to 0-1\\)`));
    await schemas.archiveAssociation(typeId, toContact.id);

    await refused(/still has custom properties \(guest, nights\)/);
    const pinned = await expectApiError(() => properties.coreApi.archive(typeId, 'reference'),
      PropertiesApiException, 400, 'VALIDATION_ERROR');
    assert.match(pinned.body.message, /primaryDisplayProperty and requiredProperties and searchableProperties/);
    await expectApiError(() => properties.coreApi.archive(typeId, 'guest'), PropertiesApiException, 400, 'VALIDATION_ERROR');
    await schemas.update(typeId, { requiredProperties: [], searchableProperties: [], secondaryDisplayProperties: [] });
    await properties.coreApi.archive(typeId, 'guest');
    await properties.batchApi.archive(typeId, { inputs: [{ name: 'nights' }] });

    await schemas.archive(typeId);
    await expectApiError(() => schemas.getById(typeId), SchemasApiException, 404, 'OBJECT_NOT_FOUND');
    const archived = await schemas.getAll(true);
    assert.ok(archived.results.some((s) => s.objectTypeId === typeId && s.archived === true));
    await schemas.archive(typeId, true);
    assert.ok(!(await schemas.getAll(true)).results.some((s) => s.objectTypeId === typeId));

    const again = await schemas.create({
      name, labels: { singular: 'Booking', plural: 'Bookings' }, properties: [], requiredProperties: [], associatedObjects: [],
    });
    assert.notEqual(again.objectTypeId, typeId);
  });
});
