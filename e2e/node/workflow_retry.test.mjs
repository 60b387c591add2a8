// A connector's import, driven through HubSpot's official Node client
// (@hubspot/api-client) with its own retry policy (numberOfApiCallRetries)
// while Spoke refuses calls: 5xx from fault injection (/_spoke/faults), before
// and after the write, and 429s from the rate-limit emulation
// (/_spoke/rate-limit). The import uses only idempotent writes (upserts by
// email and by a unique message id, PATCH, v4 association creates), so every
// retried call must still leave exactly one record and one association per
// logical write.
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/workflow_retry.test.mjs
//
// SPOKE_TOKEN must hold spoke.admin. The file changes the fault rules and the
// rate-limit settings, so it must not share a server with other test files.
// The client's 10 s and 1 s back-offs after a 429 run on mocked timers.

import { describe, test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { RUN } from './helpers.mjs';

import { Client } from '@hubspot/api-client';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

// The client keeps its retry decorators in a process-wide singleton that each
// new Client replaces, and applies them when an API object is first built: so
// build each client's API objects right after the client.
const plain = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const check = {
  comms: plain.crm.objects.communications.searchApi,
  contacts: plain.crm.contacts.searchApi,
  v4: plain.crm.associations.v4.basicApi,
  properties: plain.crm.properties.coreApi,
  read: plain.crm.contacts.basicApi,
};
const retrying = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL, numberOfApiCallRetries: 6 });
const api = {
  contacts: retrying.crm.contacts.batchApi,
  contact: retrying.crm.contacts.basicApi,
  comms: retrying.crm.objects.communications.batchApi,
  assoc: retrying.crm.associations.v4.batchApi,
  search: retrying.crm.objects.communications.searchApi,
};

const COMMUNICATION_TO_CONTACT = 81;
const MESSAGE_ID = `wa_message_id_${RUN}`.toLowerCase();

async function control(method, path, body) {
  const res = await fetch(`${SPOKE_URL}/_spoke/${path}`, {
    method,
    headers: { Authorization: `Bearer ${SPOKE_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} /_spoke/${path}: ${res.status} ${await res.clone().text()}`);
  return res.status === 204 ? undefined : res.json();
}

// The RetryDecorator announces each retry on console.error:
// "Request failed with status code [502], will retry [1] time in [200] ms".
let retries = [];
const consoleError = console.error;
beforeEach(async () => {
  retries = [];
  console.error = (msg, ...rest) => {
    const m = /status code \[(\d+)\], will retry \[(\d+)\] time in \[(\d+)\] ms/.exec(String(msg));
    if (m) retries.push({ status: Number(m[1]), attempt: Number(m[2]), waitMs: Number(m[3]) });
    else consoleError(msg, ...rest);
  };
  await control('DELETE', 'faults');
  await control('PUT', 'rate-limit', { tier: 'professional', enforce: false, reset: true });
});
afterEach(async () => {
  console.error = consoleError;
  await control('DELETE', 'faults');
  await control('PUT', 'rate-limit', { enforce: false, reset: true });
});

/** The connector's import of one conversation per person; returns what it wrote. */
async function importConversations(people, perPerson, tag) {
  // 1. The people, upserted by email, 100 a call.
  const contactIds = new Map();
  for (let i = 0; i < people.length; i += 100) {
    const res = await api.contacts.upsert({
      inputs: people.slice(i, i + 100).map((email) => ({ id: email, idProperty: 'email', properties: { email, lastname: tag } })),
    });
    assert.equal(res.status, 'COMPLETE');
    for (const r of res.results) contactIds.set(r.properties.email, r.id);
  }
  assert.equal(contactIds.size, people.length);
  // 2. The messages, upserted by their WhatsApp message id, 100 a call.
  const messages = people.flatMap((email, p) => Array.from({ length: perPerson }, (_, k) => ({
    key: `${tag}-${p}-${k}`,
    email,
    properties: {
      [MESSAGE_ID]: `${tag}-${p}-${k}`,
      hs_timestamp: String(Date.UTC(2026, 5, 1) + p * 1e6 + k * 1000),
      hs_communication_channel_type: 'WHATS_APP',
      hs_communication_logged_from: 'CRM',
      hs_communication_body: `message ${k} to ${email}`,
    },
  })));
  const messageIds = new Map();
  for (let i = 0; i < messages.length; i += 100) {
    const res = await api.comms.upsert({
      inputs: messages.slice(i, i + 100).map((m) => ({ id: m.key, idProperty: MESSAGE_ID, properties: m.properties })),
    });
    assert.equal(res.status, 'COMPLETE');
    for (const r of res.results) messageIds.set(r.properties[MESSAGE_ID], r.id);
  }
  assert.equal(messageIds.size, messages.length);
  // 3. Each message associated with its person, 100 a call.
  for (let i = 0; i < messages.length; i += 100) {
    const res = await api.assoc.create('communications', 'contacts', {
      inputs: messages.slice(i, i + 100).map((m) => ({
        _from: { id: messageIds.get(m.key) },
        to: { id: contactIds.get(m.email) },
        types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: COMMUNICATION_TO_CONTACT }],
      })),
    });
    assert.equal(res.status, 'COMPLETE');
  }
  // 4. The newest message pinned on each person (a PATCH per person).
  for (const [p, email] of people.entries()) {
    const newest = messageIds.get(`${tag}-${p}-${perPerson - 1}`);
    const res = await api.contact.update(contactIds.get(email), { properties: { hs_pinned_engagement_id: newest } });
    assert.equal(res.properties.hs_pinned_engagement_id, newest);
  }
  return { contactIds, messageIds };
}

