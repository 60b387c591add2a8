// End-to-end tests: HubSpot's official Node client (@hubspot/api-client)
// against a running Spoke. The client is used exactly as HubSpot users use it,
// pointed at Spoke with basePath.
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/objects.test.mjs
//
// (admin.test.mjs needs more: a read-only token and owners; see its header.)
//
// The tests create their own records (unique per run) and never assume the
// server is empty, so they can run repeatedly against the same server.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, ISO_Z, SLACK_MS, expectApiError, assertWithin } from './helpers.mjs';

import { Client } from '@hubspot/api-client';
// Each generated API package has its own ApiException class; the client does
// not re-export them, so tests import them from the package's lib/.
import { ApiException as CommunicationsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/communications/apis/exception.js';
import { ApiException as ContactsApiException } from '@hubspot/api-client/lib/codegen/crm/contacts/apis/exception.js';
import { ApiException as CompaniesApiException } from '@hubspot/api-client/lib/codegen/crm/companies/apis/exception.js';
import { ApiException as DealsApiException } from '@hubspot/api-client/lib/codegen/crm/deals/apis/exception.js';
import { ApiException as TicketsApiException } from '@hubspot/api-client/lib/codegen/crm/tickets/apis/exception.js';

const SPOKE_URL = process.env.SPOKE_URL;
const SPOKE_TOKEN = process.env.SPOKE_TOKEN;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });

// ---------------------------------------------------------------- helpers

/** Asserts that iso is HubSpot-formatted and names the same instant as date. */
function assertSameInstant(iso, date, what) {
  assert.match(iso, ISO_Z, `${what}: ${iso} is not an ISO instant with Z`);
  assert.ok(date instanceof Date, `${what}: expected a Date from the client, got ${date}`);
  assert.equal(Date.parse(iso), date.getTime(), `${what}: ${iso} != ${date.toISOString()}`);
}

/** Pages through api.getPage until paging is absent, checking the cursors. */
async function pageAll(api, limit, { properties, archived } = {}) {
  const pages = [];
  let after;
  for (let i = 0; i < 10000; i++) {
    const page = await api.getPage(limit, after, properties, undefined, undefined, archived);
    assert.ok(Array.isArray(page.results));
    assert.ok(page.results.length <= limit, `page of ${page.results.length} exceeds limit ${limit}`);
    pages.push(page);
    if (!page.paging) {
      return pages;
    }
    assert.equal(page.results.length, limit, 'only the last page may be short');
    const next = page.paging.next;
    assert.match(next.after, /^\d+$/);
    assert.ok(next.link.includes(`after=${next.after}`), `link ${next.link} carries the cursor`);
    after = next.after;
  }
  assert.fail('paging did not end');
}

function ids(objects) {
  return objects.map((o) => o.id);
}

function assertAscendingIds(list) {
  for (let i = 1; i < list.length; i++) {
    assert.ok(BigInt(list[i - 1]) < BigInt(list[i]), `ids not ascending: ${list[i - 1]} then ${list[i]}`);
  }
}

// ----------------------------------------------------------- communications

const comms = client.crm.objects.communications.basicApi;

const CHANNELS = [
  {
    channel: 'WHATS_APP',
    // hs_timestamp as epoch milliseconds (a JS number, as users send it).
    timestampIn: 1700000000123,
    timestampOut: '2023-11-14T22:13:20.123Z',
    body: 'Hi Ada, your <b>order</b> has shipped &amp; arrives Monday.',
    preview: 'Hi Ada, your order has shipped & arrives Monday.',
  },
  {
    channel: 'LINKEDIN_MESSAGE',
    // hs_timestamp as an ISO string without milliseconds.
    timestampIn: '2024-02-29T08:15:00Z',
    timestampOut: '2024-02-29T08:15:00Z',
    body: 'Thanks for connecting, Grace!',
    preview: 'Thanks for connecting, Grace!',
  },
  {
    channel: 'SMS',
    // hs_timestamp as an ISO string with an offset and milliseconds.
    timestampIn: '2025-06-01T10:30:45.250+02:00',
    timestampOut: '2025-06-01T08:30:45.250Z',
    body: 'Your code is 4711',
    preview: 'Your code is 4711',
  },
];

