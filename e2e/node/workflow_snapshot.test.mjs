// A test suite's fixture cycle, driven through HubSpot's official Node client
// (@hubspot/api-client): an account built through the client (custom
// properties and groups, a custom object, a deal pipeline, labels, owners on
// records, a conversation with a pin, a merge, records in the recycle bin,
// property history) is exported (GET /_spoke/export?history=true), the server reset
// (POST /_spoke/reset) and the export seeded back (POST /_spoke/seed); every
// read the client makes must then answer as before, the merged and archived
// ids must behave as before, and new writes must not collide with seeded ids.
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/workflow_snapshot.test.mjs
//
// SPOKE_TOKEN must hold spoke.admin. The file resets the server, so it must
// not share a server with other test files.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN } from './helpers.mjs';

import { AssociationTypes, Client } from '@hubspot/api-client';

const { SPOKE_URL, SPOKE_TOKEN, SPOKE_OWNERS } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN || !SPOKE_OWNERS) {
  throw new Error('SPOKE_URL, SPOKE_TOKEN and SPOKE_OWNERS must be set (the Go test e2e/node_test.go sets them)');
}
const OWNERS = JSON.parse(SPOKE_OWNERS);

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const crm = client.crm;
const spec = (associationTypeId, associationCategory = 'HUBSPOT_DEFINED') => ({ associationCategory, associationTypeId });
const BUILT_IN = ['contacts', 'companies', 'deals', 'tickets', 'communications', 'notes'];

