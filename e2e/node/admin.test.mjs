// End-to-end tests of the owners API, owner assignment, the properties API and
// token scopes, driven through HubSpot's official Node client
// (@hubspot/api-client) as users drive HubSpot.
//
// Besides SPOKE_URL and SPOKE_TOKEN (a token with every scope) they need:
//   SPOKE_READONLY_TOKEN  a token holding only crm.objects.contacts.read
//                         (spoke tokens create --scopes crm.objects.contacts.read)
//   SPOKE_OWNERS          a JSON array of live owners, at least two:
//                         [{"id":"80000001","userId":9000001,"email":"…","firstName":"…","lastName":"…"}, …]
//                         (spoke owners create …; the API cannot create owners)
//   SPOKE_ARCHIVED_OWNER  optional: one deactivated owner in the same shape
//                         (spoke owners archive …); its tests are skipped without it
// The Go test e2e/node_test.go sets all of them. The tests create properties
// and records with names unique to the run, so they can run repeatedly against
// the same server.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, ISO_Z, SLACK_MS, expectApiError, assertWithin } from './helpers.mjs';

import { Client } from '@hubspot/api-client';
import { ApiException as CommunicationsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/communications/apis/exception.js';
import { ApiException as OwnersApiException } from '@hubspot/api-client/lib/codegen/crm/owners/apis/exception.js';
import { ApiException as PropertiesApiException } from '@hubspot/api-client/lib/codegen/crm/properties/apis/exception.js';

const { SPOKE_URL, SPOKE_TOKEN, SPOKE_READONLY_TOKEN, SPOKE_OWNERS, SPOKE_ARCHIVED_OWNER } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN || !SPOKE_READONLY_TOKEN || !SPOKE_OWNERS) {
  throw new Error('SPOKE_URL, SPOKE_TOKEN, SPOKE_READONLY_TOKEN and SPOKE_OWNERS must be set (the Go test e2e/node_test.go sets them)');
}
const OWNERS = JSON.parse(SPOKE_OWNERS);
assert.ok(Array.isArray(OWNERS) && OWNERS.length >= 2, 'SPOKE_OWNERS names at least two owners');
const ARCHIVED_OWNER = SPOKE_ARCHIVED_OWNER ? JSON.parse(SPOKE_ARCHIVED_OWNER) : undefined;

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const readOnly = new Client({ accessToken: SPOKE_READONLY_TOKEN, basePath: SPOKE_URL });

const comms = client.crm.objects.communications.basicApi;
const owners = client.crm.owners.ownersApi;
const properties = client.crm.properties.coreApi;
const propertyBatch = client.crm.properties.batchApi;
const propertyGroups = client.crm.properties.groupsApi;

// ---------------------------------------------------------------- helpers

function message(extra = {}) {
  return {
    properties: {
      hs_timestamp: Date.now(),
      hs_communication_channel_type: 'WHATS_APP',
      hs_communication_logged_from: 'CRM',
      hs_communication_body: `admin test ${RUN}`,
      ...extra,
    },
  };
}

/** Asserts that a PublicOwner from the client is the expected owner, alive. */
function assertOwner(got, want) {
  assert.equal(got.id, want.id);
  assert.equal(got.email, want.email);
  assert.equal(got.firstName, want.firstName);
  assert.equal(got.lastName, want.lastName);
  assert.equal(got.type, 'PERSON');
  assert.equal(got.userId, want.userId);
  assert.equal(got.userIdIncludingInactive, want.userId);
  assert.equal(got.archived, false);
  assert.ok(got.createdAt instanceof Date && !Number.isNaN(got.createdAt.getTime()), `createdAt ${got.createdAt}`);
  assert.ok(got.updatedAt instanceof Date && got.updatedAt.getTime() >= got.createdAt.getTime(), `updatedAt ${got.updatedAt}`);
  assert.equal(got.teams, undefined);
}

// ------------------------------------------------------------------ owners

