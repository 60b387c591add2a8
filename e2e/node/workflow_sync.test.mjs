// Whole workflows of a messaging connector and of a sync job, driven through
// HubSpot's official Node client (@hubspot/api-client) the way such
// integrations drive HubSpot: contacts upserted by email (also by several
// clients at once), messages created in batches of 100 with inline
// associations, a contact's messages paged through v4 associations, the v4
// batch read and search while a second client keeps writing, lists and
// keyset searches paged while it creates and deletes, and an incremental pull
// by hs_lastmodifieddate while records keep changing. Paging must never
// repeat a record nor skip one that was there throughout.
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/workflow_sync.test.mjs
//
// Records are unique to the run (RUN), so the file can run again against the
// same server.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN } from './helpers.mjs';

import { Client } from '@hubspot/api-client';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

// The connector, and a second integration writing to the same account.
const connector = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const other = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });

const COMMUNICATION_TO_CONTACT = 81;
const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED';

/** A message for contactId at time ts (ms), as a batch create input. */
function messageInput(contactId, ts, body, channel = 'WHATS_APP') {
  return {
    properties: {
      hs_timestamp: String(ts),
      hs_communication_channel_type: channel,
      hs_communication_logged_from: 'CRM',
      hs_communication_body: body,
    },
    associations: [{ to: { id: contactId }, types: [{ associationCategory: HUBSPOT_DEFINED, associationTypeId: COMMUNICATION_TO_CONTACT }] }],
  };
}

/** Creates inputs in batches of 100 (HubSpot's batch limit); returns the ids in input order. */
async function createMessages(client, inputs) {
  const ids = [];
  for (let i = 0; i < inputs.length; i += 100) {
    // Each input carries a trace id, as connectors do to match results.
    const chunk = inputs.slice(i, i + 100).map((input, k) => ({ ...input, objectWriteTraceId: `${i + k}` }));
    const res = await client.crm.objects.communications.batchApi.create({ inputs: chunk });
    assert.equal(res.status, 'COMPLETE');
    assert.equal(res.results.length, chunk.length);
    // Batch results are not promised in input order: match them by trace id.
    const byTrace = new Map(res.results.map((r) => [r.objectWriteTraceId, r]));
    for (const input of chunk) {
      const r = byTrace.get(input.objectWriteTraceId);
      assert.ok(r, `no result for trace id ${input.objectWriteTraceId}`);
      assert.equal(r.properties.hs_communication_body, input.properties.hs_communication_body);
      ids.push(r.id);
    }
  }
  return ids;
}

/** Upserts contacts by email; returns the response results keyed by lower-case email. */
async function upsertContacts(client, people) {
  const res = await client.crm.contacts.batchApi.upsert({
    inputs: people.map((p) => ({ id: p.email, idProperty: 'email', properties: p })),
  });
  assert.equal(res.status, 'COMPLETE');
  assert.equal(res.results.length, people.length);
  // Spoke keeps an email as last written: key the results in lower case.
  return new Map(res.results.map((r) => [r.properties.email.toLowerCase(), r]));
}

/** Every id, in order, once: fails on a repeat. */
function assertNoRepeats(ids, what) {
  const seen = new Set();
  for (const id of ids) {
    assert.ok(!seen.has(id), `${what}: ${id} seen twice`);
    seen.add(id);
  }
  return seen;
}

/** Runs write() again and again until stop() says so; returns the ids it wrote. */
function keepWriting(write) {
  let stopped = false;
  const written = [];
  const done = (async () => {
    while (!stopped) written.push(...(await write()));
  })();
  return {
    written,
    async stop() {
      stopped = true;
      await done;
      return written;
    },
  };
}

