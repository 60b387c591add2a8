// End-to-end tests of merging records, GDPR deletes and association limits,
// driven through HubSpot's official Node client (@hubspot/api-client):
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/merge.test.mjs
//
// The client (14.x) has merge and purge (the GDPR delete) on each record
// type's basicApi (client.crm.contacts.basicApi.merge / .purge); it has no
// mergeApi or gdprApi. Its association limits API
// (DefinitionConfigurationsApi, /crm/v4/associations/definitions/configurations)
// is generated but not on the Client, so it is built here the way the
// client builds its own APIs.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, expectApiError } from './helpers.mjs';

import { Client } from '@hubspot/api-client';
import { ApiClientConfigurator } from '@hubspot/api-client/lib/src/configuration/ApiClientConfigurator.js';
import {
  createConfiguration, ServerConfiguration, DefinitionConfigurationsApi,
} from '@hubspot/api-client/lib/codegen/crm/associations/v4/schema/index.js';
import { Observable } from '@hubspot/api-client/lib/codegen/crm/associations/v4/schema/rxjsStub.js';
import { ApiException as CommunicationsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/communications/apis/exception.js';
import { ApiException as ContactsApiException } from '@hubspot/api-client/lib/codegen/crm/contacts/apis/exception.js';
import { ApiException as AssociationsV4ApiException } from '@hubspot/api-client/lib/codegen/crm/associations/v4/apis/exception.js';
import { ApiException as SchemaApiException } from '@hubspot/api-client/lib/codegen/crm/associations/v4/schema/apis/exception.js';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const contacts = client.crm.contacts.basicApi;
const comms = client.crm.objects.communications.basicApi;
const v4 = client.crm.associations.v4.basicApi;
const limits = new DefinitionConfigurationsApi(createConfiguration(
  ApiClientConfigurator.getParams({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL }, ServerConfiguration, Observable, Observable)));

function newContact(name, extra = {}) {
  return contacts.create({ properties: { email: `${name}+${RUN}@example.com`, firstname: name, ...extra } });
}

function newMessage(contactId) {
  return comms.create({
    properties: {
      hs_timestamp: Date.now(),
      hs_communication_channel_type: 'SMS',
      hs_communication_logged_from: 'CRM',
      hs_communication_body: `message ${RUN}`,
    },
    associations: [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 81 }] }],
  });
}

async function associatedIds(fromType, fromId, toType) {
  const page = await v4.getPage(fromType, fromId, toType);
  return page.results.map((r) => String(r.toObjectId)).sort();
}

describe('merge', () => {
  test('two contacts become a new contact that both old ids read', async () => {
    const primary = await newContact('primary', { lifecyclestage: 'lead' });
    const other = await newContact('other', { lastname: 'Other', lifecyclestage: 'customer' });
    const message = await newMessage(other.id);

    const merged = await contacts.merge({ primaryObjectId: primary.id, objectIdToMerge: other.id });
    assert.notEqual(merged.id, primary.id);
    assert.notEqual(merged.id, other.id);
    assert.equal(merged.archived, false);
    assert.ok(merged.createdAt instanceof Date);
    assert.equal(merged.properties.email, primary.properties.email);
    assert.equal(merged.properties.hs_additional_emails, other.properties.email);
    assert.equal(merged.properties.firstname, 'primary');
    assert.equal(merged.properties.lastname, 'Other');
    assert.equal(merged.properties.lifecyclestage, 'customer');
    const ids = [primary.id, other.id].sort((a, b) => Number(BigInt(a) - BigInt(b)));
    assert.equal(merged.properties.hs_merged_object_ids, ids.join(';'));

    for (const id of [primary.id, other.id, merged.id]) {
      const read = await contacts.getById(id, ['email']);
      assert.equal(read.id, merged.id, `GET ${id}`);
    }
    assert.deepEqual(await associatedIds('contacts', merged.id, 'communications'), [message.id]);
    assert.deepEqual(await associatedIds('communications', message.id, 'contacts'), [merged.id]);
  });

  test('companies and deals merge through their own clients', async () => {
    for (const [api, props] of [
      [client.crm.companies.basicApi, (n) => ({ name: `${n} ${RUN}` })],
      [client.crm.deals.basicApi, (n) => ({ dealname: `${n} ${RUN}`, pipeline: 'default', dealstage: 'appointmentscheduled' })],
    ]) {
      const a = await api.create({ properties: props('a') });
      const b = await api.create({ properties: props('b') });
      const merged = await api.merge({ primaryObjectId: a.id, objectIdToMerge: b.id });
      assert.equal((await api.getById(b.id)).id, merged.id);
    }
  });

  test('a record with itself, or one that does not exist, is refused', async () => {
    const a = await newContact('alone');
    const self = await expectApiError(() => contacts.merge({ primaryObjectId: a.id, objectIdToMerge: a.id }),
      ContactsApiException, 400, 'VALIDATION_ERROR');
    assert.match(self.body.message, /into itself/);
    await expectApiError(() => contacts.merge({ primaryObjectId: a.id, objectIdToMerge: '987654321012' }),
      ContactsApiException, 404, 'OBJECT_NOT_FOUND');
    assert.equal((await contacts.getById(a.id)).id, a.id);
  });
});