/** Checks through a client without retries that each logical write left exactly one trace. */
async function assertExactlyOnce(tag, people, perPerson, { contactIds, messageIds }) {
  const contacts = await check.contacts.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'EQ', value: tag }] }],
    properties: ['email', 'hs_pinned_engagement_id'],
    limit: 200,
  });
  assert.equal(contacts.total, people.length, 'one contact per email');
  let after;
  const seen = new Set();
  do {
    const page = await check.comms.doSearch({
      filterGroups: [{ filters: [{ propertyName: MESSAGE_ID, operator: 'HAS_PROPERTY' }, { propertyName: 'hs_communication_channel_type', operator: 'EQ', value: 'WHATS_APP' }] }],
      properties: [MESSAGE_ID],
      limit: 200,
      after,
    });
    for (const r of page.results) {
      if (!r.properties[MESSAGE_ID].startsWith(`${tag}-`)) continue;
      assert.ok(!seen.has(r.properties[MESSAGE_ID]), `two messages with id ${r.properties[MESSAGE_ID]}`);
      seen.add(r.properties[MESSAGE_ID]);
    }
    after = page.paging?.next?.after;
  } while (after);
  assert.equal(seen.size, people.length * perPerson, 'one message per message id');
  for (const [p, email] of people.entries()) {
    const contactId = contactIds.get(email);
    const page = await check.v4.getPage('contacts', contactId, 'communications', undefined, 500);
    const ids = page.results.map((r) => String(r.toObjectId)).sort();
    const want = Array.from({ length: perPerson }, (_, k) => messageIds.get(`${tag}-${p}-${k}`)).sort();
    assert.deepEqual(ids, want, `the messages of ${email}`);
    for (const r of page.results) {
      const hubspotDefined = r.associationTypes.filter((t) => t.category === 'HUBSPOT_DEFINED');
      assert.equal(hubspotDefined.length, 1, `association types ${JSON.stringify(r.associationTypes)}`);
    }
    const contact = await check.read.getById(contactId, ['hs_pinned_engagement_id']);
    assert.equal(contact.properties.hs_pinned_engagement_id, messageIds.get(`${tag}-${p}-${perPerson - 1}`));
  }
}