for (const c of CHANNELS) {
  describe(`communications: ${c.channel}`, () => {
    let created;
    let createdFrom;
    let createdTo;

    test('create returns 201 with every set property', async () => {
      createdFrom = Date.now();
      created = await comms.create({
        properties: {
          hs_timestamp: c.timestampIn,
          hs_communication_channel_type: c.channel,
          hs_communication_logged_from: 'CRM',
          hs_communication_body: c.body,
        },
      });
      createdTo = Date.now();

      assert.match(created.id, /^\d+$/);
      assert.equal(created.archived, false);
      assert.equal(created.archivedAt, undefined);
      assertWithin(created.createdAt, createdFrom, createdTo, 'createdAt');
      assert.equal(created.updatedAt.getTime(), created.createdAt.getTime());

      const p = created.properties;
      assert.equal(p.hs_object_id, created.id);
      assert.equal(p.hs_communication_channel_type, c.channel);
      assert.equal(p.hs_communication_logged_from, 'CRM');
      assert.equal(p.hs_communication_body, c.body);
      assert.equal(p.hs_timestamp, c.timestampOut);
      assert.equal(p.hs_body_preview, c.preview);
      assert.equal(p.hs_body_preview_is_truncated, 'false');
      assert.ok(p.hs_body_preview_html.includes(c.preview.replaceAll('&', '&amp;')), p.hs_body_preview_html);
      assert.equal(p.hs_object_source, 'INTEGRATION');
      assertSameInstant(p.hs_createdate, created.createdAt, 'hs_createdate');
      assertSameInstant(p.hs_lastmodifieddate, created.updatedAt, 'hs_lastmodifieddate');
    });

    test('getById without properties returns the defaults only', async () => {
      const got = await comms.getById(created.id);
      assert.equal(got.id, created.id);
      assert.deepEqual(Object.keys(got.properties).sort(), ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);
      assert.equal(got.properties.hs_object_id, created.id);
      assert.equal(got.createdAt.getTime(), created.createdAt.getTime());
      assert.equal(got.propertiesWithHistory, undefined);
    });

    test('getById with properties and propertiesWithHistory', async () => {
      const got = await comms.getById(
        created.id,
        ['hs_timestamp', 'hs_communication_channel_type', 'hs_communication_body', 'hubspot_owner_id', 'no_such_property'],
        ['hs_communication_body'],
      );
      assert.deepEqual(got.properties, {
        hs_timestamp: c.timestampOut,
        hs_communication_channel_type: c.channel,
        hs_communication_body: c.body,
        hubspot_owner_id: null, // requested, exists, no value
        hs_createdate: created.properties.hs_createdate,
        hs_lastmodifieddate: created.properties.hs_lastmodifieddate,
        hs_object_id: created.id,
      });
      const history = got.propertiesWithHistory.hs_communication_body;
      assert.equal(history.length, 1);
      assert.equal(history[0].value, c.body);
      assert.equal(history[0].sourceType, 'INTEGRATION');
      assert.ok(history[0].timestamp instanceof Date);
      assert.equal(history[0].timestamp.getTime(), created.createdAt.getTime());
    });

    test('update changes only the given properties and records history', async () => {
      const before = Date.now();
      const updated = await comms.update(created.id, {
        properties: { hs_communication_body: `${c.body} (edited)`, hs_timestamp: 1718000000000 },
      });
      const after = Date.now();

      assert.equal(updated.id, created.id);
      assert.equal(updated.createdAt.getTime(), created.createdAt.getTime());
      assertWithin(updated.updatedAt, before, after, 'updatedAt');
      assert.ok(updated.updatedAt.getTime() >= created.updatedAt.getTime());
      const p = updated.properties;
      assert.equal(p.hs_communication_body, `${c.body} (edited)`);
      assert.equal(p.hs_body_preview, `${c.preview} (edited)`);
      assert.equal(p.hs_timestamp, '2024-06-10T06:13:20Z'); // zero milliseconds are dropped
      assert.equal(p.hs_communication_channel_type, c.channel, 'untouched property kept');
      assertSameInstant(p.hs_lastmodifieddate, updated.updatedAt, 'hs_lastmodifieddate');
      assert.equal(p.hs_createdate, created.properties.hs_createdate);

      const got = await comms.getById(created.id, ['hs_communication_body'], ['hs_communication_body', 'hs_timestamp']);
      const bodyHistory = got.propertiesWithHistory.hs_communication_body;
      assert.deepEqual(bodyHistory.map((h) => h.value), [`${c.body} (edited)`, c.body], 'newest first');
      assert.equal(bodyHistory[0].timestamp.getTime(), updated.updatedAt.getTime());
      assert.deepEqual(got.propertiesWithHistory.hs_timestamp.map((h) => h.value), ['2024-06-10T06:13:20Z', c.timestampOut]);
    });

    test('update with an empty string clears a value', async () => {
      const updated = await comms.update(created.id, { properties: { hs_communication_body: '' } });
      assert.equal(updated.properties.hs_communication_body, undefined);
      assert.equal(updated.properties.hs_body_preview, undefined, 'derived preview cleared too');
      const got = await comms.getById(created.id, ['hs_communication_body', 'hs_body_preview']);
      assert.equal(got.properties.hs_communication_body, null);
      assert.equal(got.properties.hs_body_preview, null);
    });

    test('archive, then getById finds it only with archived=true', async () => {
      const before = Date.now();
      const res = await comms.archive(created.id);
      const after = Date.now();
      assert.equal(res, undefined);

      const err = await expectApiError(() => comms.getById(created.id), CommunicationsApiException, 404, 'OBJECT_NOT_FOUND');
      assert.deepEqual(err.body.context, { id: [created.id] });

      const archived = await comms.getById(created.id, ['hs_communication_channel_type'], undefined, undefined, true);
      assert.equal(archived.id, created.id);
      assert.equal(archived.archived, true);
      assertWithin(archived.archivedAt, before, after, 'archivedAt');
      assert.equal(archived.properties.hs_communication_channel_type, c.channel);
      assert.equal(archived.createdAt.getTime(), created.createdAt.getTime());

      // Archiving again is idempotent (HubSpot answers 204 again).
      assert.equal(await comms.archive(created.id), undefined);
      // An archived record can no longer be updated.
      await expectApiError(() => comms.update(created.id, { properties: { hs_communication_body: 'x' } }),
        CommunicationsApiException, 404, 'OBJECT_NOT_FOUND');
    });
  });
}

