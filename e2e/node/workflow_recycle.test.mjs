// A record's round trip through the recycle bin, driven through HubSpot's
// official Node client (@hubspot/api-client): a contact with a primary
// company, a labelled association, a deal and a conversation with a pinned
// message is archived, its messages archived and restored around it, and the
// whole is restored with Spoke's extension (POST /_spoke/objects/{type}/{id}/restore
// and /batch/restore), then read again through the client from every side:
// properties, the pin, v4 and v3 associations with their labels, lists and
// search.
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/workflow_recycle.test.mjs

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, expectApiError } from './helpers.mjs';

import { AssociationTypes, Client } from '@hubspot/api-client';
import { ApiException as ContactsApiException } from '@hubspot/api-client/lib/codegen/crm/contacts/apis/exception.js';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const contacts = client.crm.contacts;
const companies = client.crm.companies;
const deals = client.crm.deals;
const comms = client.crm.objects.communications;
const v4 = client.crm.associations.v4;
const labels = client.crm.associations.v4.schema.definitionsApi;

const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED';
const USER_DEFINED = 'USER_DEFINED';
const spec = (associationTypeId, associationCategory = HUBSPOT_DEFINED) => ({ associationCategory, associationTypeId });

/** Spoke's restore extension (not part of HubSpot's API or client). */
async function restore(type, ids) {
  const single = !Array.isArray(ids);
  const path = single ? `${type}/${ids}/restore` : `${type}/batch/restore`;
  const res = await fetch(`${SPOKE_URL}/_spoke/objects/${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${SPOKE_TOKEN}`, 'Content-Type': 'application/json' },
    body: single ? undefined : JSON.stringify({ inputs: ids.map((id) => ({ id })) }),
  });
  return { status: res.status, body: await res.json() };
}

/** Every v4 association of fromId with toType, as "id CATEGORY/typeId/label" strings, sorted. */
async function v4All(fromType, fromId, toType) {
  const out = [];
  let after;
  do {
    const page = await v4.basicApi.getPage(fromType, fromId, toType, after, 2);
    for (const r of page.results) {
      for (const t of r.associationTypes) out.push(`${r.toObjectId} ${t.category}/${t.typeId}/${t.label ?? ''}`);
    }
    after = page.paging?.next?.after;
  } while (after);
  return out.sort();
}

/** The contact read as a client reads it: properties, pin and v3 associations. */
async function readContact(id) {
  return contacts.basicApi.getById(id, ['email', 'firstname', 'hs_pinned_engagement_id'], undefined,
    ['communications', 'companies', 'deals']);
}

function v3Pairs(obj, plural) {
  return (obj.associations?.[plural]?.results ?? []).map((r) => `${r.id}:${r.type}`).sort();
}