describe('owners', () => {
  test('getPage pages through every owner, ours included', async () => {
    const all = [];
    let after;
    for (let i = 0; ; i++) {
      assert.ok(i < 10000, 'paging did not end');
      // getPage(email, after, limit, archived) calls GET /crm/v3/owners/.
      const page = await owners.getPage(undefined, after, 1);
      assert.ok(page.results.length <= 1);
      all.push(...page.results);
      if (!page.paging) {
        break;
      }
      assert.equal(page.results.length, 1, 'only the last page may be short');
      assert.match(page.paging.next.after, /^\d+$/);
      assert.ok(page.paging.next.link.includes(`after=${page.paging.next.after}`), page.paging.next.link);
      after = page.paging.next.after;
    }
    const ids = all.map((o) => o.id);
    assert.equal(new Set(ids).size, ids.length, 'no owner twice');
    for (let i = 1; i < ids.length; i++) {
      assert.ok(BigInt(ids[i - 1]) < BigInt(ids[i]), `ids ascending: ${ids[i - 1]} then ${ids[i]}`);
    }
    for (const want of OWNERS) {
      const got = all.find((o) => o.id === want.id);
      assert.ok(got, `owner ${want.id} listed`);
      assertOwner(got, want);
    }

    // Without a limit the page holds up to 100 owners.
    const first = await owners.getPage();
    assert.deepEqual(first.results.map((o) => o.id), ids.slice(0, 100));
  });

  test('getPage with email finds one owner, case-insensitively', async () => {
    const want = OWNERS[1];
    const page = await owners.getPage(want.email.toUpperCase());
    assert.equal(page.results.length, 1);
    assertOwner(page.results[0], want);
    assert.equal(page.paging, undefined);

    const none = await owners.getPage(`nobody+${RUN}@example.com`);
    assert.deepEqual(none.results, []);
  });

  test('live owners are not in the archived list', async () => {
    const page = await owners.getPage(undefined, undefined, 500, true);
    assert.ok(page.results.every((o) => o.archived === true && o.userId === null), JSON.stringify(page.results));
    for (const want of OWNERS) {
      assert.ok(!page.results.some((o) => o.id === want.id), `owner ${want.id} not archived`);
    }
  });

  test('getById by id and by userId', async () => {
    for (const want of OWNERS) {
      assertOwner(await owners.getById(Number(want.id)), want);
      assertOwner(await owners.getById(want.id, 'id'), want);
      assertOwner(await owners.getById(want.userId, 'userId'), want);
      assertOwner(await owners.getById(want.id, undefined, false), want);
    }
  });

  test('a deactivated owner is listed and read only with archived=true, userId null',
    { skip: !ARCHIVED_OWNER && 'SPOKE_ARCHIVED_OWNER is not set' }, async () => {
      const want = ARCHIVED_OWNER;
      const check = (got) => {
        assert.equal(got.id, want.id);
        assert.equal(got.email, want.email);
        assert.equal(got.firstName, want.firstName);
        assert.equal(got.lastName, want.lastName);
        assert.equal(got.archived, true);
        assert.equal(got.userId, null, 'HubSpot answers "userId": null for deactivated owners');
        assert.equal(got.userIdIncludingInactive, want.userId);
      };
      const archived = await owners.getPage(undefined, undefined, 500, true);
      const found = archived.results.find((o) => o.id === want.id);
      assert.ok(found, `owner ${want.id} in the archived list`);
      check(found);
      const live = await owners.getPage(undefined, undefined, 500);
      assert.ok(!live.results.some((o) => o.id === want.id), 'not in the live list');
      assert.deepEqual((await owners.getPage(want.email)).results, []);

      check(await owners.getById(want.id, 'id', true));
      await expectApiError(() => owners.getById(want.id), OwnersApiException, 404, 'OBJECT_NOT_FOUND');

      // A deactivated owner can no longer be assigned.
      const err = await expectApiError(() => comms.create(message({ hubspot_owner_id: want.id })),
        CommunicationsApiException, 400, 'VALIDATION_ERROR');
      assert.ok(err.body.errors.some((e) => e.code === 'INVALID_OWNER_ID'), JSON.stringify(err.body.errors));
    });

  test('a missing owner is a 404 with a JSON body', async () => {
    const err = await expectApiError(() => owners.getById(987654321), OwnersApiException, 404, 'OBJECT_NOT_FOUND');
    assert.equal(err.body.message, 'Owner 987654321 not found');
    assert.deepEqual(err.body.context, { id: ['987654321'] });
    // An owner id is not a user id, and a live owner is not archived.
    await expectApiError(() => owners.getById(OWNERS[0].id, 'userId'), OwnersApiException, 404, 'OBJECT_NOT_FOUND');
    await expectApiError(() => owners.getById(OWNERS[0].id, 'id', true), OwnersApiException, 404, 'OBJECT_NOT_FOUND');
  });
});