describe('communications: paging', () => {
  const made = [];

  before(async () => {
    for (let i = 0; i < 7; i++) {
      const c = CHANNELS[i % CHANNELS.length];
      const obj = await comms.create({
        properties: {
          hs_timestamp: new Date(Date.UTC(2024, 0, 1 + i, 12)).toISOString(),
          hs_communication_channel_type: c.channel,
          hs_communication_body: `paging message ${i} ${RUN}`,
        },
      });
      made.push(obj);
    }
  });

  test('getPage with limit/after walks every record once, in id order', async () => {
    const pages = await pageAll(comms, 3, { properties: ['hs_communication_body', 'hs_timestamp'] });
    const all = pages.flatMap((p) => p.results);
    const allIds = ids(all);
    assertAscendingIds(allIds);
    assert.equal(new Set(allIds).size, allIds.length, 'no record appears twice');
    for (let i = 1; i < pages.length; i++) {
      assert.equal(pages[i - 1].paging.next.after, pages[i].results[0].id,
        'after is the id of the first record of the next page');
    }

    const byId = new Map(all.map((o) => [o.id, o]));
    made.forEach((m, i) => {
      const o = byId.get(m.id);
      assert.ok(o, `created record ${m.id} was listed`);
      assert.equal(o.archived, false);
      assert.equal(o.properties.hs_communication_body, `paging message ${i} ${RUN}`);
      assert.equal(o.properties.hs_timestamp, `2024-01-0${1 + i}T12:00:00Z`);
      assert.equal(o.properties.hs_object_id, m.id);
    });
  });

  test('getPage without limit returns pages of 10', async () => {
    const page = await comms.getPage();
    assert.ok(page.results.length <= 10);
    if (page.paging) {
      assert.equal(page.results.length, 10);
    }
  });

  test('archived records leave the live list and join the archived one', async () => {
    const gone = made[2];
    await comms.archive(gone.id);

    const live = (await pageAll(comms, 4)).flatMap((p) => p.results);
    assert.ok(!ids(live).includes(gone.id));
    assert.ok(ids(live).includes(made[3].id));

    const archived = (await pageAll(comms, 4, { archived: true })).flatMap((p) => p.results);
    const found = archived.find((o) => o.id === gone.id);
    assert.ok(found, 'archived record is listed with archived=true');
    assert.equal(found.archived, true);
    assert.ok(found.archivedAt instanceof Date);
    assert.ok(archived.every((o) => o.archived === true));
  });
});