describe('GDPR delete', () => {
  test('by id: the contact and its own messages are gone for good', async () => {
    const c = await newContact('erased');
    const message = await newMessage(c.id);
    await contacts.purge({ objectId: c.id });
    await expectApiError(() => contacts.getById(c.id), ContactsApiException, 404, 'OBJECT_NOT_FOUND');
    await expectApiError(() => contacts.getById(c.id, undefined, undefined, undefined, true),
      ContactsApiException, 404, 'OBJECT_NOT_FOUND');
    await expectApiError(() => comms.getById(message.id, undefined, undefined, undefined, true),
      CommunicationsApiException, 404, 'OBJECT_NOT_FOUND');
  });

  test('by email, including an address no contact holds', async () => {
    const c = await newContact('byemail');
    await contacts.purge({ objectId: c.properties.email.toUpperCase(), idProperty: 'email' });
    await expectApiError(() => contacts.getById(c.id), ContactsApiException, 404, 'OBJECT_NOT_FOUND');
    await contacts.purge({ objectId: `nobody+${RUN}@example.com`, idProperty: 'email' });
  });

  test('an unknown id is a 404', async () => {
    await expectApiError(() => contacts.purge({ objectId: '987654321012' }), ContactsApiException, 404, 'OBJECT_NOT_FOUND');
  });
});

describe('association limits', () => {
  test('set, read, enforced, changed and removed', async () => {
    const created = await limits.batchCreate('deals', 'contacts', {
      inputs: [{ category: 'HUBSPOT_DEFINED', typeId: 3, maxToObjectIds: 1 }],
    });
    assert.equal(created.status, 'COMPLETE');
    assert.deepEqual(created.results.map((r) => [r.category, r.typeId, r.userEnforcedMaxToObjectIds]), [['HUBSPOT_DEFINED', 3, 1]]);
    const pair = await limits.getAllBetweenTwoObjectTypes('deals', 'contacts');
    assert.deepEqual(pair.results.map((r) => [r.typeId, r.userEnforcedMaxToObjectIds]), [[3, 1]]);
    const all = await limits.getAll();
    assert.ok(all.results.some((r) => r.typeId === 3 && r.userEnforcedMaxToObjectIds === 1));

    const deal = await client.crm.deals.basicApi.create({ properties: { dealname: `limited ${RUN}`, pipeline: 'default', dealstage: 'appointmentscheduled' } });
    const first = await newContact('limit1');
    const second = await newContact('limit2');
    await v4.createDefault('deals', deal.id, 'contacts', first.id);
    const refused = await expectApiError(() => v4.createDefault('deals', deal.id, 'contacts', second.id),
      AssociationsV4ApiException, 400, 'VALIDATION_ERROR');
    assert.match(refused.body.message, /Association limit exceeded/);

    const updated = await limits.batchUpdate('deals', 'contacts', {
      inputs: [{ category: 'HUBSPOT_DEFINED', typeId: 3, maxToObjectIds: 2 }],
    });
    assert.equal(updated.results[0].userEnforcedMaxToObjectIds, 2);
    await v4.createDefault('deals', deal.id, 'contacts', second.id);
    assert.equal((await associatedIds('deals', deal.id, 'contacts')).length, 2);

    await limits.batchRemove('deals', 'contacts', { inputs: [{ category: 'HUBSPOT_DEFINED', typeId: 3 }] });
    const after = await limits.getAllBetweenTwoObjectTypes('deals', 'contacts');
    assert.equal(after.results[0].userEnforcedMaxToObjectIds, undefined);
  });

  test('a type of another pair is refused in the batch errors', async () => {
    const got = await limits.batchCreate('deals', 'contacts', {
      inputs: [{ category: 'HUBSPOT_DEFINED', typeId: 279, maxToObjectIds: 1 }],
    });
    assert.equal(got.numErrors, 1);
    assert.equal(got.errors[0].category, 'VALIDATION_ERROR');
    await expectApiError(() => limits.batchCreate('deals', 'contacts', { inputs: [] }), SchemaApiException, 400, 'VALIDATION_ERROR');
  });
});