// -------------------------------------------------------- owner assignment

describe('assigning an owner', () => {
  test('hubspot_owner_id fills the derived owner properties', async () => {
    const [ada, grace] = OWNERS;
    const from = Date.now();
    const created = await comms.create(message({ hubspot_owner_id: ada.id }));
    const to = Date.now();
    assertWithin(created.createdAt, from, to, 'createdAt');
    const p = created.properties;
    assert.equal(p.hubspot_owner_id, ada.id);
    assert.equal(p.hs_all_owner_ids, ada.id);
    assert.equal(p.hs_user_ids_of_all_owners, String(ada.userId));
    assert.match(p.hubspot_owner_assigneddate, ISO_Z);
    assert.equal(Date.parse(p.hubspot_owner_assigneddate), created.createdAt.getTime());

    // Writing the same owner again keeps the assignment date.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const same = await comms.update(created.id, { properties: { hubspot_owner_id: ada.id, hs_communication_body: 'same owner' } });
    assert.ok(same.updatedAt.getTime() > created.createdAt.getTime());
    assert.equal(same.properties.hubspot_owner_assigneddate, p.hubspot_owner_assigneddate);

    // Reassign, with the id as a JSON number as the client lets users send it.
    const updated = await comms.update(created.id, { properties: { hubspot_owner_id: Number(grace.id) } });
    assert.equal(updated.properties.hubspot_owner_id, grace.id);
    assert.equal(updated.properties.hs_all_owner_ids, grace.id);
    assert.equal(updated.properties.hs_user_ids_of_all_owners, String(grace.userId));
    assert.equal(Date.parse(updated.properties.hubspot_owner_assigneddate), updated.updatedAt.getTime());

    const wanted = ['hubspot_owner_id', 'hs_all_owner_ids', 'hs_user_ids_of_all_owners', 'hubspot_owner_assigneddate'];
    const got = await comms.getById(created.id, wanted, ['hubspot_owner_id']);
    assert.equal(got.properties.hubspot_owner_id, grace.id);
    assert.equal(got.properties.hs_all_owner_ids, grace.id);
    assert.equal(got.properties.hs_user_ids_of_all_owners, String(grace.userId));
    assert.equal(got.properties.hubspot_owner_assigneddate, updated.properties.hubspot_owner_assigneddate);
    assert.deepEqual(got.propertiesWithHistory.hubspot_owner_id.map((h) => h.value), [grace.id, ada.id]);

    // Clearing the owner clears what derives from it.
    await comms.update(created.id, { properties: { hubspot_owner_id: '' } });
    const cleared = await comms.getById(created.id, wanted);
    for (const k of wanted) {
      assert.equal(cleared.properties[k], null, `${k} cleared`);
    }
  });

  test('an unknown owner id is a 400 INVALID_OWNER_ID and writes nothing', async () => {
    for (const bad of ['987654321', String(OWNERS[0].userId), 'not-an-owner']) {
      const err = await expectApiError(() => comms.create(message({ hubspot_owner_id: bad })),
        CommunicationsApiException, 400, 'VALIDATION_ERROR');
      assert.ok(Array.isArray(err.body.errors), JSON.stringify(err.body));
      const detail = err.body.errors.find((e) => e.code === 'INVALID_OWNER_ID');
      assert.ok(detail, `INVALID_OWNER_ID among ${JSON.stringify(err.body.errors)}`);
      assert.deepEqual(detail.context, { propertyName: ['hubspot_owner_id'] });
      assert.ok(err.body.message.includes('hubspot_owner_id'), err.body.message);
    }

    const kept = await comms.create(message({ hubspot_owner_id: OWNERS[0].id }));
    await expectApiError(() => comms.update(kept.id, { properties: { hubspot_owner_id: '987654321', hs_communication_body: 'changed' } }),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    const got = await comms.getById(kept.id, ['hubspot_owner_id', 'hs_communication_body']);
    assert.equal(got.properties.hubspot_owner_id, OWNERS[0].id);
    assert.equal(got.properties.hs_communication_body, `admin test ${RUN}`);
  });
});

// -------------------------------------------------------------- properties

describe('properties: a custom unique property on communications', () => {
  const name = `wa_conversation_${RUN}`;
  const definition = {
    name,
    label: 'WhatsApp conversation',
    description: 'The WhatsApp conversation a message belongs to',
    type: 'string',
    fieldType: 'text',
    groupName: 'communicationinformation',
    hasUniqueValue: true,
  };
  let created;
  let createdFrom;
  let message1;

  test('create returns the new definition', async () => {
    createdFrom = Date.now();
    created = await properties.create('communications', definition);
    const to = Date.now();
    assert.equal(created.name, name);
    assert.equal(created.label, definition.label);
    assert.equal(created.description, definition.description);
    assert.equal(created.type, 'string');
    assert.equal(created.fieldType, 'text');
    assert.equal(created.groupName, 'communicationinformation');
    assert.equal(created.hasUniqueValue, true);
    assert.deepEqual(created.options, []);
    assert.equal(created.hubspotDefined, false);
    assert.equal(created.calculated, false);
    assert.equal(created.archived, false);
    assert.equal(created.archivedAt, undefined);
    assert.equal(created.modificationMetadata.archivable, true);
    assert.equal(created.modificationMetadata.readOnlyValue, false);
    assertWithin(created.createdAt, createdFrom, to, 'createdAt');
    assert.equal(created.updatedAt.getTime(), created.createdAt.getTime());
  });

  test('a duplicate name is a 409 CONFLICT', async () => {
    const err = await expectApiError(() => properties.create('communications', definition),
      PropertiesApiException, 409, 'CONFLICT');
    assert.equal(err.body.message, `Property named '${name}' already exists.`);
    // HubSpot's own properties cannot be created again either.
    const own = await expectApiError(() => properties.create('communications', { ...definition, name: 'hubspot_owner_id', hasUniqueValue: false }),
      PropertiesApiException, 409, 'CONFLICT');
    assert.equal(own.body.message, "Property named 'hubspot_owner_id' already exists.");
  });

  test('getByName and getAll return it', async () => {
    const got = await properties.getByName('communications', name);
    assert.deepEqual(got, created);

    const all = await properties.getAll('communications');
    const names = all.results.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    assert.deepEqual(all.results.find((p) => p.name === name), created);
    const body = all.results.find((p) => p.name === 'hs_communication_body');
    assert.ok(body, 'HubSpot-defined properties are listed too');
    assert.equal(body.hubspotDefined, true);

    const only = await properties.getAll('communications', false, name);
    assert.deepEqual(only.results.map((p) => p.name), [name]);
  });

  test('records take it at once, read it back and are found by it', async () => {
    const conversation = `wa-${RUN}-1`;
    message1 = await comms.create(message({ [name]: conversation }));
    assert.equal(message1.properties[name], conversation);

    const got = await comms.getById(message1.id, [name, 'hs_communication_channel_type']);
    assert.equal(got.properties[name], conversation);
    assert.equal(got.properties.hs_communication_channel_type, 'WHATS_APP');

    // getById(id, properties, propertiesWithHistory, associations, archived, idProperty)
    const byConversation = await comms.getById(conversation, [name], undefined, undefined, false, name);
    assert.equal(byConversation.id, message1.id);
    assert.equal(byConversation.properties[name], conversation);

    const updated = await comms.update(conversation, { properties: { hs_communication_body: 'found by conversation' } }, name);
    assert.equal(updated.id, message1.id);
    assert.equal(updated.properties.hs_communication_body, 'found by conversation');

    const missing = await expectApiError(() => comms.getById(`wa-${RUN}-none`, undefined, undefined, undefined, false, name),
      CommunicationsApiException, 404, 'OBJECT_NOT_FOUND');
    assert.deepEqual(missing.body.context, { id: [`wa-${RUN}-none`] });
  });

  test('its values are unique', async () => {
    const err = await expectApiError(() => comms.create(message({ [name]: `wa-${RUN}-1` })),
      CommunicationsApiException, 409, 'CONFLICT');
    assert.equal(err.body.message, `Communication already exists. Existing ID: ${message1.id}`);
    const other = await comms.create(message({ [name]: `wa-${RUN}-2` }));
    assert.notEqual(other.id, message1.id);
  });

  test('update changes the label, not uniqueness', async () => {
    const from = Date.now();
    const updated = await properties.update('communications', name, { label: 'WhatsApp thread', description: 'Thread id' });
    const to = Date.now();
    assert.equal(updated.name, name);
    assert.equal(updated.label, 'WhatsApp thread');
    assert.equal(updated.description, 'Thread id');
    assert.equal(updated.hasUniqueValue, true);
    assert.equal(updated.type, 'string');
    assert.equal(updated.createdAt.getTime(), created.createdAt.getTime());
    assertWithin(updated.updatedAt, from, to, 'updatedAt');
    assert.equal((await properties.getByName('communications', name)).label, 'WhatsApp thread');
  });

  test('archive removes it from reads and writes', async () => {
    const from = Date.now();
    assert.equal(await properties.archive('communications', name), undefined);
    const to = Date.now();

    await expectApiError(() => properties.getByName('communications', name), PropertiesApiException, 404, 'OBJECT_NOT_FOUND');
    const archived = await properties.getByName('communications', name, true);
    assert.equal(archived.archived, true);
    assertWithin(archived.archivedAt, from, to, 'archivedAt');
    assert.equal(archived.label, 'WhatsApp thread');

    const live = await properties.getAll('communications');
    assert.ok(!live.results.some((p) => p.name === name), 'archived property not in the live list');
    const gone = await properties.getAll('communications', true);
    assert.ok(gone.results.some((p) => p.name === name && p.archived === true), 'archived property in the archived list');

    const err = await expectApiError(() => comms.update(message1.id, { properties: { [name]: `wa-${RUN}-3` } }),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.equal(err.body.errors[0].code, 'PROPERTY_DOESNT_EXIST');
    assert.deepEqual(err.body.errors[0].context, { propertyName: [name] });
    await expectApiError(() => comms.create(message({ [name]: `wa-${RUN}-4` })), CommunicationsApiException, 400, 'VALIDATION_ERROR');

    // Values written before are no longer returned, nor found by it.
    const got = await comms.getById(message1.id, [name, 'hs_communication_body']);
    assert.equal(got.properties.hs_communication_body, 'found by conversation');
    assert.ok(!(name in got.properties), `archived property's value returned: ${JSON.stringify(got.properties)}`);
    await expectApiError(() => comms.getById(`wa-${RUN}-1`, undefined, undefined, undefined, false, name),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');

    await expectApiError(() => properties.update('communications', name, { label: 'x' }), PropertiesApiException, 404, 'OBJECT_NOT_FOUND');
    // The name stays taken.
    await expectApiError(() => properties.create('communications', definition), PropertiesApiException, 409, 'CONFLICT');
  });

  test('HubSpot-defined properties cannot be archived', async () => {
    await expectApiError(() => properties.archive('communications', 'hs_communication_body'), PropertiesApiException, 400, 'VALIDATION_ERROR');
    assert.equal((await properties.getByName('communications', 'hs_communication_body')).archived, false);
  });
});

describe('properties: groups and batches', () => {
  const group = `wa_group_${RUN}`;
  const names = [`wa_thread_${RUN}`, `wa_count_${RUN}`, `wa_mood_${RUN}`];

  before(async () => {
    const g = await propertyGroups.create('communications', { name: group, label: 'WhatsApp', displayOrder: 7 });
    assert.deepEqual({ ...g }, { name: group, label: 'WhatsApp', displayOrder: 7, archived: false });
  });

  test('groups are listed and read by name', async () => {
    const all = await propertyGroups.getAll('communications');
    assert.ok(all.results.some((g) => g.name === group), 'new group listed');
    assert.ok(all.results.some((g) => g.name === 'communicationinformation'), 'default group listed');
    assert.equal((await propertyGroups.getByName('communications', group)).label, 'WhatsApp');
    await expectApiError(() => propertyGroups.create('communications', { name: group, label: 'Again' }),
      PropertiesApiException, 409, 'CONFLICT');
    const updated = await propertyGroups.update('communications', group, { label: 'WhatsApp chats', displayOrder: 8 });
    assert.deepEqual({ ...updated }, { name: group, label: 'WhatsApp chats', displayOrder: 8, archived: false });
    assert.equal((await propertyGroups.getByName('communications', group)).label, 'WhatsApp chats');
  });

  test('batch create makes every property in one call', async () => {
    const res = await propertyBatch.create('communications', {
      inputs: [
        { name: names[0], label: 'WA thread', type: 'string', fieldType: 'text', groupName: group },
        { name: names[1], label: 'WA count', type: 'number', fieldType: 'number', groupName: group },
        {
          name: names[2], label: 'WA mood', type: 'enumeration', fieldType: 'select', groupName: group,
          options: [{ label: 'Happy', value: 'happy', displayOrder: 0, hidden: false }, { label: 'Sad', value: 'sad', displayOrder: 1, hidden: false }],
        },
      ],
    });
    assert.equal(res.status, 'COMPLETE');
    assert.equal(res.errors, undefined);
    assert.ok(res.startedAt instanceof Date && res.completedAt instanceof Date);
    assert.deepEqual(res.results.map((p) => p.name).sort(), [...names].sort());
    const mood = res.results.find((p) => p.name === names[2]);
    assert.equal(mood.type, 'enumeration');
    assert.deepEqual(mood.options.map((o) => [o.value, o.label]), [['happy', 'Happy'], ['sad', 'Sad']]);
    assert.ok(res.results.every((p) => p.groupName === group));

    const obj = await comms.create(message({ [names[0]]: 't-1', [names[1]]: 3, [names[2]]: 'happy' }));
    assert.equal(obj.properties[names[0]], 't-1');
    assert.equal(obj.properties[names[1]], '3');
    assert.equal(obj.properties[names[2]], 'happy');
    const err = await expectApiError(() => comms.update(obj.id, { properties: { [names[2]]: 'angry' } }),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.equal(err.body.errors[0].code, 'INVALID_OPTION');
  });

  test('batch create reports failing inputs with 207', async () => {
    const res = await propertyBatch.create('communications', {
      inputs: [
        { name: names[0], label: 'Again', type: 'string', fieldType: 'text', groupName: group },
        { name: `wa_extra_${RUN}`, label: 'Extra', type: 'string', fieldType: 'text', groupName: group },
      ],
    });
    assert.equal(res.numErrors, 1);
    assert.deepEqual(res.results.map((p) => p.name), [`wa_extra_${RUN}`]);
    assert.equal(res.errors[0].category, 'CONFLICT');
    assert.deepEqual(res.errors[0].context, { name: [names[0]] });
  });

  test('batch read returns the named properties', async () => {
    const res = await propertyBatch.read('communications', { inputs: names.map((n) => ({ name: n })), archived: false });
    assert.equal(res.status, 'COMPLETE');
    assert.equal(res.errors, undefined);
    assert.deepEqual(res.results.map((p) => p.name).sort(), [...names].sort());

    const partial = await propertyBatch.read('communications', { inputs: [{ name: names[0] }, { name: `nothing_${RUN}` }], archived: false });
    assert.deepEqual(partial.results.map((p) => p.name), [names[0]]);
    assert.equal(partial.numErrors, 1);
    assert.equal(partial.errors[0].category, 'OBJECT_NOT_FOUND');
    assert.deepEqual(partial.errors[0].context, { names: [`nothing_${RUN}`] });
  });

  test('batch archive archives them, and the emptied group can go', async () => {
    await expectApiError(() => propertyGroups.archive('communications', group), PropertiesApiException, 400, 'VALIDATION_ERROR');
    const all = [...names, `wa_extra_${RUN}`, `never_${RUN}`];
    assert.equal(await propertyBatch.archive('communications', { inputs: all.map((n) => ({ name: n })) }), undefined);
    const res = await propertyBatch.read('communications', { inputs: names.map((n) => ({ name: n })), archived: true });
    assert.deepEqual(res.results.map((p) => p.name).sort(), [...names].sort());
    assert.ok(res.results.every((p) => p.archived === true && p.archivedAt instanceof Date));

    assert.equal(await propertyGroups.archive('communications', group), undefined);
    await expectApiError(() => propertyGroups.getByName('communications', group), PropertiesApiException, 404, 'OBJECT_NOT_FOUND');
  });
});

// ------------------------------------------------------------------ scopes

describe('scopes: a token that may only read contacts and communications', () => {
  /** Checks HubSpot's MISSING_SCOPES body naming exactly the required scopes. */
  async function expectMissingScopes(call, ExceptionClass, scopes) {
    const err = await expectApiError(call, ExceptionClass, 403, 'MISSING_SCOPES');
    assert.match(err.body.message, /^This app hasn't been granted all required scopes to make this call\./);
    assert.equal(err.body.errors.length, 1);
    assert.deepEqual(err.body.errors[0].context.requiredGranularScopes, scopes);
    assert.deepEqual(err.body.links, { scopes: 'https://developers.hubspot.com/scopes' });
    return err;
  }

  test('reads work', async () => {
    const obj = await comms.create(message());
    const page = await readOnly.crm.objects.communications.basicApi.getPage(100);
    assert.ok(Array.isArray(page.results) && page.results.length > 0);
    const got = await readOnly.crm.objects.communications.basicApi.getById(obj.id, ['hs_communication_body']);
    assert.equal(got.properties.hs_communication_body, `admin test ${RUN}`);
    const props = await readOnly.crm.properties.coreApi.getAll('communications');
    assert.ok(props.results.some((p) => p.name === 'hs_communication_body'));
    await readOnly.crm.contacts.basicApi.getPage(1);
  });

  test('writes are a 403 MISSING_SCOPES naming the write scope, and change nothing', async () => {
    const ro = readOnly.crm.objects.communications.basicApi;
    await expectMissingScopes(() => ro.create(message({ hs_communication_body: `forbidden ${RUN}` })),
      CommunicationsApiException, ['crm.objects.contacts.write']);

    const obj = await comms.create(message());
    await expectMissingScopes(() => ro.update(obj.id, { properties: { hs_communication_body: 'changed' } }),
      CommunicationsApiException, ['crm.objects.contacts.write']);
    await expectMissingScopes(() => ro.archive(obj.id), CommunicationsApiException, ['crm.objects.contacts.write']);
    const got = await comms.getById(obj.id, ['hs_communication_body']);
    assert.equal(got.properties.hs_communication_body, `admin test ${RUN}`);
    assert.equal(got.archived, false);
  });

  test('other APIs are a 403 naming their scopes', async () => {
    await expectMissingScopes(() => readOnly.crm.owners.ownersApi.getPage(), OwnersApiException, ['crm.objects.owners.read', 'automation']);
    await expectMissingScopes(() => readOnly.crm.owners.ownersApi.getById(OWNERS[0].id), OwnersApiException, ['crm.objects.owners.read', 'automation']);
    await expectMissingScopes(() => readOnly.crm.properties.coreApi.create('communications', {
      name: `forbidden_${RUN}`, label: 'Forbidden', type: 'string', fieldType: 'text', groupName: 'communicationinformation',
    }), PropertiesApiException, ['crm.schemas.contacts.write']);
    await expectApiError(() => properties.getByName('communications', `forbidden_${RUN}`), PropertiesApiException, 404, 'OBJECT_NOT_FOUND');
    await expectMissingScopes(() => readOnly.crm.properties.coreApi.getAll('deals'), PropertiesApiException,
      ['crm.objects.deals.read', 'crm.schemas.deals.read']);
  });
});