describe('a messaging connector syncs its messages', () => {
  const people = Array.from({ length: 30 }, (_, i) => ({
    email: `sync${i}+${RUN}@example.com`,
    firstname: `Person${i}`,
    lastname: RUN,
  }));
  let contacts; // lower-case email -> upsert result
  let ana; // the contact whose conversation is long
  const base = Date.UTC(2026, 0, 1) + Math.floor(Math.random() * 1e9); // the conversation's first message time
  let conversation; // ids of ana's messages, oldest first

  test('upserting the contacts by email twice keeps one record each', async () => {
    contacts = await upsertContacts(connector, people);
    for (const r of contacts.values()) assert.equal(r._new, true, `${r.properties.email} was not new`);
    // A second sync of the same people (one now named differently, and the
    // emails as another system spells them) updates, never duplicates.
    const again = await upsertContacts(connector, people.map((p, i) => ({
      ...p,
      email: i % 2 === 0 ? p.email.toUpperCase() : p.email,
      firstname: i === 0 ? 'Renamed' : p.firstname,
    })));
    for (const p of people) {
      const r = again.get(p.email);
      assert.ok(r, `no result for ${p.email} in ${JSON.stringify([...again.keys()])}`);
      assert.equal(r._new, false, `${p.email} was created again`);
      assert.equal(r.id, contacts.get(p.email).id);
    }
    assert.equal(again.get(people[0].email).properties.firstname, 'Renamed');
    const found = await connector.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'EQ', value: RUN }] }],
      properties: ['email'],
      limit: 100,
    });
    assert.equal(found.total, people.length);
    ana = contacts.get(people[0].email).id;
  });

  test('concurrent upserts of the same new emails from several clients make one contact each', async () => {
    // Webhook-driven connectors upsert the sender of each incoming message
    // as it arrives: the same new address from several workers at once.
    const tag = `race${RUN}`;
    const fresh = Array.from({ length: 20 }, (_, i) => ({ email: `race${i}+${RUN}@example.com`, lastname: tag }));
    const workers = [connector, other, connector, other, connector];
    const answers = await Promise.all(workers.map((client, w) => {
      const order = w % 2 === 0 ? fresh : [...fresh].reverse();
      return upsertContacts(client, order.map((p) => ({ ...p, firstname: `worker${w}` })));
    }));
    for (const p of fresh) {
      const ids = new Set(answers.map((a) => a.get(p.email).id));
      assert.equal(ids.size, 1, `${p.email} got ids ${[...ids]}`);
      assert.equal(answers.filter((a) => a.get(p.email)._new).length, 1, `${p.email}: not exactly one upsert created it`);
    }
    const found = await connector.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'EQ', value: tag }] }],
      limit: 100,
    });
    assert.equal(found.total, fresh.length);
  });

  test('messages created in batches of 100 with inline associations', async () => {
    // 250 messages; every fifth pair shares its time, as imports of one
    // conversation minute do.
    const inputs = Array.from({ length: 250 }, (_, i) => messageInput(ana, base + Math.floor(i / 2) * 1000, `conv ${i} ${RUN}`));
    // Other contacts get messages at the same times, interleaved by a second client.
    const others = [...contacts.values()].slice(1, 6).flatMap((c, k) =>
      Array.from({ length: 20 }, (_, i) => messageInput(c.id, base + i * 7000, `other ${k}-${i} ${RUN}`, 'SMS')));
    const [mine] = await Promise.all([createMessages(connector, inputs), createMessages(other, others)]);
    conversation = mine;
    assertNoRepeats(conversation, 'created ids');
    const read = await connector.crm.objects.communications.batchApi.read({
      inputs: conversation.slice(0, 100).map((id) => ({ id })),
      properties: ['hs_communication_body', 'hs_timestamp'],
    });
    assert.equal(read.results.length, 100);
  });

  test('v4 association pages: none repeated or skipped while another client adds messages', async () => {
    const pageSize = 37;
    const before = new Set(conversation);
    let n = 0;
    const writer = keepWriting(() => createMessages(other, [messageInput(ana, base + 9e8 + n, `live v4 ${n++} ${RUN}`)]));
    const seen = [];
    let after;
    let pages = 0;
    try {
      do {
        const page = await connector.crm.associations.v4.basicApi.getPage('contacts', ana, 'communications', after, pageSize);
        for (const r of page.results) {
          assert.equal(String(r.toObjectId), String(Number(r.toObjectId)), 'toObjectId is numeric');
          assert.ok(r.associationTypes.some((t) => t.category === HUBSPOT_DEFINED), JSON.stringify(r.associationTypes));
          seen.push(String(r.toObjectId));
        }
        after = page.paging?.next?.after;
        pages++;
        // Between pages the other client certainly writes one more.
        await createMessages(other, [messageInput(ana, base + 9e8 + n, `live v4 ${n++} ${RUN}`)]);
      } while (after);
    } finally {
      await writer.stop();
    }
    const seenSet = assertNoRepeats(seen, 'v4 paging');
    for (const id of before) assert.ok(seenSet.has(id), `message ${id}, there before paging began, was skipped`);
    assert.ok(pages >= Math.ceil(before.size / pageSize));
    const total = await countAssociated(ana);
    assert.ok(total >= seenSet.size);
    // Everything written is now associated.
    assert.equal(total, before.size + writer.written.length + pages);
  });

  test('search by hs_timestamp range: offsets hold while later messages arrive', async () => {
    const from = base;
    const to = base + 124 * 1000; // the whole conversation (times base .. base+124 s)
    const want = new Set(conversation);
    const search = (after) => connector.crm.objects.communications.searchApi.doSearch({
      filterGroups: [{
        filters: [
          { propertyName: 'hs_timestamp', operator: 'BETWEEN', value: String(from), highValue: String(to) },
          { propertyName: 'associations.contact', operator: 'EQ', value: ana },
        ],
      }],
      sorts: [{ propertyName: 'hs_timestamp', direction: 'ASCENDING' }],
      properties: ['hs_timestamp', 'hs_communication_body'],
      limit: 50,
      after,
    });
    // The other client writes messages after the range (what a live chat
    // adds while a backfill pages): they must not disturb the pages.
    let n = 0;
    const writer = keepWriting(() => createMessages(other, [messageInput(ana, to + 1000 + n, `live search ${n++} ${RUN}`)]));
    const seen = [];
    const totals = [];
    let last = -Infinity;
    let after;
    try {
      do {
        const page = await search(after);
        totals.push(page.total);
        for (const r of page.results) {
          const ts = Date.parse(r.properties.hs_timestamp);
          assert.ok(ts >= last, `out of order: ${r.properties.hs_timestamp} after ${last} ms`);
          last = ts;
          seen.push(r.id);
        }
        after = page.paging?.next?.after;
        await createMessages(other, [messageInput(ana, to + 1000 + n, `live search ${n++} ${RUN}`)]);
      } while (after);
    } finally {
      await writer.stop();
    }
    const seenSet = assertNoRepeats(seen, 'search paging');
    assert.deepEqual([...seenSet].sort(), [...want].sort());
    assert.deepEqual(totals, totals.map(() => want.size), 'total changed while paging');
  });

  test('search by hs_timestamp range: messages arriving inside the range are appended, none repeated', async () => {
    // Here the live messages fall inside the range, after every message
    // already there: an offset cursor must still see each old one once.
    const from = base;
    const to = base + 1e12;
    const startTotal = (await connector.crm.objects.communications.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: ana }, { propertyName: 'hs_timestamp', operator: 'GTE', value: String(from) }] }],
      limit: 1,
    })).total;
    let after;
    const pages = [];
    let n = 0;
    const writer = keepWriting(() => createMessages(other, [messageInput(ana, base + 9e11 + n, `inside ${n++} ${RUN}`)]));
    try {
      do {
        const page = await connector.crm.objects.communications.searchApi.doSearch({
          filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: ana }, { propertyName: 'hs_timestamp', operator: 'BETWEEN', value: String(from), highValue: String(to) }] }],
          sorts: [{ propertyName: 'hs_timestamp', direction: 'ASCENDING' }],
          limit: 100,
          after,
        });
        pages.push(page);
        after = page.paging?.next?.after;
      } while (after);
    } finally {
      await writer.stop();
    }
    const seen = pages.flatMap((p) => p.results.map((r) => r.id));
    const seenSet = assertNoRepeats(seen, 'search paging with inserts');
    // The total only grows: nothing there at the start goes missing.
    for (let i = 1; i < pages.length; i++) assert.ok(pages[i].total >= pages[i - 1].total);
    assert.ok(seenSet.size >= startTotal, `saw ${seenSet.size} of the ${startTotal} there at the start`);
    for (const id of conversation) assert.ok(seenSet.has(id), `${id} skipped`);
  });
});