describe('communications: errors', () => {
  test('an unknown property is a 400 VALIDATION_ERROR naming it', async () => {
    const err = await expectApiError(() => comms.create({
      properties: { hs_timestamp: Date.now(), hs_communication_channel_type: 'SMS', hs_not_a_property: 'x' },
    }), CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.match(err.body.message, /^Property values were not valid: /);
    const items = JSON.parse(err.body.message.slice('Property values were not valid: '.length));
    assert.equal(items.length, 1);
    assert.equal(items[0].name, 'hs_not_a_property');
    assert.equal(items[0].error, 'PROPERTY_DOESNT_EXIST');
    assert.equal(items[0].message, 'Property "hs_not_a_property" does not exist');
    assert.equal(err.body.errors.length, 1);
    assert.equal(err.body.errors[0].code, 'PROPERTY_DOESNT_EXIST');
    assert.deepEqual(err.body.errors[0].context, { propertyName: ['hs_not_a_property'] });
  });

  test('an unknown property on update is a 400 too, and changes nothing', async () => {
    const obj = await comms.create({ properties: { hs_timestamp: Date.now(), hs_communication_channel_type: 'SMS', hs_communication_body: 'keep' } });
    await expectApiError(() => comms.update(obj.id, { properties: { hs_communication_body: 'changed', bogus: '1' } }),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    const got = await comms.getById(obj.id, ['hs_communication_body']);
    assert.equal(got.properties.hs_communication_body, 'keep');
  });

  test('missing required properties are a 400 listing them', async () => {
    const err = await expectApiError(() => comms.create({ properties: { hs_communication_body: 'no channel, no time' } }),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.equal(err.body.message, 'Error creating COMMUNICATION. Some required properties were not set.');
    assert.deepEqual([...err.body.context.properties].sort(), ['hs_communication_channel_type', 'hs_timestamp']);
  });

  test('an unknown channel is a 400 INVALID_OPTION', async () => {
    const err = await expectApiError(() => comms.create({
      properties: { hs_timestamp: Date.now(), hs_communication_channel_type: 'CARRIER_PIGEON' },
    }), CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.equal(err.body.errors[0].code, 'INVALID_OPTION');
    assert.deepEqual(err.body.errors[0].context, { propertyName: ['hs_communication_channel_type'] });
  });

  test('a missing record is a 404 OBJECT_NOT_FOUND on get and update', async () => {
    const missing = '987654321098';
    const err = await expectApiError(() => comms.getById(missing), CommunicationsApiException, 404, 'OBJECT_NOT_FOUND');
    assert.equal(err.body.message, 'Object not found.  objectId are usually numeric.');
    assert.deepEqual(err.body.context, { id: [missing] });
    await expectApiError(() => comms.update(missing, { properties: { hs_communication_body: 'x' } }),
      CommunicationsApiException, 404, 'OBJECT_NOT_FOUND');
    await expectApiError(() => comms.getById('not-a-number'), CommunicationsApiException, 404, 'OBJECT_NOT_FOUND');
  });

  test('archiving a missing record succeeds, as on HubSpot', async () => {
    assert.equal(await comms.archive('987654321098'), undefined);
  });

  test('a wrong token is a 401 INVALID_AUTHENTICATION', async () => {
    const stranger = new Client({ accessToken: 'pat-na1-00000000-0000-0000-0000-000000000000', basePath: SPOKE_URL });
    const err = await expectApiError(() => stranger.crm.objects.communications.basicApi.getPage(),
      CommunicationsApiException, 401, 'INVALID_AUTHENTICATION');
    assert.match(err.body.message, /^Authentication credentials not found\./);
    assert.equal(err.headers['x-hubspot-auth-failure'], '401 Unauthorized');
    await expectApiError(() => stranger.crm.contacts.basicApi.create({ properties: { email: `x-${RUN}@example.com` } }),
      ContactsApiException, 401, 'INVALID_AUTHENTICATION');
  });
});

// ------------------------------------- contacts, companies, deals, tickets

const RECORDS = [
  {
    name: 'contact',
    api: () => client.crm.contacts.basicApi,
    group: () => client.crm.contacts,
    text: 'firstname',
    batch: (text) => ({ email: `${text.replaceAll(' ', '.')}+${RUN}@example.com`, firstname: text }),
    Exception: ContactsApiException,
    created: 'createdate',
    modified: 'lastmodifieddate',
    defaults: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    create: () => ({ email: `ada.lovelace+${RUN}@example.com`, firstname: 'Ada', lastname: 'Lovelace', phone: '+44 20 7946 0000' }),
    expectCreated: () => ({ email: `ada.lovelace+${RUN}@example.com`, firstname: 'Ada', lastname: 'Lovelace', phone: '+44 20 7946 0000' }),
    update: { lastname: 'King', lifecyclestage: 'lead' },
    expectUpdated: { lastname: 'King', lifecyclestage: 'lead', firstname: 'Ada' },
    historyOf: 'lastname',
    history: ['King', 'Lovelace'],
  },
  {
    name: 'company',
    api: () => client.crm.companies.basicApi,
    group: () => client.crm.companies,
    text: 'name',
    batch: (text) => ({ name: text }),
    Exception: CompaniesApiException,
    created: 'createdate',
    modified: 'hs_lastmodifieddate',
    defaults: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    create: () => ({ name: 'Analytical Engines Ltd', domain: `engines-${RUN}.example.com`, numberofemployees: 42 }),
    expectCreated: () => ({ name: 'Analytical Engines Ltd', domain: `engines-${RUN}.example.com`, numberofemployees: '42' }),
    update: { name: 'Difference Engines Ltd', industry: 'Computing' },
    expectUpdated: { name: 'Difference Engines Ltd', industry: 'Computing', numberofemployees: '42' },
    historyOf: 'name',
    history: ['Difference Engines Ltd', 'Analytical Engines Ltd'],
  },
  {
    name: 'deal',
    api: () => client.crm.deals.basicApi,
    group: () => client.crm.deals,
    text: 'dealname',
    batch: (text) => ({ dealname: text, dealstage: 'appointmentscheduled' }),
    Exception: DealsApiException,
    created: 'createdate',
    modified: 'hs_lastmodifieddate',
    defaults: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
    create: () => ({ dealname: `Engine order ${RUN}`, dealstage: 'appointmentscheduled', pipeline: 'default', amount: 1500.5, closedate: '2025-12-31T00:00:00.000Z' }),
    expectCreated: () => ({ dealname: `Engine order ${RUN}`, dealstage: 'appointmentscheduled', pipeline: 'default', amount: '1500.5', closedate: '2025-12-31T00:00:00Z' }),
    update: { dealstage: 'closedwon', amount: '2000' },
    expectUpdated: { dealstage: 'closedwon', amount: '2000', pipeline: 'default' },
    historyOf: 'dealstage',
    history: ['closedwon', 'appointmentscheduled'],
  },
  {
    name: 'ticket',
    api: () => client.crm.tickets.basicApi,
    group: () => client.crm.tickets,
    text: 'subject',
    batch: (text) => ({ subject: text, hs_pipeline: '0', hs_pipeline_stage: '1' }),
    Exception: TicketsApiException,
    created: 'createdate',
    modified: 'hs_lastmodifieddate',
    defaults: ['content', 'createdate', 'hs_lastmodifieddate', 'hs_object_id', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_category', 'hs_ticket_priority', 'subject'],
    // hs_pipeline sent as a JSON number, as the client lets users do.
    create: () => ({ subject: `Engine jammed ${RUN}`, hs_pipeline: 0, hs_pipeline_stage: '1', hs_ticket_priority: 'HIGH' }),
    expectCreated: () => ({ subject: `Engine jammed ${RUN}`, hs_pipeline: '0', hs_pipeline_stage: '1', hs_ticket_priority: 'HIGH' }),
    update: { hs_pipeline_stage: '4', content: 'Replaced the cog.' },
    expectUpdated: { hs_pipeline_stage: '4', content: 'Replaced the cog.', hs_ticket_priority: 'HIGH' },
    historyOf: 'hs_pipeline_stage',
    history: ['4', '1'],
  },
];

for (const r of RECORDS) {
  describe(`${r.name}: lifecycle`, () => {
    let api;
    let created;

    before(() => {
      api = r.api();
    });

    test('create', async () => {
      const from = Date.now();
      created = await api.create({ properties: r.create(), associations: [] });
      const to = Date.now();
      assert.match(created.id, /^\d+$/);
      assert.equal(created.archived, false);
      assertWithin(created.createdAt, from, to, 'createdAt');
      for (const [k, v] of Object.entries(r.expectCreated())) {
        assert.equal(created.properties[k], v, `property ${k}`);
      }
      assert.equal(created.properties.hs_object_id, created.id);
      assertSameInstant(created.properties[r.created], created.createdAt, r.created);
      assertSameInstant(created.properties[r.modified], created.updatedAt, r.modified);
    });

    test('getById returns the default properties', async () => {
      const got = await api.getById(created.id);
      assert.equal(got.id, created.id);
      assert.deepEqual(Object.keys(got.properties).sort(), r.defaults);
      for (const [k, v] of Object.entries(r.expectCreated())) {
        if (r.defaults.includes(k)) {
          assert.equal(got.properties[k], v, `default property ${k}`);
        }
      }
    });

    test('getById with properties and propertiesWithHistory', async () => {
      const wanted = Object.keys(r.expectCreated());
      const got = await api.getById(created.id, wanted, [r.historyOf]);
      const expected = { ...r.expectCreated() };
      expected[r.created] = created.properties[r.created];
      expected[r.modified] = created.properties[r.modified];
      expected.hs_object_id = created.id;
      assert.deepEqual(got.properties, expected);
      const h = got.propertiesWithHistory[r.historyOf];
      assert.equal(h.length, 1);
      assert.equal(h[0].value, r.history[1]);
      assert.equal(h[0].sourceType, 'INTEGRATION');
      assert.equal(h[0].timestamp.getTime(), created.createdAt.getTime());
    });

    test('getPage lists it', async () => {
      const all = (await pageAll(api, 2, { properties: [r.historyOf] })).flatMap((p) => p.results);
      assertAscendingIds(ids(all));
      const found = all.find((o) => o.id === created.id);
      assert.ok(found, `${r.name} ${created.id} listed`);
      assert.equal(found.properties[r.historyOf], r.history[1]);
    });

    test('update', async () => {
      const from = Date.now();
      const updated = await api.update(created.id, { properties: r.update });
      const to = Date.now();
      assert.equal(updated.id, created.id);
      assertWithin(updated.updatedAt, from, to, 'updatedAt');
      assert.equal(updated.createdAt.getTime(), created.createdAt.getTime());
      for (const [k, v] of Object.entries(r.expectUpdated)) {
        assert.equal(updated.properties[k], v, `property ${k}`);
      }
      assertSameInstant(updated.properties[r.modified], updated.updatedAt, r.modified);

      const got = await api.getById(created.id, [r.historyOf], [r.historyOf]);
      assert.equal(got.properties[r.historyOf], r.history[0]);
      assert.deepEqual(got.propertiesWithHistory[r.historyOf].map((e) => e.value), r.history);
    });

    test('archive, then getById with archived=true', async () => {
      const from = Date.now();
      assert.equal(await api.archive(created.id), undefined);
      const to = Date.now();
      await expectApiError(() => api.getById(created.id), r.Exception, 404, 'OBJECT_NOT_FOUND');
      const archived = await api.getById(created.id, [r.historyOf], undefined, undefined, true);
      assert.equal(archived.id, created.id);
      assert.equal(archived.archived, true);
      assertWithin(archived.archivedAt, from, to, 'archivedAt');
      assert.equal(archived.properties[r.historyOf], r.history[0]);

      const listed = (await pageAll(api, 50, { archived: true })).flatMap((p) => p.results);
      assert.ok(ids(listed).includes(created.id));
    });

    test('batchApi and searchApi of its own API group', async () => {
      const group = r.group();
      const text = (i) => `batch ${i} w${RUN}`;
      const made = await group.batchApi.create({ inputs: [0, 1].map((i) => ({ properties: r.batch(text(i)), associations: [] })) });
      assert.equal(made.status, 'COMPLETE');
      assert.ok(made.startedAt instanceof Date && made.completedAt instanceof Date);
      const madeIds = made.results.map((o) => o.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      assert.equal(madeIds.length, 2);
      const inputs = madeIds.map((id) => ({ id }));

      const read = await group.batchApi.read({ inputs, properties: [r.text], propertiesWithHistory: [r.text] }, false);
      assert.deepEqual(read.results.map((o) => o.properties[r.text]).sort(), [text(0), text(1)]);
      for (const o of read.results) {
        assert.deepEqual(o.propertiesWithHistory[r.text].map((h) => h.value), [o.properties[r.text]]);
        assert.ok(o.propertiesWithHistory[r.text][0].timestamp instanceof Date);
      }

      const renamed = (id) => `renamed ${id} w${RUN}`;
      const updated = await group.batchApi.update({ inputs: madeIds.map((id) => ({ id, properties: { [r.text]: renamed(id) } })) });
      assert.deepEqual(updated.results.map((o) => o.properties[r.text]).sort(), madeIds.map(renamed).sort());

      const search = {
        query: `w${RUN}`,
        filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'IN', values: madeIds }] }],
        sorts: [{ propertyName: 'hs_object_id', direction: 'DESCENDING' }],
        properties: [r.text],
        limit: 1,
      };
      const first = await group.searchApi.doSearch(search);
      assert.equal(first.total, 2);
      assert.deepEqual(first.results.map((o) => [o.id, o.properties[r.text]]), [[madeIds[1], renamed(madeIds[1])]]);
      assert.ok(first.results[0].createdAt instanceof Date);
      const second = await group.searchApi.doSearch({ ...search, after: first.paging.next.after });
      assert.deepEqual(second.results.map((o) => o.id), [madeIds[0]]);
      assert.equal(second.paging, undefined);

      assert.equal(await group.batchApi.archive({ inputs }), undefined);
      const gone = await group.batchApi.read({ inputs, properties: [], propertiesWithHistory: [] });
      assert.deepEqual(gone.results, []);
      assert.equal(gone.numErrors, 1);
      assert.deepEqual([...gone.errors[0].context.ids].sort(), [...madeIds].sort());
      const archived = await group.batchApi.read({ inputs, properties: [r.text], propertiesWithHistory: [] }, true);
      assert.deepEqual(archived.results.map((o) => [o.archived, o.archivedAt instanceof Date]), [[true, true], [true, true]]);
    });

    test('an unknown property is a 400 VALIDATION_ERROR', async () => {
      const err = await expectApiError(() => api.create({ properties: { ...r.create(), favourite_engine: 'analytical' } }),
        r.Exception, 400, 'VALIDATION_ERROR');
      assert.equal(err.body.errors[0].code, 'PROPERTY_DOESNT_EXIST');
      assert.deepEqual(err.body.errors[0].context, { propertyName: ['favourite_engine'] });
    });

    test('a missing record is a 404 OBJECT_NOT_FOUND', async () => {
      const err = await expectApiError(() => api.getById('987654321099'), r.Exception, 404, 'OBJECT_NOT_FOUND');
      assert.deepEqual(err.body.context, { id: ['987654321099'] });
    });
  });
}

// ------------------------------------------------------- contact specifics

describe('contacts: email as id, conflicts, getAll', () => {
  const contacts = client.crm.contacts.basicApi;

  test('getById and update with idProperty=email', async () => {
    const email = `grace.hopper+${RUN}@example.com`;
    const created = await contacts.create({ properties: { email, firstname: 'Grace', lastname: 'Hopper' } });

    const got = await contacts.getById(email, ['firstname', 'email'], undefined, undefined, false, 'email');
    assert.equal(got.id, created.id);
    assert.equal(got.properties.email, email);
    assert.equal(got.properties.firstname, 'Grace');

    // Emails are case-insensitive identifiers.
    const upper = await contacts.getById(email.toUpperCase(), undefined, undefined, undefined, undefined, 'email');
    assert.equal(upper.id, created.id);

    const updated = await contacts.update(email, { properties: { jobtitle: 'Rear Admiral' } }, 'email');
    assert.equal(updated.id, created.id);
    assert.equal(updated.properties.jobtitle, 'Rear Admiral');

    const err = await expectApiError(
      () => contacts.getById(`nobody+${RUN}@example.com`, undefined, undefined, undefined, undefined, 'email'),
      ContactsApiException, 404, 'OBJECT_NOT_FOUND');
    assert.deepEqual(err.body.context, { id: [`nobody+${RUN}@example.com`] });
  });

  test('a duplicate email is a 409 CONFLICT naming the existing id', async () => {
    const email = `alan.turing+${RUN}@example.com`;
    const first = await contacts.create({ properties: { email, firstname: 'Alan' } });

    const err = await expectApiError(() => contacts.create({ properties: { email, firstname: 'Alan again' } }),
      ContactsApiException, 409, 'CONFLICT');
    assert.equal(err.body.message, `Contact already exists. Existing ID: ${first.id}`);

    // Same address in another case is the same contact.
    const err2 = await expectApiError(() => contacts.create({ properties: { email: email.toUpperCase() } }),
      ContactsApiException, 409, 'CONFLICT');
    assert.equal(err2.body.message, `Contact already exists. Existing ID: ${first.id}`);

    // Updating another contact to that email conflicts too.
    const other = await contacts.create({ properties: { email: `other+${RUN}@example.com` } });
    const err3 = await expectApiError(() => contacts.update(other.id, { properties: { email } }),
      ContactsApiException, 409, 'CONFLICT');
    assert.equal(err3.body.message, `Contact already exists. Existing ID: ${first.id}`);

    // Once the holder is archived the email is free again.
    await contacts.archive(first.id);
    const again = await contacts.create({ properties: { email } });
    assert.notEqual(again.id, first.id);
    assert.equal(again.properties.email, email);
  });

  test('getAll pages with limit=100 until paging ends', async () => {
    const urls = [];
    const recording = new Client({
      accessToken: SPOKE_TOKEN,
      basePath: SPOKE_URL,
      middleware: [{ pre: (ctx) => { urls.push(ctx.getUrl()); return ctx; } }],
    });

    // Enough contacts that the listing needs more than one page of 100.
    const before = await recording.crm.contacts.getAll();
    const need = Math.max(0, 101 - before.length) + 5;
    const made = [];
    for (let i = 0; i < need; i += 10) {
      const batch = [];
      for (let j = i; j < Math.min(need, i + 10); j++) {
        batch.push(contacts.create({ properties: { email: `bulk${j}+${RUN}@example.com`, firstname: `Bulk ${j}` } }));
      }
      made.push(...await Promise.all(batch));
    }

    urls.length = 0;
    const all = await recording.crm.contacts.getAll();
    const allIds = ids(all);
    assert.ok(all.length >= before.length + made.length, `${all.length} contacts listed`);
    assert.equal(new Set(allIds).size, allIds.length, 'no contact twice');
    assertAscendingIds(allIds);
    for (const m of made) {
      assert.ok(allIds.includes(m.id), `contact ${m.id} in getAll`);
    }
    const bulk0 = all.find((o) => o.properties.email === `bulk0+${RUN}@example.com`);
    assert.equal(bulk0.properties.firstname, 'Bulk 0');

    const pages = Math.ceil(all.length / 100);
    assert.ok(pages >= 2);
    assert.equal(urls.length, pages, `one request per page: ${urls.join(' ')}`);
    urls.forEach((u, i) => {
      const q = new URL(u).searchParams;
      assert.equal(q.get('limit'), '100');
      assert.equal(q.get('after'), i === 0 ? null : allIds[i * 100]);
    });
  });
});