describe('a contact through the recycle bin and back', () => {
  let contact;
  let company;
  let deal;
  let label; // a USER_DEFINED contact→company label
  let messages; // ids, oldest first
  let snapshot; // what the client read before anything was archived

  before(async () => {
    company = await companies.basicApi.create({ properties: { name: `Recycling ${RUN}`, domain: `recycling-${RUN}.example.com` } });
    const made = await labels.create('contacts', 'companies', { label: `Billing ${RUN}`, name: `billing_${RUN}`.toLowerCase() });
    // The answer lists every label of the pair: find the new one by its name.
    label = made.results.find((r) => r.category === USER_DEFINED && r.label === `Billing ${RUN}`);
    assert.ok(label, JSON.stringify(made));
    contact = await contacts.basicApi.create({
      properties: { email: `bin+${RUN}@example.com`, firstname: 'Bea' },
      associations: [
        { to: { id: company.id }, types: [spec(AssociationTypes.primaryContactToCompany), spec(label.typeId, USER_DEFINED)] },
      ],
    });
    deal = await deals.basicApi.create({
      properties: { dealname: `Bin deal ${RUN}`, pipeline: 'default', dealstage: 'appointmentscheduled' },
      associations: [{ to: { id: contact.id }, types: [spec(AssociationTypes.dealToContact)] }],
    });
    const res = await comms.batchApi.create({
      inputs: Array.from({ length: 5 }, (_, i) => ({
        properties: {
          hs_timestamp: String(Date.UTC(2026, 3, 1, 10, i)),
          hs_communication_channel_type: i % 2 ? 'SMS' : 'LINKEDIN_MESSAGE',
          hs_communication_logged_from: 'CRM',
          hs_communication_body: `bin ${i} ${RUN}`,
        },
        associations: [
          { to: { id: contact.id }, types: [spec(AssociationTypes.communicationToContact)] },
          { to: { id: company.id }, types: [spec(AssociationTypes.communicationToCompany)] },
        ],
      })),
    });
    messages = res.results.sort((a, b) => a.properties.hs_communication_body.localeCompare(b.properties.hs_communication_body)).map((r) => r.id);
    await contacts.basicApi.update(contact.id, { properties: { hs_pinned_engagement_id: messages[4] } });
    snapshot = {
      contact: await readContact(contact.id),
      toCompanies: await v4All('contacts', contact.id, 'companies'),
      toComms: await v4All('contacts', contact.id, 'communications'),
      toDeals: await v4All('contacts', contact.id, 'deals'),
      companyToContacts: await v4All('companies', company.id, 'contacts'),
    };
    assert.equal(snapshot.contact.properties.hs_pinned_engagement_id, messages[4]);
    assert.equal(snapshot.toComms.length, 5);
    assert.ok(snapshot.toCompanies.some((s) => s.endsWith(`/${label.typeId}/Billing ${RUN}`)), snapshot.toCompanies.join());
    assert.ok(snapshot.toCompanies.some((s) => s.includes(`/${AssociationTypes.primaryContactToCompany}/Primary`)), snapshot.toCompanies.join());
  });

  test('archived, the contact leaves every listing and its associations are hidden', async () => {
    await contacts.basicApi.archive(contact.id);
    await expectApiError(() => contacts.basicApi.getById(contact.id), ContactsApiException, 404, 'OBJECT_NOT_FOUND');
    const archived = await contacts.basicApi.getById(contact.id, ['email', 'hs_pinned_engagement_id'], undefined, undefined, true);
    assert.equal(archived.archived, true);
    assert.ok(archived.archivedAt instanceof Date);
    assert.equal(archived.properties.hs_pinned_engagement_id, messages[4], 'the pin stays with the archived contact');
    assert.deepEqual(await v4All('companies', company.id, 'contacts'), []);
    assert.deepEqual(await v4All('deals', deal.id, 'contacts'), []);
    for (const id of messages) assert.deepEqual(await v4All('communications', id, 'contacts'), []);
    const found = await contacts.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: `bin+${RUN}@example.com` }] }] });
    assert.equal(found.total, 0);
    const read = await comms.basicApi.getById(messages[0], undefined, undefined, ['contacts']);
    assert.equal(read.associations?.contacts, undefined);
  });

  test('the pinned message archived while the contact is in the bin: the contact comes back without that pin', async () => {
    await comms.basicApi.archive(messages[4]);
    const res = await restore('contacts', contact.id);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.id, contact.id);
    assert.equal(res.body.archived, false);
    const back = await restore('communications', messages[4]);
    assert.equal(back.status, 200, JSON.stringify(back.body));
    const got = await readContact(contact.id);
    assert.equal(got.properties.email, `bin+${RUN}@example.com`);
    // The pinned message was in the bin when the contact came back: the pin
    // was lifted then, and the message's restore does not pin it again.
    assert.equal(got.properties.hs_pinned_engagement_id ?? '', '');
    assert.deepEqual(v3Pairs(got, 'communications'), v3Pairs(snapshot.contact, 'communications'));
    assert.deepEqual(v3Pairs(got, 'companies'), v3Pairs(snapshot.contact, 'companies'));
    assert.deepEqual(v3Pairs(got, 'deals'), v3Pairs(snapshot.contact, 'deals'));
    assert.deepEqual(await v4All('contacts', contact.id, 'companies'), snapshot.toCompanies);
    assert.deepEqual(await v4All('contacts', contact.id, 'communications'), snapshot.toComms);
    assert.deepEqual(await v4All('contacts', contact.id, 'deals'), snapshot.toDeals);
    assert.deepEqual(await v4All('companies', company.id, 'contacts'), snapshot.companyToContacts);
    const found = await contacts.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: `bin+${RUN}@example.com` }] }] });
    assert.equal(found.total, 1);
    const history = await contacts.basicApi.getById(contact.id, undefined, ['hs_pinned_engagement_id']);
    const values = history.propertiesWithHistory.hs_pinned_engagement_id.map((v) => v.value);
    assert.deepEqual(values, ['', messages[4]], 'the pin, then its lifting, newest first');
  });

  test('pinned again, the pinned message through the bin: pin lifted, associations back', async () => {
    await contacts.basicApi.update(contact.id, { properties: { hs_pinned_engagement_id: messages[2] } });
    await comms.batchApi.archive({ inputs: [{ id: messages[1] }, { id: messages[2] }, { id: messages[3] }] });
    let got = await readContact(contact.id);
    assert.equal(got.properties.hs_pinned_engagement_id ?? '', '', 'archiving the pinned message lifts the pin');
    assert.deepEqual(v3Pairs(got, 'communications'), v3Pairs(snapshot.contact, 'communications')
      .filter((p) => ![messages[1], messages[2], messages[3]].some((id) => p.startsWith(`${id}:`))));
    const res = await restore('communications', [messages[3], messages[1], messages[2]]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'COMPLETE');
    assert.deepEqual(res.body.results.map((r) => r.id).sort(), [messages[1], messages[2], messages[3]].sort());
    got = await readContact(contact.id);
    assert.equal(got.properties.hs_pinned_engagement_id ?? '', '', 'a restore does not pin again');
    assert.deepEqual(v3Pairs(got, 'communications'), v3Pairs(snapshot.contact, 'communications'));
    for (const id of messages) {
      assert.deepEqual((await v4All('communications', id, 'contacts')).map((s) => s.split(' ')[0]), [contact.id]);
      assert.deepEqual((await v4All('communications', id, 'companies')).map((s) => s.split(' ')[0]), [company.id]);
    }
    // A pin on a restored message works again.
    const pinned = await contacts.basicApi.update(contact.id, { properties: { hs_pinned_engagement_id: messages[2] } });
    assert.equal(pinned.properties.hs_pinned_engagement_id, messages[2]);
  });

  test('while the contact is in the bin its address is free; restoring it then is a conflict', async () => {
    await contacts.basicApi.archive(contact.id);
    const twin = await contacts.basicApi.create({ properties: { email: `bin+${RUN}@example.com`, firstname: 'Twin' } });
    const res = await restore('contacts', contact.id);
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.category, 'CONFLICT');
    await contacts.basicApi.archive(twin.id);
    const again = await restore('contacts', contact.id);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    const got = await readContact(contact.id);
    assert.equal(got.properties.firstname, 'Bea');
    assert.equal(got.properties.hs_pinned_engagement_id, messages[2], 'the pin of a live associated message survives the bin');
    assert.deepEqual(await v4All('contacts', contact.id, 'companies'), snapshot.toCompanies);
    // Archived records are listed with archived=true, the restored one no more.
    const bin = [];
    let after;
    do {
      const page = await contacts.basicApi.getPage(100, after, ['email'], undefined, undefined, true);
      bin.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
    } while (after);
    assert.ok(bin.includes(twin.id));
    assert.ok(!bin.includes(contact.id));
  });

  test('a contact archived and restored by two clients at once ends live, once', async () => {
    const second = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL }).crm.contacts.basicApi;
    for (let round = 0; round < 5; round++) {
      await contacts.basicApi.archive(contact.id);
      const [a, b] = await Promise.all([restore('contacts', contact.id), restore('contacts', contact.id)]);
      const statuses = [a.status, b.status].sort();
      // One restores; the other finds the record live (HubSpot has no
      // restore API: Spoke answers a live record as not in the bin).
      assert.equal(statuses[0], 200, JSON.stringify([a.body, b.body]));
      assert.ok(statuses[1] === 200 || (statuses[1] >= 400 && statuses[1] < 500), JSON.stringify([a.body, b.body]));
      const got = await second.getById(contact.id, ['email']);
      assert.equal(got.archived, false);
    }
    assert.deepEqual(await v4All('contacts', contact.id, 'companies'), snapshot.toCompanies);
    assert.equal((await v4All('contacts', contact.id, 'communications')).length, 5);
  });
});