describe('paging through lists while another client creates and deletes', () => {
  test('the contacts list: every record there throughout is seen once', async () => {
    const tag = `list${RUN}`;
    const made = await upsertContacts(connector, Array.from({ length: 60 }, (_, i) => ({ email: `list${i}+${RUN}@example.com`, lastname: tag })));
    const mine = [...made.values()].map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    // The other client deletes every fifth of them as paging goes (some
    // before the cursor reaches them, some after) and adds new contacts.
    const doomed = mine.filter((_, i) => i % 5 === 2);
    const seen = [];
    let after;
    let step = 0;
    do {
      const page = await connector.crm.contacts.basicApi.getPage(7, after, ['email']);
      seen.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
      const victim = doomed[step++];
      await Promise.all([
        victim && other.crm.contacts.basicApi.archive(victim),
        other.crm.contacts.basicApi.create({ properties: { email: `listnew${step}+${RUN}@example.com`, lastname: tag } }),
      ]);
    } while (after);
    const seenSet = assertNoRepeats(seen, 'list paging');
    for (const id of mine) {
      if (!doomed.includes(id)) assert.ok(seenSet.has(id), `contact ${id} skipped`);
    }
  });

  test('v4 associations: those kept throughout are seen once while others are removed and added', async () => {
    const contact = (await upsertContacts(connector, [{ email: `assocpage+${RUN}@example.com` }])).get(`assocpage+${RUN}@example.com`).id;
    const ids = await createMessages(connector, Array.from({ length: 45 }, (_, i) => messageInput(contact, Date.UTC(2026, 1, 1) + i, `assoc page ${i} ${RUN}`)));
    const removed = ids.filter((_, i) => i % 4 === 1);
    const seen = [];
    let after;
    let step = 0;
    do {
      const page = await connector.crm.associations.v4.basicApi.getPage('contacts', contact, 'communications', after, 5);
      seen.push(...page.results.map((r) => String(r.toObjectId)));
      after = page.paging?.next?.after;
      // The other client unlinks one message and archives another, and logs a new one.
      const unlink = removed[2 * step];
      const archive = removed[2 * step + 1];
      step++;
      await Promise.all([
        unlink && other.crm.associations.v4.basicApi.archive('communications', unlink, 'contacts', contact),
        archive && other.crm.objects.communications.basicApi.archive(archive),
        createMessages(other, [messageInput(contact, Date.UTC(2026, 1, 2) + step, `assoc new ${step} ${RUN}`)]),
      ]);
    } while (after);
    const seenSet = assertNoRepeats(seen, 'v4 paging with removals');
    for (const id of ids) {
      if (!removed.includes(id)) assert.ok(seenSet.has(id), `message ${id} skipped`);
    }
  });

  test('v4 batch read of many contacts, following each input\'s after, while messages are added', async () => {
    const made = await upsertContacts(connector, ['big', 'small', 'none'].map((k) => ({ email: `batchread${k}+${RUN}@example.com` })));
    const [big, small, none] = ['big', 'small', 'none'].map((k) => made.get(`batchread${k}+${RUN}@example.com`).id);
    const bigIds = await createMessages(connector, Array.from({ length: 620 }, (_, i) => messageInput(big, Date.UTC(2026, 2, 1) + i, `batch read ${i} ${RUN}`)));
    const smallIds = await createMessages(connector, Array.from({ length: 3 }, (_, i) => messageInput(small, Date.UTC(2026, 2, 1) + i, `batch small ${i} ${RUN}`)));
    const seen = { [big]: [], [small]: [], [none]: [] };
    let inputs = [{ id: big }, { id: small }, { id: none }];
    let n = 0;
    while (inputs.length) {
      const res = await connector.crm.associations.v4.batchApi.getPage('contacts', 'communications', { inputs });
      inputs = [];
      for (const r of res.results) {
        seen[r._from.id].push(...r.to.map((t) => String(t.toObjectId)));
        const after = r.paging?.next?.after;
        if (after) inputs.push({ id: r._from.id, after });
      }
      // Meanwhile the other client logs more messages for both.
      await createMessages(other, [messageInput(big, Date.now(), `batch live ${n++} ${RUN}`), messageInput(small, Date.now(), `batch live ${n++} ${RUN}`)]);
    }
    const bigSeen = assertNoRepeats(seen[big], 'v4 batch read');
    for (const id of bigIds) assert.ok(bigSeen.has(id), `message ${id} skipped`);
    assert.ok(bigSeen.size >= 620 && bigSeen.size <= 620 + n, `${bigSeen.size} seen`);
    assert.deepEqual(seen[small].filter((id) => smallIds.includes(id)).sort(), [...smallIds].sort());
    assert.deepEqual(seen[none], []);
  });

  test('search keyset by hs_object_id: every record there throughout is seen once', async () => {
    const tag = `keyset${RUN}`;
    const made = await upsertContacts(connector, Array.from({ length: 40 }, (_, i) => ({ email: `keyset${i}+${RUN}@example.com`, lastname: tag })));
    const mine = [...made.values()].map((r) => r.id);
    const doomed = mine.filter((_, i) => i % 6 === 0);
    let cursor = '0';
    const seen = [];
    let step = 0;
    for (;;) {
      const page = await connector.crm.contacts.searchApi.doSearch({
        filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'EQ', value: tag }, { propertyName: 'hs_object_id', operator: 'GT', value: cursor }] }],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        limit: 6,
      });
      seen.push(...page.results.map((r) => r.id));
      // A page short of the limit is the last: the job is caught up (the
      // contacts added meanwhile are for its next run).
      if (page.results.length < 6) break;
      cursor = page.results.at(-1).id;
      const victim = doomed[step++];
      await Promise.all([
        victim && other.crm.contacts.basicApi.archive(victim),
        other.crm.contacts.basicApi.create({ properties: { email: `keysetnew${step}+${RUN}@example.com`, lastname: tag } }),
      ]);
    }
    const seenSet = assertNoRepeats(seen, 'keyset search');
    for (const id of mine) {
      if (!doomed.includes(id)) assert.ok(seenSet.has(id), `contact ${id} skipped`);
    }
    for (let i = 1; i < seen.length; i++) assert.ok(BigInt(seen[i]) > BigInt(seen[i - 1]), 'ascending ids');
  });
});

