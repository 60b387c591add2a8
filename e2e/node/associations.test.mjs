// End-to-end tests of associations, association labels, pinning and Spoke's
// restore extension, driven through HubSpot's official Node client
// (@hubspot/api-client) the way users drive HubSpot:
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/associations.test.mjs
//
// SPOKE_TOKEN must hold every scope (the Go test e2e/node_test.go sets both).
// Records, emails and association label names are unique to the run, so the
// file can run repeatedly against the same server.
//
// The client (14.x) has no v3 object-level associations API any more
// (no client.crm.contacts.associationsApi): the v3 object paths are reached
// through client.apiRequest, the client's escape hatch for such endpoints. It
// does keep the v3 associations batch API (client.crm.associations.batchApi)
// and the v3 types API (client.crm.associations.schema.typesApi).

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, expectApiError } from './helpers.mjs';

import { AssociationTypes, Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/communications/index.js';
// Each generated API package has its own ApiException class.
import { ApiException as CommunicationsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/communications/apis/exception.js';
import { ApiException as ContactsApiException } from '@hubspot/api-client/lib/codegen/crm/contacts/apis/exception.js';
import { ApiException as CompaniesApiException } from '@hubspot/api-client/lib/codegen/crm/companies/apis/exception.js';
import { ApiException as DealsApiException } from '@hubspot/api-client/lib/codegen/crm/deals/apis/exception.js';
import { ApiException as TicketsApiException } from '@hubspot/api-client/lib/codegen/crm/tickets/apis/exception.js';
import { ApiException as AssociationsV4ApiException } from '@hubspot/api-client/lib/codegen/crm/associations/v4/apis/exception.js';
import { ApiException as DefinitionsApiException } from '@hubspot/api-client/lib/codegen/crm/associations/v4/schema/apis/exception.js';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const comms = client.crm.objects.communications.basicApi;
const contacts = client.crm.contacts.basicApi;
const companies = client.crm.companies.basicApi;
const v4 = client.crm.associations.v4;
const definitions = client.crm.associations.v4.schema.definitionsApi;

// A well-formed id that names no record.
const MISSING = '987654321012';

const HUBSPOT_DEFINED = AssociationSpecAssociationCategoryEnum.HubspotDefined;
const USER_DEFINED = AssociationSpecAssociationCategoryEnum.UserDefined;

// ---------------------------------------------------------------- helpers

function spec(associationTypeId, associationCategory = HUBSPOT_DEFINED) {
  return { associationCategory, associationTypeId };
}

/** An inline association for a create body. */
function inline(id, associationTypeId) {
  return { to: { id }, types: [spec(associationTypeId)] };
}

function newContact(name) {
  return contacts.create({ properties: { email: `${name}+${RUN}@example.com`, firstname: name } });
}

function newCompany(name) {
  return companies.create({ properties: { name: `${name} ${RUN}`, domain: `${name}-${RUN}.example.com` } });
}

function newMessage(associations = [], body = `message ${RUN}`) {
  return comms.create({
    properties: {
      hs_timestamp: Date.now(),
      hs_communication_channel_type: 'WHATS_APP',
      hs_communication_logged_from: 'CRM',
      hs_communication_body: body,
    },
    associations,
  });
}

/**
 * Reads every association of a record with a type through the v4 GET and
 * returns a map from the associated id (as a string) to its types, written
 * "CATEGORY/typeId/label". Checks that toObjectId is a JSON number.
 */
async function v4Map(fromType, fromId, toType) {
  const page = await v4.basicApi.getPage(fromType, fromId, toType);
  assert.equal(page.paging, undefined, 'one page');
  const out = {};
  for (const r of page.results) {
    assert.equal(typeof r.toObjectId, 'number', `toObjectId ${JSON.stringify(r.toObjectId)} is a JSON number`);
    out[String(r.toObjectId)] = r.associationTypes.map((t) => `${t.category}/${t.typeId}/${t.label}`);
  }
  return out;
}

/** The v3 {id, type} pairs of ?associations= on getById, or undefined when absent. */
function v3Pairs(obj, plural) {
  return obj.associations?.[plural]?.results.map((r) => `${r.id}:${r.type}`);
}

/** A request to an endpoint the client has no method for, as users make them. */
async function raw(method, path) {
  const res = await client.apiRequest({ method, path });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

// ------------------------------------------------------------------ inline

describe('inline associations on create', () => {
  let contact;
  let company;
  let message;

  before(async () => {
    contact = await newContact('ada');
    company = await newCompany('engines');
  });

  test('the client enums name HubSpot\'s ids', () => {
    assert.equal(HUBSPOT_DEFINED, 'HUBSPOT_DEFINED');
    assert.equal(USER_DEFINED, 'USER_DEFINED');
    assert.equal(AssociationTypes.communicationToContact, 81);
    assert.equal(AssociationTypes.communicationToCompany, 87);
    assert.equal(AssociationTypes.contactToCommunication, 82);
    assert.equal(AssociationTypes.companyToCommunication, 88);
  });

  test('communications.create associates the message with a contact (81) and a company (87)', async () => {
    message = await newMessage([
      inline(contact.id, AssociationTypes.communicationToContact),
      inline(company.id, AssociationTypes.communicationToCompany),
    ]);
    assert.match(message.id, /^\d+$/);
    assert.equal(message.properties.hs_communication_body, `message ${RUN}`);
    assert.equal(message.associations, undefined, 'create answers a SimplePublicObject');
  });

  test('the v4 GET sees them from both ends, with numeric toObjectId', async () => {
    assert.deepEqual(await v4Map('communications', message.id, 'contacts'), { [contact.id]: ['HUBSPOT_DEFINED/81/null'] });
    assert.deepEqual(await v4Map('communications', message.id, 'companies'), { [company.id]: ['HUBSPOT_DEFINED/87/null'] });
    assert.deepEqual(await v4Map('contacts', contact.id, 'communications'), { [message.id]: ['HUBSPOT_DEFINED/82/null'] });
    assert.deepEqual(await v4Map('companies', company.id, 'communications'), { [message.id]: ['HUBSPOT_DEFINED/88/null'] });
    // Object type ids work as path segments too.
    assert.deepEqual(await v4Map('0-18', message.id, '0-1'), { [contact.id]: ['HUBSPOT_DEFINED/81/null'] });

    const page = await v4.basicApi.getPage('contacts', contact.id, 'communications');
    assert.equal(page.results[0].toObjectId, Number(message.id));
    assert.equal(page.results[0].associationTypes[0].label, null, 'unlabelled types carry label null');
  });

  test('getById with associations returns them keyed by plural names', async () => {
    // getById(id, properties, propertiesWithHistory, associations, archived, idProperty)
    const got = await comms.getById(message.id, ['hs_communication_body'], undefined, ['contact', 'companies', 'deals']);
    assert.equal(got.properties.hs_communication_body, `message ${RUN}`);
    assert.deepEqual(Object.keys(got.associations).sort(), ['companies', 'contacts'], 'types without associations are absent');
    assert.deepEqual(v3Pairs(got, 'contacts'), [`${contact.id}:communication_to_contact`]);
    assert.deepEqual(v3Pairs(got, 'companies'), [`${company.id}:communication_to_company`]);
    assert.equal(got.associations.contacts.paging, undefined);

    const fromContact = await contacts.getById(contact.id, undefined, undefined, ['communications']);
    assert.deepEqual(v3Pairs(fromContact, 'communications'), [`${message.id}:contact_to_communication`]);
    const fromCompany = await companies.getById(company.id, undefined, undefined, ['communication']);
    assert.deepEqual(v3Pairs(fromCompany, 'communications'), [`${message.id}:company_to_communication`]);

    // Without the parameter no associations are returned.
    assert.equal((await comms.getById(message.id)).associations, undefined);
  });

  test('getPage with associations carries them on each record', async () => {
    // Spoke's list cursor is the id of the first record of the page.
    const page = await comms.getPage(1, message.id, undefined, undefined, ['contacts', 'companies']);
    assert.equal(page.results[0].id, message.id);
    assert.deepEqual(v3Pairs(page.results[0], 'contacts'), [`${contact.id}:communication_to_contact`]);
    assert.deepEqual(v3Pairs(page.results[0], 'companies'), [`${company.id}:communication_to_company`]);
  });

  test('associations on getById are paged by 100, and the link pages on', async () => {
    const busy = await newContact('busy');
    const made = [];
    for (let i = 0; i < 101; i += 20) {
      const chunk = [];
      for (let j = i; j < Math.min(101, i + 20); j++) {
        chunk.push(newMessage([inline(busy.id, AssociationTypes.communicationToContact)], `busy ${j} ${RUN}`));
      }
      made.push(...(await Promise.all(chunk)).map((m) => m.id));
    }
    made.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

    const got = await contacts.getById(busy.id, undefined, undefined, ['communications']);
    const first = got.associations.communications;
    assert.deepEqual(first.results.map((r) => r.id), made.slice(0, 100));
    assert.ok(first.results.every((r) => r.type === 'contact_to_communication'));
    const next = first.paging.next;
    assert.equal(next.after, made[100]);
    assert.ok(next.link.startsWith(`${SPOKE_URL}/crm/v3/objects/contacts/${busy.id}/associations/communications?`), next.link);

    // Users follow the link with the client's apiRequest.
    const res = await client.apiRequest({ overlapUrl: next.link });
    assert.equal(res.status, 200);
    const rest = await res.json();
    assert.deepEqual(rest, { results: [{ id: made[100], type: 'contact_to_communication' }] });

    // The v4 GET returns all 101 in one page of up to 500.
    assert.deepEqual(Object.keys(await v4Map('contacts', busy.id, 'communications')), made);
  });

  test('an unknown type in associations is a 400', async () => {
    let err;
    try {
      await comms.getById(message.id, undefined, undefined, [`carrier_pigeons_${RUN}`]);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof CommunicationsApiException, `got ${err}`);
    assert.equal(err.code, 400);
    assert.equal(err.body.message, `Unable to infer object type from: carrier_pigeons_${RUN}`);
  });

  test('invalid inline associations are a 400 and create nothing', async () => {
    // The type id must be written from the created object: 82 is contact→communication.
    const wrong = await expectApiError(() => newMessage([inline(contact.id, AssociationTypes.contactToCommunication)]),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.match(wrong.body.message, /^invalid from object type 0-18 for associations to be created\. expected: 0-1\./);

    const missing = await expectApiError(() => newMessage([inline(MISSING, AssociationTypes.communicationToContact)]),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.equal(missing.body.message, 'One or more associations are invalid');

    const unknown = await expectApiError(() => newMessage([{ to: { id: contact.id }, types: [spec(3, USER_DEFINED)] }]),
      CommunicationsApiException, 400, 'VALIDATION_ERROR');
    assert.deepEqual(unknown.body.context, {
      associationSpec: ['USER_DEFINED=3'],
      INVALID_ASSOCIATION_TYPE_ID: ['USER_DEFINED=3 is not a valid association definition id'],
    });

    assert.deepEqual(Object.keys(await v4Map('contacts', contact.id, 'communications')), [message.id], 'no message was created');
  });
});

// ------------------------------------------------------- v4 and the labels

describe('v4 associations: default, labelled, archive', () => {
  const name = `decision_maker_${RUN}`;
  const label = `Decision maker ${RUN}`;
  const inverseLabel = `Decided by ${RUN}`;
  let contact;
  let company;
  let labelId;
  let inverseId;

  before(async () => {
    contact = await newContact('grace');
    company = await newCompany('compilers');
  });

  test('definitionsApi.create makes a USER_DEFINED label in both directions', async () => {
    const created = await definitions.create('contacts', 'companies', { label, name, inverseLabel });
    const mine = created.results.find((r) => r.label === label);
    assert.ok(mine, `new label in ${JSON.stringify(created.results)}`);
    assert.equal(mine.category, 'USER_DEFINED');
    assert.equal(typeof mine.typeId, 'number');
    labelId = mine.typeId;

    const forward = await definitions.getAll('contacts', 'companies');
    assert.deepEqual({ ...forward.results.find((r) => r.typeId === labelId) }, { category: 'USER_DEFINED', typeId: labelId, label });
    // HubSpot's own types of the pair are listed too; the unlabelled one has label null.
    assert.deepEqual({ ...forward.results.find((r) => r.typeId === 279) }, { category: 'HUBSPOT_DEFINED', typeId: 279, label: null });
    assert.deepEqual({ ...forward.results.find((r) => r.typeId === 1) }, { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' });

    const backward = await definitions.getAll('companies', 'contacts');
    const inverse = backward.results.find((r) => r.label === inverseLabel);
    assert.ok(inverse, `inverse label in ${JSON.stringify(backward.results)}`);
    assert.equal(inverse.category, 'USER_DEFINED');
    assert.notEqual(inverse.typeId, labelId);
    inverseId = inverse.typeId;
    assert.ok(!backward.results.some((r) => r.typeId === labelId), 'the forward type is not listed backwards');
  });

  test('definitionsApi.create refuses a taken name and a malformed one', async () => {
    const err = await expectApiError(() => definitions.create('contacts', 'companies', { label: 'Again', name }),
      DefinitionsApiException, 409, 'CONFLICT');
    assert.ok(err.body.message.includes(name), err.body.message);
    await expectApiError(() => definitions.create('contacts', 'companies', { label: 'Bad name', name: 'Not A Valid Name!' }),
      DefinitionsApiException, 400, 'VALIDATION_ERROR');
  });

  test('createDefault associates the pair unlabelled and answers both directions', async () => {
    const res = await v4.basicApi.createDefault('contacts', contact.id, 'companies', company.id);
    assert.equal(res.status, 'COMPLETE');
    assert.ok(res.startedAt instanceof Date && res.completedAt instanceof Date);
    assert.ok(res.completedAt.getTime() >= res.startedAt.getTime());
    assert.deepEqual(res.results.map((r) => ({ from: r._from.id, to: r.to.id, spec: { ...r.associationSpec } })), [
      { from: contact.id, to: company.id, spec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 } },
      { from: company.id, to: contact.id, spec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 280 } },
    ]);

    // Again is harmless.
    await v4.basicApi.createDefault('contacts', contact.id, 'companies', company.id);
    assert.deepEqual(await v4Map('contacts', contact.id, 'companies'), { [company.id]: ['HUBSPOT_DEFINED/279/null'] });
    assert.deepEqual(await v4Map('companies', company.id, 'contacts'), { [contact.id]: ['HUBSPOT_DEFINED/280/null'] });
  });

  test('create with the custom label answers LabelsBetweenObjectPair with numeric ids', async () => {
    const res = await v4.basicApi.create('contacts', contact.id, 'companies', company.id, [spec(labelId, USER_DEFINED)]);
    assert.deepEqual({ ...res }, {
      fromObjectTypeId: '0-1',
      fromObjectId: Number(contact.id),
      toObjectTypeId: '0-2',
      toObjectId: Number(company.id),
      labels: [label],
    });
    assert.deepEqual(await v4Map('contacts', contact.id, 'companies'),
      { [company.id]: ['HUBSPOT_DEFINED/279/null', `USER_DEFINED/${labelId}/${label}`] });
    assert.deepEqual(await v4Map('companies', company.id, 'contacts'),
      { [contact.id]: ['HUBSPOT_DEFINED/280/null', `USER_DEFINED/${inverseId}/${inverseLabel}`] });
  });

  test('create replaces the labels of the pair', async () => {
    const res = await v4.basicApi.create('contacts', contact.id, 'companies', company.id,
      [spec(AssociationTypes.primaryContactToCompany)]);
    assert.deepEqual(res.labels, ['Primary']);
    assert.deepEqual(await v4Map('contacts', contact.id, 'companies'),
      { [company.id]: ['HUBSPOT_DEFINED/1/Primary', 'HUBSPOT_DEFINED/279/null'] });
    // v3 lists the company once per type, as HubSpot does.
    const v3 = await contacts.getById(contact.id, undefined, undefined, ['companies']);
    assert.deepEqual(v3Pairs(v3, 'companies'), [`${company.id}:contact_to_company`, `${company.id}:contact_to_company_unlabeled`]);

    // Labels on a fresh pair bring the unlabelled type along.
    const other = await newCompany('looms');
    const both = await v4.basicApi.create('contacts', contact.id, 'companies', other.id,
      [spec(labelId, USER_DEFINED), spec(AssociationTypes.primaryContactToCompany)]);
    assert.deepEqual([...both.labels].sort(), [label, 'Primary'].sort());
    // Primary is one company per contact: it moved to the new one.
    assert.deepEqual(await v4Map('contacts', contact.id, 'companies'), {
      [company.id]: ['HUBSPOT_DEFINED/279/null'],
      [other.id]: ['HUBSPOT_DEFINED/1/Primary', 'HUBSPOT_DEFINED/279/null', `USER_DEFINED/${labelId}/${label}`],
    });

    // The unlabelled type alone leaves no labels.
    const plain = await v4.basicApi.create('contacts', contact.id, 'companies', other.id, [spec(279)]);
    assert.deepEqual(plain.labels, []);
  });

  test('an invalid type is a 400 naming the spec, and changes nothing', async () => {
    const err = await expectApiError(
      () => v4.basicApi.create('contacts', contact.id, 'companies', company.id, [spec(AssociationTypes.communicationToContact)]),
      AssociationsV4ApiException, 400, 'VALIDATION_ERROR');
    assert.equal(err.body.message, 'One or more associations are invalid');
    assert.deepEqual(err.body.context.associationSpec, ['HUBSPOT_DEFINED=81']);
    assert.deepEqual((await v4Map('contacts', contact.id, 'companies'))[company.id], ['HUBSPOT_DEFINED/279/null']);
  });

  test('a missing record is a 404 naming which end is missing', async () => {
    const to = await expectApiError(() => v4.basicApi.createDefault('contacts', contact.id, 'companies', MISSING),
      AssociationsV4ApiException, 404, 'OBJECT_NOT_FOUND');
    assert.equal(to.body.subCategory, 'crm.associations.TO_OBJECT_NOT_FOUND');
    assert.equal(to.body.message, `No company with ID ${MISSING} exists`);
    const from = await expectApiError(() => v4.basicApi.getPage('contacts', MISSING, 'companies'),
      AssociationsV4ApiException, 404, 'OBJECT_NOT_FOUND');
    assert.equal(from.body.subCategory, 'crm.associations.FROM_OBJECT_NOT_FOUND');
    assert.deepEqual(from.body.context, { id: [MISSING], objectType: ['contact'] });
  });

  test('definitionsApi.update renames the label and its inverse', async () => {
    assert.equal(await definitions.update('contacts', 'companies',
      { associationTypeId: labelId, label: `Signer ${RUN}`, inverseLabel: `Signed by ${RUN}` }), undefined);
    const forward = await definitions.getAll('contacts', 'companies');
    assert.equal(forward.results.find((r) => r.typeId === labelId).label, `Signer ${RUN}`);
    const backward = await definitions.getAll('companies', 'contacts');
    assert.equal(backward.results.find((r) => r.typeId === inverseId).label, `Signed by ${RUN}`);

    // Associations carry the new label at once.
    const company2 = await newCompany('mills');
    await v4.basicApi.create('contacts', contact.id, 'companies', company2.id, [spec(labelId, USER_DEFINED)]);
    assert.deepEqual((await v4Map('companies', company2.id, 'contacts'))[contact.id],
      ['HUBSPOT_DEFINED/280/null', `USER_DEFINED/${inverseId}/Signed by ${RUN}`]);
  });

  test('archive removes every type between the pair, from both ends', async () => {
    const before = await v4Map('contacts', contact.id, 'companies');
    assert.ok(before[company.id]);
    assert.equal(await v4.basicApi.archive('contacts', contact.id, 'companies', company.id), undefined);
    const after = await v4Map('contacts', contact.id, 'companies');
    assert.equal(after[company.id], undefined);
    assert.equal(Object.keys(after).length, Object.keys(before).length - 1, 'other companies stay');
    assert.deepEqual(await v4Map('companies', company.id, 'contacts'), {});
    // Again, or for a pair never associated: still 204.
    assert.equal(await v4.basicApi.archive('contacts', contact.id, 'companies', company.id), undefined);
    assert.equal(await v4.basicApi.archive('contacts', contact.id, 'companies', MISSING), undefined);
  });

  test('definitionsApi.remove deletes the label and its associations', async () => {
    assert.equal(await definitions.remove('contacts', 'companies', labelId), undefined);
    const forward = await definitions.getAll('contacts', 'companies');
    assert.ok(!forward.results.some((r) => r.typeId === labelId), 'label gone');
    const backward = await definitions.getAll('companies', 'contacts');
    assert.ok(!backward.results.some((r) => r.typeId === inverseId), 'inverse gone');
    for (const types of Object.values(await v4Map('contacts', contact.id, 'companies'))) {
      assert.ok(types.every((t) => !t.startsWith('USER_DEFINED/')), `no custom label left: ${types}`);
    }
    await expectApiError(() => definitions.remove('contacts', 'companies', labelId), DefinitionsApiException, 404, 'OBJECT_NOT_FOUND');
    await expectApiError(() => definitions.remove('contacts', 'companies', 1), DefinitionsApiException, 404, 'OBJECT_NOT_FOUND');
    await expectApiError(() => v4.basicApi.create('contacts', contact.id, 'companies', company.id, [spec(labelId, USER_DEFINED)]),
      AssociationsV4ApiException, 400, 'VALIDATION_ERROR');
  });

  test('getPage pages with limit and after', async () => {
    const owner = await newContact('babbage');
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push((await newMessage([inline(owner.id, AssociationTypes.communicationToContact)], `paged ${i} ${RUN}`)).id);
    }
    const seen = [];
    let after;
    for (let i = 0; i < 10; i++) {
      // getPage(objectType, objectId, toObjectType, after, limit)
      const page = await v4.basicApi.getPage('contacts', owner.id, 'communications', after, 2);
      assert.ok(page.results.length <= 2);
      seen.push(...page.results.map((r) => String(r.toObjectId)));
      if (!page.paging) {
        break;
      }
      assert.equal(page.results.length, 2, 'only the last page is short');
      after = page.paging.next.after;
      assert.ok(page.paging.next.link.includes(`after=${after}`), page.paging.next.link);
    }
    assert.deepEqual(seen, made, 'every message once, in id order');
  });
});

// ----------------------------------------------------------------- v4 batch

describe('v4 batch associations', () => {
  let contact;
  let lonely;
  let messages;

  before(async () => {
    contact = await newContact('hedy');
    lonely = await newContact('lonely');
    messages = [];
    for (let i = 0; i < 4; i++) {
      messages.push(await newMessage([], `batch ${i} ${RUN}`));
    }
  });

  test('batchApi.create associates every input (201)', async () => {
    const res = await v4.batchApi.create('communications', 'contacts', {
      inputs: messages.slice(0, 2).map((m) => ({ _from: { id: m.id }, to: { id: contact.id }, types: [spec(81)] })),
    });
    assert.equal(res.status, 'COMPLETE');
    assert.equal(res.errors, undefined);
    assert.equal(res.numErrors, undefined);
    assert.ok(res.startedAt instanceof Date && res.completedAt instanceof Date);
    assert.deepEqual(res.results.map((r) => ({ ...r })), messages.slice(0, 2).map((m) => ({
      fromObjectTypeId: '0-18', fromObjectId: Number(m.id), toObjectTypeId: '0-1', toObjectId: Number(contact.id), labels: [],
    })));
  });

  test('batchApi.create reports failing inputs with 207 and keeps the rest', async () => {
    const res = await v4.batchApi.create('communications', 'contacts', {
      inputs: [
        { _from: { id: messages[2].id }, to: { id: contact.id }, types: [spec(81)] },
        { _from: { id: messages[3].id }, to: { id: MISSING }, types: [spec(81)] },
        { _from: { id: MISSING }, to: { id: contact.id }, types: [spec(81)] },
      ],
    });
    assert.equal(res.status, 'COMPLETE');
    assert.equal(res.numErrors, 2);
    assert.deepEqual(res.results.map((r) => r.fromObjectId), [Number(messages[2].id)]);
    const [toMissing, fromMissing] = res.errors;
    assert.equal(toMissing.status, 'error');
    assert.equal(toMissing.category, 'OBJECT_NOT_FOUND');
    assert.equal(toMissing.subCategory, 'crm.associations.TO_OBJECT_NOT_FOUND');
    assert.equal(toMissing.message, `No contact with ID ${MISSING} exists`);
    assert.deepEqual(toMissing.context, { id: [MISSING], objectType: ['contact'] });
    assert.equal(fromMissing.subCategory, 'crm.associations.FROM_OBJECT_NOT_FOUND');
    assert.equal(fromMissing.message, `No communication with ID ${MISSING} exists`);

    assert.deepEqual(Object.keys(await v4Map('contacts', contact.id, 'communications')), messages.slice(0, 3).map((m) => m.id));
  });

  test('batchApi.createDefault associates unlabelled, both directions', async () => {
    const res = await v4.batchApi.createDefault('communications', 'contacts', {
      inputs: [{ _from: { id: messages[3].id }, to: { id: contact.id } }],
    });
    assert.equal(res.status, 'COMPLETE');
    assert.deepEqual(res.results.map((r) => [r._from.id, r.to.id, r.associationSpec.associationCategory, r.associationSpec.associationTypeId]), [
      [messages[3].id, contact.id, 'HUBSPOT_DEFINED', 81],
      [contact.id, messages[3].id, 'HUBSPOT_DEFINED', 82],
    ]);
  });

  // HubSpot's spec gives batch/associate/default one success status, 200,
  // whose body carries errors: the client takes any other status (207
  // included) for a failure and throws.
  test('batchApi.createDefault reports failing inputs in its 200 and keeps the rest', async () => {
    const other = await newMessage([], `default ${RUN}`);
    const joan = await newContact('joan');
    const res = await v4.batchApi.createDefault('communications', 'contacts', {
      inputs: [
        { _from: { id: other.id }, to: { id: joan.id } },
        { _from: { id: other.id }, to: { id: MISSING } },
      ],
    });
    assert.equal(res.status, 'COMPLETE');
    assert.ok(res.startedAt instanceof Date && res.completedAt instanceof Date);
    assert.deepEqual(res.results.map((r) => [r._from.id, r.to.id, r.associationSpec.associationTypeId]), [
      [other.id, joan.id, 81],
      [joan.id, other.id, 82],
    ]);
    assert.equal(res.numErrors, 1);
    const [missing] = res.errors;
    assert.equal(missing.status, 'error');
    assert.equal(missing.category, 'OBJECT_NOT_FOUND');
    assert.equal(missing.subCategory, 'crm.associations.TO_OBJECT_NOT_FOUND');
    assert.equal(missing.message, `No contact with ID ${MISSING} exists`);
    assert.deepEqual(missing.context, { id: [MISSING], objectType: ['contact'] });
    assert.deepEqual(Object.keys(await v4Map('communications', other.id, 'contacts')), [joan.id]);

    // Every input failing is still a 200 with the errors.
    const none = await v4.batchApi.createDefault('communications', 'contacts', {
      inputs: [{ _from: { id: MISSING }, to: { id: joan.id } }],
    });
    assert.deepEqual(none.results, []);
    assert.equal(none.numErrors, 1);
    assert.equal(none.errors[0].subCategory, 'crm.associations.FROM_OBJECT_NOT_FOUND');
  });

  test('batchApi.getPage reads each record\'s associations, 207 for one without', async () => {
    const res = await v4.batchApi.getPage('contacts', 'communications', { inputs: [{ id: contact.id }, { id: lonely.id }] });
    assert.equal(res.status, 'COMPLETE');
    assert.equal(res.results.length, 1);
    const [read] = res.results;
    assert.equal(read._from.id, contact.id);
    assert.equal(read.paging, undefined);
    assert.deepEqual(read.to.map((t) => t.toObjectId), messages.map((m) => Number(m.id)));
    for (const t of read.to) {
      assert.deepEqual(t.associationTypes.map((a) => ({ ...a })), [{ category: 'HUBSPOT_DEFINED', typeId: 82, label: null }]);
    }
    assert.equal(res.numErrors, 1);
    assert.equal(res.errors[0].category, 'OBJECT_NOT_FOUND');
    assert.equal(res.errors[0].subCategory, 'crm.associations.NO_ASSOCIATIONS_FOUND');
    assert.equal(res.errors[0].message, `No communication is associated with contact ${lonely.id}.`);
    assert.deepEqual(res.errors[0].context, { fromObjectId: [lonely.id], fromObjectType: ['contact'], toObjectType: ['communication'] });

    // Read from the other end.
    const back = await v4.batchApi.getPage('communications', 'contacts', { inputs: messages.map((m) => ({ id: m.id })) });
    assert.equal(back.errors, undefined);
    assert.deepEqual(back.results.map((r) => [r._from.id, r.to.map((t) => t.toObjectId)]),
      messages.map((m) => [m.id, [Number(contact.id)]]));
  });

  test('batchApi.archive removes the listed pairs', async () => {
    assert.equal(await v4.batchApi.archive('contacts', 'communications', {
      inputs: [{ _from: { id: contact.id }, to: [{ id: messages[0].id }, { id: messages[1].id }] }],
    }), undefined);
    assert.deepEqual(Object.keys(await v4Map('contacts', contact.id, 'communications')), [messages[2].id, messages[3].id]);
    assert.deepEqual(await v4Map('communications', messages[0].id, 'contacts'), {});
  });

  test('batchApi.archiveLabels with the unlabelled type removes the association', async () => {
    assert.equal(await v4.batchApi.archiveLabels('contacts', 'communications', {
      inputs: [{ _from: { id: contact.id }, to: { id: messages[2].id }, types: [spec(82)] }],
    }), undefined);
    assert.deepEqual(Object.keys(await v4Map('contacts', contact.id, 'communications')), [messages[3].id]);
  });
});

// ---------------------------------------------------------------------- v3

describe('v3 associations', () => {
  let contact;
  let message;
  let other;

  before(async () => {
    contact = await newContact('katherine');
    message = await newMessage();
    other = await newMessage();
  });

  test('the client has no v3 object-level associations API', () => {
    // Older clients had client.crm.contacts.associationsApi (v3 paths); 14.x
    // dropped it in favour of client.crm.associations.v4.
    assert.equal(client.crm.contacts.associationsApi, undefined);
    assert.equal(client.crm.objects.communications.associationsApi, undefined);
  });

  test('schema.typesApi lists the v3 types of a pair', async () => {
    const res = await client.crm.associations.schema.typesApi.getAll('communications', 'contacts');
    // Labels other runs or users made on the pair may be listed too.
    assert.deepEqual({ ...res.results.find((r) => r.id === '81') }, { id: '81', name: 'communication_to_contact' });
    assert.ok(!res.results.some((r) => r.id === '82'), 'the inverse type belongs to contacts → communications');
    const labelled = await client.crm.associations.schema.typesApi.getAll('contacts', 'companies');
    assert.deepEqual(labelled.results.filter((r) => r.id === '1' || r.id === '279').map((r) => [r.id, r.name]),
      [['1', 'contact_to_company'], ['279', 'contact_to_company_unlabeled']]);
  });

  test('PUT, GET and DELETE on the v3 object paths (through apiRequest)', async () => {
    const put = await raw('PUT', `/crm/v3/objects/communications/${message.id}/associations/contacts/${contact.id}/communication_to_contact`);
    assert.equal(put.status, 200);
    assert.match(put.headers.get('content-type'), /^application\/json/);
    assert.equal(put.body.id, message.id);
    assert.deepEqual(put.body.associations.contacts.results, [{ id: contact.id, type: 'communication_to_contact' }]);

    // The numeric id works as the type too, from the other end.
    const put2 = await raw('PUT', `/crm/v3/objects/contacts/${contact.id}/associations/communications/${other.id}/82`);
    assert.equal(put2.status, 200);

    const list = await raw('GET', `/crm/v3/objects/contacts/${contact.id}/associations/communications`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, { results: [
      { id: message.id, type: 'contact_to_communication' },
      { id: other.id, type: 'contact_to_communication' },
    ] });
    // The v4 API sees the same store.
    assert.deepEqual(await v4Map('communications', other.id, 'contacts'), { [contact.id]: ['HUBSPOT_DEFINED/81/null'] });

    const del = await raw('DELETE', `/crm/v3/objects/communications/${message.id}/associations/contacts/${contact.id}/81`);
    assert.equal(del.status, 204);
    assert.equal(del.body, undefined);
    const after = await raw('GET', `/crm/v3/objects/communications/${message.id}/associations/contacts`);
    assert.deepEqual(after.body, { results: [] });

    const bad = await raw('PUT', `/crm/v3/objects/communications/${message.id}/associations/contacts/${contact.id}/contact_to_company`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.category, 'VALIDATION_ERROR');
  });

  test('batchApi create, read (207 for a record without) and archive', async () => {
    const batch = client.crm.associations.batchApi;
    const created = await batch.create('communications', 'contacts', {
      inputs: [{ _from: { id: message.id }, to: { id: contact.id }, type: 'communication_to_contact' }],
    });
    assert.equal(created.status, 'COMPLETE');
    assert.equal(created.errors, undefined);
    assert.deepEqual(created.results.map((r) => [r._from.id, r.to.id, r.type]), [[message.id, contact.id, 'communication_to_contact']]);

    const failed = await batch.create('communications', 'contacts', {
      inputs: [{ _from: { id: message.id }, to: { id: contact.id }, type: 'contact_to_communication' }],
    });
    assert.deepEqual(failed.results, []);
    assert.equal(failed.numErrors, 1);
    assert.equal(failed.errors[0].category, 'VALIDATION_ERROR');

    const lonely = await newMessage();
    const read = await batch.read('communications', 'contacts', { inputs: [{ id: message.id }, { id: lonely.id }] });
    assert.deepEqual(read.results.map((r) => [r._from.id, r.to.map((t) => `${t.id}:${t.type}`)]),
      [[message.id, [`${contact.id}:communication_to_contact`]]]);
    assert.equal(read.numErrors, 1);
    assert.equal(read.errors[0].subCategory, 'crm.associations.NO_ASSOCIATIONS_FOUND');
    assert.equal(read.errors[0].message, `No contact is associated with communication ${lonely.id}.`);

    assert.equal(await batch.archive('communications', 'contacts', {
      inputs: [{ _from: { id: message.id }, to: { id: contact.id }, type: 'communication_to_contact' }],
    }), undefined);
    assert.deepEqual(await v4Map('communications', message.id, 'contacts'), {});
  });
});

// ------------------------------------------------------------------ pinning

describe('pinning a message with hs_pinned_engagement_id', () => {
  let contact;
  let pinned;
  let stranger;

  before(async () => {
    contact = await newContact('margaret');
    pinned = await newMessage([inline(contact.id, AssociationTypes.communicationToContact)], `pin me ${RUN}`);
    stranger = await newMessage([], `not associated ${RUN}`);
  });

  test('an associated message can be pinned', async () => {
    const updated = await contacts.update(contact.id, { properties: { hs_pinned_engagement_id: pinned.id } });
    assert.equal(updated.properties.hs_pinned_engagement_id, pinned.id);
    const got = await contacts.getById(contact.id, ['hs_pinned_engagement_id']);
    assert.equal(got.properties.hs_pinned_engagement_id, pinned.id);
  });

  test('an unassociated message is a 400 INVALID_PINNED_ENGAGEMENT and the pin stays', async () => {
    const err = await expectApiError(() => contacts.update(contact.id, { properties: { hs_pinned_engagement_id: stranger.id } }),
      ContactsApiException, 400, 'VALIDATION_ERROR');
    assert.match(err.body.message, /^Property values were not valid: \[/);
    assert.equal(err.body.errors.length, 1);
    assert.equal(err.body.errors[0].code, 'INVALID_PINNED_ENGAGEMENT');
    assert.deepEqual(err.body.errors[0].context, { propertyName: ['hs_pinned_engagement_id'] });
    assert.ok(err.body.errors[0].message.includes(stranger.id), err.body.errors[0].message);

    // A missing activity, or a number as the client lets users send it.
    await expectApiError(() => contacts.update(contact.id, { properties: { hs_pinned_engagement_id: Number(MISSING) } }),
      ContactsApiException, 400, 'VALIDATION_ERROR');

    const got = await contacts.getById(contact.id, ['hs_pinned_engagement_id']);
    assert.equal(got.properties.hs_pinned_engagement_id, pinned.id);
  });

  test('a company can be created pinned to a message it is associated with in the same request', async () => {
    const message = await newMessage([], `company pin ${RUN}`);
    const company = await companies.create({
      properties: { name: `Pinned ${RUN}`, hs_pinned_engagement_id: Number(message.id) },
      associations: [inline(message.id, AssociationTypes.companyToCommunication)],
    });
    assert.equal(company.properties.hs_pinned_engagement_id, message.id);

    const err = await expectApiError(() => companies.create({
      properties: { name: `Not pinned ${RUN}`, hs_pinned_engagement_id: stranger.id },
      associations: [inline(message.id, AssociationTypes.companyToCommunication)],
    }), CompaniesApiException, 400, 'VALIDATION_ERROR');
    assert.equal(err.body.errors[0].code, 'INVALID_PINNED_ENGAGEMENT');

    // Removing the association lifts the pin.
    await v4.basicApi.archive('companies', company.id, 'communications', message.id);
    const got = await companies.getById(company.id, ['hs_pinned_engagement_id']);
    assert.equal(got.properties.hs_pinned_engagement_id, null);
  });

  for (const [name, api, typeToMessage, Exception, props] of [
    ['deal', () => client.crm.deals.basicApi, AssociationTypes.dealToCommunication, DealsApiException,
      () => ({ dealname: `Pinned deal ${RUN}`, dealstage: 'appointmentscheduled', pipeline: 'default' })],
    ['ticket', () => client.crm.tickets.basicApi, AssociationTypes.ticketToCommunication, TicketsApiException,
      () => ({ subject: `Pinned ticket ${RUN}`, hs_pipeline: '0', hs_pipeline_stage: '1' })],
  ]) {
    test(`a ${name} pins an associated message and refuses a stranger`, async () => {
      const message = await newMessage([], `${name} pin ${RUN}`);
      const record = await api().create({ properties: props(), associations: [inline(message.id, typeToMessage)] });
      const updated = await api().update(record.id, { properties: { hs_pinned_engagement_id: message.id } });
      assert.equal(updated.properties.hs_pinned_engagement_id, message.id);
      const err = await expectApiError(() => api().update(record.id, { properties: { hs_pinned_engagement_id: stranger.id } }),
        Exception, 400, 'VALIDATION_ERROR');
      assert.equal(err.body.errors[0].code, 'INVALID_PINNED_ENGAGEMENT');
      // An empty value unpins.
      const cleared = await api().update(record.id, { properties: { hs_pinned_engagement_id: '' } });
      assert.equal(cleared.properties.hs_pinned_engagement_id, undefined);
      assert.equal((await api().getById(record.id, ['hs_pinned_engagement_id'])).properties.hs_pinned_engagement_id, null);
    });
  }

  test('archiving the pinned message clears the pin', async () => {
    await comms.archive(pinned.id);
    const got = await contacts.getById(contact.id, ['hs_pinned_engagement_id'], ['hs_pinned_engagement_id']);
    assert.equal(got.properties.hs_pinned_engagement_id, null);
    const history = got.propertiesWithHistory.hs_pinned_engagement_id;
    assert.deepEqual(history.map((h) => h.value), ['', pinned.id], 'cleared, newest first');
    // It cannot be pinned again while archived.
    await expectApiError(() => contacts.update(contact.id, { properties: { hs_pinned_engagement_id: pinned.id } }),
      ContactsApiException, 400, 'VALIDATION_ERROR');
  });
});

// ---------------------------------------------------------- recycle bin

describe('restoring an archived message (Spoke extension)', () => {
  let contact;
  let company;
  let message;

  /** POST /_spoke/objects/{type}/{id}/restore: not part of HubSpot's API or client. */
  async function restore(type, id, token = SPOKE_TOKEN) {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const res = await fetch(`${SPOKE_URL}/_spoke/objects/${type}/${id}/restore`, { method: 'POST', headers });
    assert.match(res.headers.get('content-type'), /^application\/json/);
    return { status: res.status, body: await res.json() };
  }

  before(async () => {
    contact = await newContact('radia');
    company = await newCompany('spanning');
    message = await newMessage([
      inline(contact.id, AssociationTypes.communicationToContact),
      inline(company.id, AssociationTypes.communicationToCompany),
    ], `restore me ${RUN}`);
  });

  test('an archived message leaves its records\' association lists', async () => {
    assert.deepEqual(await v4Map('contacts', contact.id, 'communications'), { [message.id]: ['HUBSPOT_DEFINED/82/null'] });
    await comms.archive(message.id);

    assert.deepEqual(await v4Map('contacts', contact.id, 'communications'), {});
    assert.deepEqual(await v4Map('companies', company.id, 'communications'), {});
    const got = await contacts.getById(contact.id, undefined, undefined, ['communications']);
    assert.equal(got.associations, undefined);
    await expectApiError(() => v4.basicApi.getPage('communications', message.id, 'contacts'),
      AssociationsV4ApiException, 404, 'OBJECT_NOT_FOUND');
    await expectApiError(() => comms.getById(message.id), CommunicationsApiException, 404, 'OBJECT_NOT_FOUND');
  });

  test('restore brings it back with its associations', async () => {
    const before = Date.now();
    const res = await restore('communications', message.id);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, message.id);
    assert.equal(res.body.archived, false);
    assert.equal(res.body.archivedAt, undefined);
    assert.equal(res.body.properties.hs_communication_body, `restore me ${RUN}`);
    assert.equal(res.body.properties.hs_communication_channel_type, 'WHATS_APP');
    assert.ok(Date.parse(res.body.updatedAt) >= before - 2000, `updatedAt ${res.body.updatedAt}`);

    const got = await comms.getById(message.id, ['hs_communication_body'], undefined, ['contacts', 'companies']);
    assert.equal(got.archived, false);
    assert.equal(got.properties.hs_communication_body, `restore me ${RUN}`);
    assert.deepEqual(v3Pairs(got, 'contacts'), [`${contact.id}:communication_to_contact`]);
    assert.deepEqual(v3Pairs(got, 'companies'), [`${company.id}:communication_to_company`]);
    assert.deepEqual(await v4Map('contacts', contact.id, 'communications'), { [message.id]: ['HUBSPOT_DEFINED/82/null'] });
    assert.deepEqual(await v4Map('companies', company.id, 'communications'), { [message.id]: ['HUBSPOT_DEFINED/88/null'] });
  });

  test('an archived contact leaves the message\'s associations and comes back restored', async () => {
    await contacts.archive(contact.id);
    assert.deepEqual(await v4Map('communications', message.id, 'contacts'), {});
    assert.deepEqual(await v4Map('communications', message.id, 'companies'), { [company.id]: ['HUBSPOT_DEFINED/87/null'] });

    const res = await restore('contacts', contact.id);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, contact.id);
    assert.equal(res.body.properties.email, `radia+${RUN}@example.com`);
    assert.deepEqual(await v4Map('communications', message.id, 'contacts'), { [contact.id]: ['HUBSPOT_DEFINED/81/null'] });
    const got = await contacts.getById(`radia+${RUN}@example.com`, undefined, undefined, ['communications'], false, 'email');
    assert.equal(got.id, contact.id);
    assert.deepEqual(v3Pairs(got, 'communications'), [`${message.id}:contact_to_communication`]);
  });

  test('restore refuses live or missing records and unauthenticated calls', async () => {
    const live = await restore('communications', message.id);
    assert.equal(live.status, 404);
    assert.equal(live.body.category, 'OBJECT_NOT_FOUND');
    const missing = await restore('communications', MISSING);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body.context, { id: [MISSING] });
    const anonymous = await restore('communications', message.id, '');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.category, 'INVALID_AUTHENTICATION');
  });
});