function people(tag, n) {
  return Array.from({ length: n }, (_, i) => `${tag}.${i}@example.com`);
}

describe('a connector import retried by the client', () => {
  test('the unique message id property', async () => {
    const prop = await check.properties.create('communications', {
      name: MESSAGE_ID,
      label: 'WhatsApp message id',
      type: 'string',
      fieldType: 'text',
      groupName: 'communicationinformation',
      hasUniqueValue: true,
    });
    assert.equal(prop.hasUniqueValue, true);
  });

  test('5xx answers before and after each kind of write: one record and one association per write', async () => {
    const tag = `faults${RUN}`;
    const who = people(tag, 3);
    await control('POST', 'faults', {
      seed: 7,
      rules: [
        { method: 'POST', path: '/crm/v3/objects/contacts/batch/upsert', status: 502, when: 'after', times: 1 },
        { method: 'POST', path: '/crm/v3/objects/communications/batch/upsert', status: 504, when: 'after', times: 2 },
        { method: 'POST', path: '/crm/v3/objects/communications/batch/upsert', status: 503, times: 1 },
        { method: 'POST', path: '/crm/v4/associations/*/*/batch/create', status: 502, when: 'after', times: 1 },
        { method: 'POST', path: '/crm/v4/associations/*/*/batch/create', status: 500, times: 1 },
        { method: 'PATCH', path: '/crm/v3/objects/contacts/*', status: 502, when: 'after', times: 2 },
      ],
    });
    const wrote = await importConversations(who, 40, tag);
    const { rules } = await control('GET', 'faults');
    assert.deepEqual(rules.map((r) => r.fired), [1, 2, 1, 1, 1, 2], 'every fault fired');
    assert.equal(retries.length, 8);
    assert.ok(retries.every((r) => r.status >= 500 && r.waitMs === 200));
    await assertExactlyOnce(tag, who, 40, wrote);
  });

  test('random 5xx on every write, replayable by seed', async () => {
    const tag = `random${RUN}`;
    const who = people(tag, 4);
    await control('POST', 'faults', {
      rules: [
        { method: 'POST', path: '/crm/**', status: 502, when: 'after', probability: 0.3, seed: 11 },
        { method: 'PATCH', path: '/crm/**', status: 503, when: 'after', probability: 0.3, seed: 12 },
      ],
    });
    const wrote = await importConversations(who, 30, tag);
    const { rules } = await control('GET', 'faults');
    assert.ok(rules[0].fired + rules[1].fired > 0, 'no fault fired');
    await control('DELETE', 'faults');
    await assertExactlyOnce(tag, who, 30, wrote);
  });

  test('a cleanup whose deletes answer 5xx after deleting: the client\'s retries succeed', async () => {
    const tag = `cleanup${RUN}`;
    const who = people(tag, 2);
    const wrote = await importConversations(who, 6, tag);
    const [first, second] = who.map((email) => wrote.contactIds.get(email));
    const messagesOf = (p) => Array.from({ length: 6 }, (_, k) => wrote.messageIds.get(`${tag}-${p}-${k}`));
    await control('POST', 'faults', {
      rules: [
        { method: 'DELETE', path: '/crm/v4/objects/**', status: 502, when: 'after', times: 1 },
        { method: 'POST', path: '/crm/v4/associations/*/*/batch/archive', status: 504, when: 'after', times: 1 },
        { method: 'POST', path: '/crm/v3/objects/*/batch/archive', status: 503, when: 'after', times: 1 },
        { method: 'DELETE', path: '/crm/v3/objects/contacts/*', status: 502, when: 'after', times: 1 },
      ],
    });
    // Unlink one message, then the rest of the first person's, then archive
    // the second person's messages and the first person.
    await retrying.crm.associations.v4.basicApi.archive('contacts', first, 'communications', messagesOf(0)[0]);
    await api.assoc.archive('contacts', 'communications', { inputs: [{ _from: { id: first }, to: messagesOf(0).slice(1).map((id) => ({ id })) }] });
    await api.comms.archive({ inputs: messagesOf(1).map((id) => ({ id })) });
    await api.contact.archive(first);
    const { rules } = await control('GET', 'faults');
    assert.deepEqual(rules.map((r) => r.fired), [1, 1, 1, 1]);
    assert.equal(retries.length, 4);
    await control('DELETE', 'faults');
    assert.deepEqual((await check.v4.getPage('contacts', second, 'communications')).results, []);
    const gone = await check.read.getById(first, ['email'], undefined, undefined, true);
    assert.equal(gone.archived, true);
    for (const id of messagesOf(0)) {
      assert.deepEqual((await plain.crm.associations.v4.basicApi.getPage('communications', id, 'contacts')).results, []);
    }
  });

  test('429 TEN_SECONDLY_ROLLING on a tight limit: retried after the client\'s back-off, nothing doubled', async () => {
    const tag = `limited${RUN}`;
    const who = people(tag, 3);
    await control('PUT', 'rate-limit', { enforce: true, tenSecondlyLimit: 3, reset: true });
    // The client waits 10 s × attempt after each 429; on mocked timers the
    // test ticks the wait away once it has reset Spoke's window (what the
    // 10 s would do).
    mock.timers.enable({ apis: ['setTimeout'] });
    let wrote;
    try {
      let done = false;
      const pending = importConversations(who, 20, tag).then((w) => { wrote = w; }).finally(() => { done = true; });
      let handled = 0;
      while (!done) {
        await new Promise((resolve) => setImmediate(resolve));
        while (handled < retries.length) {
          const r = retries[handled++];
          assert.equal(r.status, 429);
          assert.equal(r.waitMs, 10000);
          await control('PUT', 'rate-limit', { reset: true });
          mock.timers.tick(r.waitMs * r.attempt);
        }
      }
      await pending;
    } finally {
      mock.timers.reset();
    }
    // Six calls (three upserts and association creates, three PATCHes)
    // against a window of three: some were refused and retried.
    assert.ok(retries.length >= 1, 'no call was refused');
    await control('PUT', 'rate-limit', { enforce: false, reset: true });
    await assertExactlyOnce(tag, who, 20, wrote);
  });

  test('search\'s secondly limit while paging: the client waits and the pages stay whole', async () => {
    const tag = `paging${RUN}`;
    const who = people(tag, 1);
    const wrote = await importConversations(who, 90, tag);
    await control('PUT', 'rate-limit', { enforce: true, searchPerSecondLimit: 1, reset: true });
    mock.timers.enable({ apis: ['setTimeout'] });
    const seen = [];
    try {
      let done = false;
      const paging = (async () => {
        let after;
        do {
          const page = await api.search.doSearch({
            filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: wrote.contactIds.get(who[0]) }] }],
            sorts: [{ propertyName: 'hs_timestamp', direction: 'ASCENDING' }],
            properties: [MESSAGE_ID],
            limit: 20,
            after,
          });
          assert.equal(page.total, 90);
          seen.push(...page.results.map((r) => r.id));
          after = page.paging?.next?.after;
        } while (after);
      })().finally(() => { done = true; });
      let handled = 0;
      while (!done) {
        await new Promise((resolve) => setImmediate(resolve));
        while (handled < retries.length) {
          const r = retries[handled++];
          assert.equal(r.status, 429);
          assert.equal(r.waitMs, 1000);
          await control('PUT', 'rate-limit', { reset: true });
          mock.timers.tick(r.waitMs * r.attempt);
        }
      }
      await paging;
    } finally {
      mock.timers.reset();
    }
    assert.ok(retries.length >= 1, 'no search was refused');
    assert.equal(new Set(seen).size, 90);
    assert.equal(seen.length, 90);
    assert.deepEqual(new Set(seen), new Set(wrote.messageIds.values()));
  });
});
