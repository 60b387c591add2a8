// End-to-end tests of Spoke's fault injection (/_spoke/faults) with HubSpot's
// official Node client (@hubspot/api-client): the client's own retry policy
// (numberOfApiCallRetries: 5xx answers are retried after 200 ms × attempt)
// must carry a caller through a 502 storm.
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/faults.test.mjs
//
// SPOKE_TOKEN must hold spoke.admin (the Go test e2e/node_test.go passes the
// all-scopes token). The file clears the fault rules before each test, so it
// must not share a server with other test files.

import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { RUN } from './helpers.mjs';

import { Client } from '@hubspot/api-client';
import { ApiException as CommunicationsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/communications/apis/exception.js';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

// The client keeps its retry decorators in a process-wide singleton that each
// new Client replaces, and applies them when an API object is first built: so
// build each client's API object right after the client.
const retrying = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL, numberOfApiCallRetries: 3 });
const retryingComms = retrying.crm.objects.communications.basicApi;
const plain = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const plainComms = plain.crm.objects.communications.basicApi;

/** Calls /_spoke/faults with fetch (the test control is not a HubSpot API). */
async function faults(method, body) {
  const res = await fetch(`${SPOKE_URL}/_spoke/faults`, {
    method,
    headers: { Authorization: `Bearer ${SPOKE_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} /_spoke/faults: ${res.status} ${await res.clone().text()}`);
  return res.status === 204 ? undefined : res.json();
}

function message(body) {
  return {
    properties: {
      hs_communication_channel_type: 'SMS',
      hs_communication_logged_from: 'CRM',
      hs_communication_body: body,
      hs_timestamp: Date.now(),
    },
  };
}

/** Counts communications whose body is exactly `body`. */
async function countBodies(body) {
  let n = 0;
  let after;
  do {
    const page = await plainComms.getPage(100, after, ['hs_communication_body']);
    n += page.results.filter((r) => r.properties.hs_communication_body === body).length;
    after = page.paging?.next?.after;
  } while (after);
  return n;
}

const createStorm = (when) => ({
  rules: [{ method: 'POST', path: '/crm/v3/objects/communications', status: 502, times: 2, when }],
});

describe('fault injection with the Node client', () => {
  beforeEach(() => faults('DELETE'));

  test('numberOfApiCallRetries carries a create through a 502 storm of two', async () => {
    await faults('POST', createStorm('before'));
    const body = `storm before ${RUN}`;
    const start = Date.now();
    const created = await retryingComms.create(message(body));
    const elapsed = Date.now() - start;

    assert.match(created.id, /^\d+$/);
    assert.equal(created.properties.hs_communication_body, body);
    // The client waited 200 ms, then 400 ms, between its three attempts.
    assert.ok(elapsed >= 600, `answered after ${elapsed} ms, before the client's back-off`);
    const { rules } = await faults('GET');
    assert.equal(rules[0].fired, 2);
    assert.equal(rules[0].matched, 3);
    // "before" faults run ahead of the handler: only the third attempt wrote.
    assert.equal(await countBodies(body), 1);
  });

  test('without retries the 502 reaches the caller with HubSpot\'s JSON error body', async () => {
    await faults('POST', { rules: [{ method: 'POST', status: 502, times: 1 }] });
    const body = `no retry ${RUN}`;
    let err;
    try {
      await plainComms.create(message(body));
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof CommunicationsApiException, `expected an ApiException, got ${err}`);
    assert.equal(err.code, 502);
    assert.equal(err.body.status, 'error');
    assert.equal(typeof err.body.message, 'string');
    assert.equal(err.body.correlationId, err.headers['x-hubspot-correlation-id']);
    assert.equal(await countBodies(body), 0);
    // The storm is over: the next call goes through.
    await plainComms.create(message(body));
    assert.equal(await countBodies(body), 1);
  });

  test('"after" faults complete the write, so the retried create is written three times', async () => {
    await faults('POST', createStorm('after'));
    const body = `storm after ${RUN}`;
    const created = await retryingComms.create(message(body));
    assert.equal(created.properties.hs_communication_body, body);
    assert.equal(await countBodies(body), 3);
  });
});