async function control(method, path, body) {
  const res = await fetch(`${SPOKE_URL}/_spoke/${path}`, {
    method,
    headers: { Authorization: `Bearer ${SPOKE_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} /_spoke/${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A JSON-safe copy of a client model (Dates as ISO strings, no undefined). */
const plain = (v) => JSON.parse(JSON.stringify(v));

/** Every record of a type (live or archived) with every property and its history, sorted by id. */
async function allRecords(type, names, archived) {
  const api = type.startsWith('p') ? null : (crm[type] ?? crm.objects[type]);
  const out = [];
  let after;
  do {
    const page = api
      ? await api.basicApi.getPage(100, after, names, names, undefined, archived)
      : await crm.objects.basicApi.getPage(type, 100, after, names, names, undefined, archived);
    out.push(...page.results);
    after = page.paging?.next?.after;
  } while (after);
  return plain(out).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

/** What a client can read of the account. */
async function snapshot(customType) {
  const types = [...BUILT_IN, customType];
  const snap = { records: {}, archived: {}, associations: {}, properties: {}, groups: {} };
  for (const type of types) {
    const props = await crm.properties.coreApi.getAll(type);
    snap.properties[type] = plain(props.results).sort((a, b) => a.name.localeCompare(b.name));
    snap.groups[type] = plain((await crm.properties.groupsApi.getAll(type)).results).sort((a, b) => a.name.localeCompare(b.name));
    const names = props.results.map((p) => p.name);
    snap.records[type] = await allRecords(type, names, false);
    snap.archived[type] = await allRecords(type, names, true);
  }
  for (const from of types) {
    for (const to of types) {
      for (const r of snap.records[from]) {
        const page = await crm.associations.v4.basicApi.getPage(from, r.id, to, undefined, 500);
        if (page.results.length) {
          snap.associations[`${from}/${r.id}/${to}`] = plain(page.results).map((x) => ({
            ...x, associationTypes: x.associationTypes.sort((a, b) => a.typeId - b.typeId),
          })).sort((a, b) => a.toObjectId - b.toObjectId);
        }
      }
    }
  }
  snap.labels = plain((await crm.associations.v4.schema.definitionsApi.getAll('contacts', 'companies')).results);
  snap.pipelines = plain((await crm.pipelines.pipelinesApi.getAll('deals')).results);
  snap.owners = plain((await crm.owners.ownersApi.getPage(undefined, undefined, 500)).results);
  snap.schemas = plain((await crm.schemas.coreApi.getAll()).results);
  return snap;
}

describe('export, reset and seed back', () => {
  let schema;
  const ids = {};

  before(async () => {
    // Properties and a group of the account's own.
    await crm.properties.groupsApi.create('contacts', { name: `connector_${RUN}`, label: 'Connector', displayOrder: 3 });
    await crm.properties.coreApi.create('contacts', {
      name: `wa_opt_in_${RUN}`, label: 'WhatsApp opt-in', type: 'enumeration', fieldType: 'select', groupName: `connector_${RUN}`,
      options: [{ label: 'Yes', value: 'yes', displayOrder: 0 }, { label: 'No', value: 'no', displayOrder: 1 }],
    });
    await crm.properties.coreApi.create('communications', {
      name: `wa_id_${RUN}`, label: 'WhatsApp id', type: 'string', fieldType: 'text', groupName: 'communicationinformation', hasUniqueValue: true,
    });
    // A custom object associated with contacts.
    schema = await crm.schemas.coreApi.create({
      name: `stays${RUN}`,
      labels: { singular: 'Stay', plural: 'Stays' },
      primaryDisplayProperty: 'reference',
      requiredProperties: ['reference'],
      properties: [{ name: 'reference', label: 'Reference', type: 'string', fieldType: 'text', hasUniqueValue: true },
        { name: 'nights', label: 'Nights', type: 'number', fieldType: 'number' }],
      associatedObjects: ['CONTACT'],
    });
    // A deal pipeline of the account's own.
    const pipeline = await crm.pipelines.pipelinesApi.create('deals', {
      label: `Partners ${RUN}`, displayOrder: 5,
      stages: [{ label: 'Lead', displayOrder: 0, metadata: { probability: '0.1' } }, { label: 'Won', displayOrder: 1, metadata: { probability: '1.0', isClosed: 'true' } }],
    });
    ids.pipeline = pipeline.id;
    // A label between contacts and companies.
    const made = await crm.associations.v4.schema.definitionsApi.create('contacts', 'companies', { label: `Payer ${RUN}`, name: `payer_${RUN}` });
    const payer = made.results.find((r) => r.label === `Payer ${RUN}`);

    const company = await crm.companies.basicApi.create({ properties: { name: `Snap ${RUN}`, domain: `snap-${RUN}.example.com`, hubspot_owner_id: OWNERS[0].id } });
    const people = await crm.contacts.batchApi.upsert({
      inputs: Array.from({ length: 4 }, (_, i) => ({
        id: `snap${i}+${RUN}@example.com`, idProperty: 'email',
        properties: { firstname: `Snap${i}`, [`wa_opt_in_${RUN}`]: i % 2 ? 'yes' : 'no', hubspot_owner_id: OWNERS[i % 2].id },
      })),
    });
    const contactIds = people.results.map((r) => r.id).sort();
    // Values changed twice, for history.
    await crm.contacts.batchApi.update({ inputs: contactIds.map((id) => ({ id, properties: { lastname: 'First' } })) });
    await crm.contacts.batchApi.update({ inputs: contactIds.map((id) => ({ id, properties: { lastname: 'Second' } })) });
    for (const id of contactIds) {
      await crm.associations.v4.basicApi.create('contacts', id, 'companies', company.id,
        [spec(AssociationTypes.primaryContactToCompany), spec(payer.typeId, 'USER_DEFINED')]);
    }
    const messages = await crm.objects.communications.batchApi.create({
      inputs: Array.from({ length: 12 }, (_, i) => ({
        properties: {
          [`wa_id_${RUN}`]: `wamid.${RUN}.${i}`,
          hs_timestamp: String(Date.UTC(2026, 6, 1, 9, i)),
          hs_communication_channel_type: ['WHATS_APP', 'SMS', 'LINKEDIN_MESSAGE'][i % 3],
          hs_communication_logged_from: 'CRM',
          hs_communication_body: `<p>snap <b>${i}</b> ${RUN}</p>`,
          hubspot_owner_id: OWNERS[1].id,
        },
        associations: [{ to: { id: contactIds[i % 4] }, types: [spec(AssociationTypes.communicationToContact)] }],
      })),
    });
    const messageIds = messages.results.map((r) => r.id).sort();
    await crm.contacts.basicApi.update(contactIds[0], { properties: { hs_pinned_engagement_id: messageIds[0] } });
    await crm.objects.notes.basicApi.create({
      properties: { hs_timestamp: new Date().toISOString(), hs_note_body: `Called ${RUN}` },
      associations: [{ to: { id: company.id }, types: [spec(AssociationTypes.noteToCompany)] }],
    });
    const deal = await crm.deals.basicApi.create({
      properties: { dealname: `Snap deal ${RUN}`, pipeline: pipeline.id, dealstage: pipeline.stages.find((s) => s.label === 'Won').id, amount: '1200.50' },
      associations: [{ to: { id: contactIds[1] }, types: [spec(AssociationTypes.dealToContact)] }],
    });
    await crm.tickets.basicApi.create({
      properties: { subject: `Snap ticket ${RUN}`, hs_pipeline: '0', hs_pipeline_stage: '1' },
      associations: [{ to: { id: deal.id }, types: [spec(AssociationTypes.ticketToDeal)] }],
    });
    const stay = await crm.objects.basicApi.create(schema.objectTypeId, {
      properties: { reference: `R-${RUN}`, nights: '3' },
      associations: [{ to: { id: contactIds[2] }, types: [spec(Number(schema.associations.find((a) => a.toObjectTypeId === '0-1').id), 'USER_DEFINED')] }],
    });
    // Contact 3 merged into contact 2; a message and a contact in the bin.
    const merged = await crm.contacts.basicApi.merge({ primaryObjectId: contactIds[2], objectIdToMerge: contactIds[3] });
    await crm.objects.communications.basicApi.archive(messageIds[11]);
    const binned = await crm.contacts.basicApi.create({ properties: { email: `binned+${RUN}@example.com` } });
    await crm.contacts.basicApi.archive(binned.id);
    Object.assign(ids, { company: company.id, contacts: contactIds, messages: messageIds, deal: deal.id, stay: stay.id, merged: merged.id, binned: binned.id });
  });

  let initial;
  let exported;

  test('the export seeds back after a reset into what the client read before', async () => {
    initial = await snapshot(schema.objectTypeId);
    assert.ok(initial.records.contacts.length >= 3);
    assert.ok(Object.keys(initial.associations).length > 10);
    exported = await control('GET', 'export?history=true');
    await control('POST', 'reset');
    const empty = await crm.contacts.basicApi.getPage(10);
    assert.deepEqual(empty.results, []);
    await control('POST', 'seed', exported);
    const after = await snapshot(schema.objectTypeId);
    for (const key of Object.keys(initial)) assert.deepEqual(after[key], initial[key], key);
  });

  test('seeding the same export again changes nothing', async () => {
    await control('POST', 'seed', exported);
    const again = await snapshot(schema.objectTypeId);
    for (const key of Object.keys(initial)) assert.deepEqual(again[key], initial[key], key);
    assert.deepEqual(await control('GET', 'export?history=true'), exported);
  });

  test('merged and archived ids behave as before', async () => {
    const byOld = await crm.contacts.basicApi.getById(ids.contacts[3]);
    assert.equal(byOld.id, ids.merged);
    const archived = await crm.contacts.basicApi.getById(ids.binned, ['email'], undefined, undefined, true);
    assert.equal(archived.archived, true);
    const res = await fetch(`${SPOKE_URL}/_spoke/objects/communications/${ids.messages[11]}/restore`, {
      method: 'POST', headers: { Authorization: `Bearer ${SPOKE_TOKEN}` },
    });
    assert.equal(res.status, 200, await res.clone().text());
    const page = await crm.associations.v4.basicApi.getPage('communications', ids.messages[11], 'contacts');
    assert.deepEqual(page.results.map((r) => String(r.toObjectId)), [ids.merged]);
    const pinned = await crm.contacts.basicApi.getById(ids.contacts[0], ['hs_pinned_engagement_id']);
    assert.equal(pinned.properties.hs_pinned_engagement_id, ids.messages[0]);
    // The unique values came back with the records.
    const found = await crm.objects.communications.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: `wa_id_${RUN}`, operator: 'EQ', value: `wamid.${RUN}.3` }] }],
    });
    assert.deepEqual(found.results.map((r) => r.id), [ids.messages[3]]);
  });

  test('an export taken while another client writes is whole: it seeds back', async () => {
    const writer = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL }).crm;
    let stop = false;
    let n = 0;
    const writing = (async () => {
      while (!stop) {
        const c = await writer.contacts.basicApi.create({ properties: { email: `busy${n++}+${RUN}@example.com` } });
        const m = await writer.objects.communications.batchApi.create({
          inputs: [0, 1].map((k) => ({
            properties: { hs_timestamp: String(Date.now()), hs_communication_channel_type: 'SMS', hs_communication_logged_from: 'CRM', hs_communication_body: `busy ${n} ${k}` },
            associations: [{ to: { id: c.id }, types: [spec(AssociationTypes.communicationToContact)] }],
          })),
        });
        await writer.contacts.basicApi.update(c.id, { properties: { hs_pinned_engagement_id: m.results[0].id } });
        await writer.objects.communications.basicApi.archive(m.results[1].id);
        if (n % 3 === 0) await writer.contacts.basicApi.archive(c.id);
      }
    })();
    const exports = [];
    try {
      // At least four exports, and until the writer has gone round six times.
      for (let i = 0; i < 4 || n < 6; i++) exports.push(await control('GET', 'export'));
    } finally {
      stop = true;
      await writing;
    }
    for (const f of exports) {
      const ids = new Set(Object.values(f.objects).flat().map((o) => o.id));
      for (const a of f.associations) {
        assert.ok(ids.has(a.from.id) && ids.has(a.to.id), `association ${JSON.stringify(a)} names a record the export lacks`);
      }
      for (const c of f.objects.contacts) {
        const pin = c.properties.hs_pinned_engagement_id;
        if (pin) assert.ok(ids.has(pin), `contact ${c.id} pins ${pin}, which the export lacks`);
      }
    }
    await control('POST', 'reset');
    await control('POST', 'seed', exports.at(-1));
    assert.deepEqual(await control('GET', 'export'), exports.at(-1));
  });

  test('new writes after the seed take fresh ids', async () => {
    const seeded = new Set(Object.values(initial.records).flat().map((r) => r.id)
      .concat(Object.values(initial.archived).flat().map((r) => r.id)));
    const contact = await crm.contacts.basicApi.create({ properties: { email: `fresh+${RUN}@example.com` } });
    assert.ok(!seeded.has(contact.id), `new contact ${contact.id} took a seeded id`);
    const message = await crm.objects.communications.basicApi.create({
      properties: { hs_timestamp: String(Date.now()), hs_communication_channel_type: 'SMS', hs_communication_logged_from: 'CRM', hs_communication_body: 'fresh' },
      associations: [{ to: { id: contact.id }, types: [spec(AssociationTypes.communicationToContact)] }],
    });
    assert.ok(!seeded.has(message.id));
    const stay = await crm.objects.basicApi.create(schema.objectTypeId, { properties: { reference: `R2-${RUN}` } });
    assert.ok(!seeded.has(stay.id));
    const label = await crm.associations.v4.schema.definitionsApi.create('contacts', 'companies', { label: `Fresh ${RUN}`, name: `fresh_${RUN}` });
    const typeIds = label.results.map((r) => r.typeId);
    assert.equal(new Set(typeIds).size, typeIds.length, `label typeIds ${typeIds}`);
    const pipeline = await crm.pipelines.pipelinesApi.create('deals', { label: `Fresh ${RUN}`, displayOrder: 6, stages: [{ label: 'Only', displayOrder: 0, metadata: { probability: '0.5' } }] });
    assert.ok(!initial.pipelines.some((p) => p.id === pipeline.id), `pipeline ${pipeline.id} took a seeded id`);
    const stageIds = initial.pipelines.flatMap((p) => p.stages.map((s) => s.id));
    assert.ok(!stageIds.includes(pipeline.stages[0].id), `stage ${pipeline.stages[0].id} took a seeded id`);
    const schema2 = await crm.schemas.coreApi.create({
      name: `later${RUN}`, labels: { singular: 'Later', plural: 'Laters' }, primaryDisplayProperty: 'n',
      properties: [{ name: 'n', label: 'N', type: 'string', fieldType: 'text' }], associatedObjects: ['CONTACT'],
    });
    assert.notEqual(schema2.objectTypeId, schema.objectTypeId);
    const group = await crm.properties.groupsApi.create('contacts', { name: `later_${RUN}`, label: 'Later' });
    assert.equal(group.name, `later_${RUN}`);
  });
});