/** Counts contact→communications associations with the v4 list, 500 a page. */
async function countAssociated(contactId) {
  let n = 0;
  let after;
  do {
    const page = await connector.crm.associations.v4.basicApi.getPage('contacts', contactId, 'communications', after, 500);
    n += page.results.length;
    after = page.paging?.next?.after;
  } while (after);
  return n;
}

describe('a sync job pulls changes by hs_lastmodifieddate', () => {
  test('keyset paging on hs_lastmodifieddate catches up with records changed meanwhile', async () => {
    const tag = `pull${RUN}`;
    const companies = connector.crm.companies;
    const ids = [];
    for (let i = 0; i < 120; i += 100) {
      const n = Math.min(100, 120 - i);
      const res = await companies.batchApi.create({
        inputs: Array.from({ length: n }, (_, k) => ({ properties: { name: `Pull ${i + k} ${RUN}`, description: 'v0', city: tag } })),
      });
      ids.push(...res.results.map((r) => r.id));
    }
    // The sync job's cursor: the last (hs_lastmodifieddate, id) it processed.
    // Ties on the time (a batch writes many records at one instant) are
    // split by id, HubSpot's tie order.
    let cursor = { at: 0, id: '0' };
    const latest = new Map(); // id -> {firstname, modified}
    const pulls = [];
    let edits = 0;
    for (let round = 0; round < 100; round++) {
      const res = await companies.searchApi.doSearch({
        filterGroups: [
          { filters: [{ propertyName: 'city', operator: 'EQ', value: tag }, { propertyName: 'hs_lastmodifieddate', operator: 'GT', value: String(cursor.at) }] },
          {
            filters: [
              { propertyName: 'city', operator: 'EQ', value: tag },
              { propertyName: 'hs_lastmodifieddate', operator: 'EQ', value: String(cursor.at) },
              { propertyName: 'hs_object_id', operator: 'GT', value: cursor.id },
            ],
          },
        ],
        sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
        properties: ['description', 'hs_lastmodifieddate'],
        limit: 25,
      });
      pulls.push(res.results.length);
      if (res.results.length === 0) break;
      for (const r of res.results) {
        const at = Date.parse(r.properties.hs_lastmodifieddate);
        assert.ok(at > cursor.at || (at === cursor.at && BigInt(r.id) > BigInt(cursor.id)),
          `record ${r.id} at ${r.properties.hs_lastmodifieddate} is not past the cursor ${JSON.stringify(cursor)}`);
        const prev = latest.get(r.id);
        if (prev) assert.ok(prev.modified < at, `record ${r.id} pulled twice at ${r.properties.hs_lastmodifieddate}`);
        latest.set(r.id, { description: r.properties.description, modified: at });
        cursor = { at, id: r.id };
      }
      // Meanwhile a user edits records: some pulled already, some not yet.
      if (round < 6) {
        const chosen = [ids[round], ids[119 - round], ids[60 + round * 3], ids[5 * round + 1]];
        edits++;
        await companies.batchApi.update({
          inputs: [...new Set(chosen)].map((id) => ({ id, properties: { description: `v${edits}` } })),
        });
      }
    }
    assert.equal(pulls.at(-1), 0, `not caught up after ${pulls.length} pulls`);
    // Caught up: the job holds every record as it now is.
    const now = [];
    for (let i = 0; i < ids.length; i += 100) {
      const res = await companies.batchApi.read({ inputs: ids.slice(i, i + 100).map((id) => ({ id })), properties: ['description', 'hs_lastmodifieddate'] });
      now.push(...res.results);
    }
    assert.equal(now.length, ids.length);
    for (const r of now) {
      const got = latest.get(r.id);
      assert.ok(got, `record ${r.id} never pulled`);
      assert.equal(got.description, r.properties.description, `record ${r.id}`);
      assert.equal(got.modified, Date.parse(r.properties.hs_lastmodifieddate), `record ${r.id}`);
    }
  });
});
