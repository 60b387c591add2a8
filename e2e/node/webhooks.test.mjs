// End-to-end test of webhooks with HubSpot's official Node client
// (@hubspot/api-client): the app's settings and subscriptions through
// client.webhooks (authenticated with the developer API key, which the
// client sends as ?hapikey=), and a local receiver that checks every
// delivery with the client's own Signature.isValid, v1 and v3:
//
//   SPOKE_URL=... SPOKE_TOKEN=... SPOKE_APP_ID=... SPOKE_APP_KEY=... SPOKE_APP_SECRET=... node --test e2e/node/webhooks.test.mjs

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { RUN, expectApiError } from './helpers.mjs';

import { Client, Signature } from '@hubspot/api-client';
import { ApiException as WebhooksApiException } from '@hubspot/api-client/lib/codegen/webhooks/apis/exception.js';

const { SPOKE_URL, SPOKE_TOKEN, SPOKE_APP_ID, SPOKE_APP_KEY, SPOKE_APP_SECRET } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN || !SPOKE_APP_ID || !SPOKE_APP_KEY || !SPOKE_APP_SECRET) {
  throw new Error('SPOKE_URL, SPOKE_TOKEN and SPOKE_APP_* must be set (the Go test e2e/node_test.go sets them)');
}
const appId = Number(SPOKE_APP_ID);
const crm = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const developer = new Client({ developerApiKey: SPOKE_APP_KEY, basePath: SPOKE_URL });

describe('webhooks', () => {
  const received = [];
  let server;
  let target;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${server.address().port}/hubspot/webhook`;
  });
  after(() => server.close());

  test('settings and subscriptions through client.webhooks', async () => {
    const settings = await developer.webhooks.settingsApi.configure(appId, { targetUrl: target, throttling: { maxConcurrentRequests: 10 } });
    assert.equal(settings.targetUrl, target);
    assert.equal(settings.throttling.maxConcurrentRequests, 10);
    assert.ok(settings.createdAt instanceof Date);

    const creation = await developer.webhooks.subscriptionsApi.create(appId, { eventType: 'contact.creation', active: true });
    assert.equal(creation.eventType, 'contact.creation');
    assert.equal(creation.active, true);
    assert.equal(typeof creation.id, 'string');
    const change = await developer.webhooks.subscriptionsApi.create(appId, { eventType: 'contact.propertyChange', propertyName: 'firstname' });
    assert.equal(change.active, false);
    const batch = await developer.webhooks.subscriptionsApi.updateBatch(appId, { inputs: [{ id: Number(change.id), active: true }] });
    assert.equal(batch.results[0].active, true);
    const all = await developer.webhooks.subscriptionsApi.getAll(appId);
    assert.deepEqual(all.results.map((s) => s.eventType).sort(), ['contact.creation', 'contact.propertyChange']);
  });

  test('deliveries verify with Signature.isValid (v1 and v3)', async () => {
    const email = `hook${RUN}@example.com`;
    const contact = await crm.crm.contacts.basicApi.create({ properties: { email, firstname: 'Ada' }, associations: [] });
    await crm.crm.contacts.basicApi.update(contact.id, { properties: { firstname: 'Grace' } });
    const flushed = await fetch(`${SPOKE_URL}/_spoke/webhooks/flush`, { method: 'POST', headers: { Authorization: `Bearer ${SPOKE_TOKEN}` } });
    assert.equal(flushed.status, 200);

    const events = [];
    assert.ok(received.length > 0, 'no delivery');
    for (const r of received) {
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(Signature.isValid({
        signatureVersion: 'v3', signature: r.headers['x-hubspot-signature-v3'], clientSecret: SPOKE_APP_SECRET,
        method: 'POST', url: target, requestBody: r.body, timestamp: Number(r.headers['x-hubspot-request-timestamp']),
      }), true, 'v3 signature');
      assert.equal(r.headers['x-hubspot-signature-version'], 'v1');
      assert.equal(Signature.isValid({
        signatureVersion: 'v1', signature: r.headers['x-hubspot-signature'], clientSecret: SPOKE_APP_SECRET, requestBody: r.body,
      }), true, 'v1 signature');
      assert.equal(Signature.isValid({
        signatureVersion: 'v3', signature: r.headers['x-hubspot-signature-v3'], clientSecret: 'not-the-secret',
        method: 'POST', url: target, requestBody: r.body, timestamp: Number(r.headers['x-hubspot-request-timestamp']),
      }), false, 'another secret does not verify');
      events.push(...JSON.parse(r.body));
    }
    const mine = events.filter((e) => String(e.objectId) === contact.id);
    assert.deepEqual(mine.map((e) => [e.subscriptionType, e.propertyValue ?? null]).sort(), [
      ['contact.creation', null], ['contact.propertyChange', 'Ada'], ['contact.propertyChange', 'Grace'],
    ].sort());
    for (const e of mine) {
      assert.equal(e.appId, appId);
      assert.equal(e.attemptNumber, 0);
      assert.equal(typeof e.eventId, 'number');
      assert.equal(typeof e.occurredAt, 'number');
    }
    assert.equal(new Set(events.map((e) => e.eventId)).size, events.length, 'no event twice');
  });

  test('a subscription read, switched off and deleted; the settings read and cleared', async () => {
    const subs = developer.webhooks.subscriptionsApi;
    const made = await subs.create(appId, { eventType: 'company.creation', active: true });
    const got = await subs.getById(Number(made.id), appId);
    assert.equal(got.id, made.id);
    assert.equal(got.eventType, 'company.creation');
    assert.equal(got.active, true);
    assert.ok(got.createdAt instanceof Date && got.updatedAt instanceof Date);

    const off = await subs.update(Number(made.id), appId, { active: false });
    assert.equal(off.id, made.id);
    assert.equal(off.active, false);
    assert.equal((await subs.getById(Number(made.id), appId)).active, false);

    await subs.archive(Number(made.id), appId);
    await expectApiError(() => subs.getById(Number(made.id), appId), WebhooksApiException, 404, 'SUBSCRIPTION_ID_NOT_FOUND');
    assert.ok(!(await subs.getAll(appId)).results.some((s) => s.id === made.id));

    const settings = developer.webhooks.settingsApi;
    const read = await settings.getAll(appId);
    assert.equal(read.targetUrl, target);
    assert.equal(read.throttling.maxConcurrentRequests, 10);
    assert.ok(read.createdAt instanceof Date);
    await settings.clear(appId);
    await expectApiError(() => settings.getAll(appId), WebhooksApiException, 404, 'OBJECT_NOT_FOUND');
  });
});
