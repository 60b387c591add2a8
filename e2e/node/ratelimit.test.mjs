// End-to-end tests of Spoke's rate-limit emulation with HubSpot's official
// Node client (@hubspot/api-client): the rate-limit headers the client sees,
// and the client's own retry policy (numberOfApiCallRetries) recognising
// Spoke's 429 bodies. Its RetryDecorator waits 1 s × attempt after search's
// "You have reached your secondly limit.", 10 s × attempt after policyName
// TEN_SECONDLY_ROLLING, and never retries DAILY.
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/ratelimit.test.mjs
//
// SPOKE_TOKEN must hold spoke.admin (the Go test e2e/node_test.go passes the
// all-scopes token). The file turns enforcement on through /_spoke/rate-limit,
// so it must not share a server with other test files. Spoke runs on real
// time here; the one real wait is the client's 1 s search back-off (its 10 s
// TEN_SECONDLY_ROLLING back-off runs on mocked timers).

import { describe, test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';

import { Client } from '@hubspot/api-client';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

// The client keeps its retry decorators in a process-wide singleton that each
// new Client replaces, and applies them when an API object is first built: so
// build each client's API objects right after the client.
const plain = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const plainContacts = { basic: plain.crm.contacts.basicApi, search: plain.crm.contacts.searchApi };
const retrying = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL, numberOfApiCallRetries: 3 });
const retryingContacts = { basic: retrying.crm.contacts.basicApi, search: retrying.crm.contacts.searchApi };

const emptySearch = { filterGroups: [], limit: 1 };

/** Calls /_spoke/rate-limit with fetch (the test control is not a HubSpot API). */
async function rateLimit(method, body) {
  const res = await fetch(`${SPOKE_URL}/_spoke/rate-limit`, {
    method,
    headers: { Authorization: `Bearer ${SPOKE_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${method} /_spoke/rate-limit: ${await res.clone().text()}`);
  return res.json();
}

/** A raw search, to spend the account's search allowance without the client. */
function rawSearch() {
  return fetch(`${SPOKE_URL}/crm/v3/objects/contacts/search`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${SPOKE_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(emptySearch),
  });
}

// The RetryDecorator announces each retry on console.error:
// "Request failed with status code [429], will retry [1] time in [1000] ms".
let retries;
const consoleError = console.error;
beforeEach(async () => {
  retries = [];
  console.error = (msg, ...rest) => {
    const m = /will retry \[(\d+)\] time in \[(\d+)\] ms/.exec(String(msg));
    if (m) retries.push({ attempt: Number(m[1]), waitMs: Number(m[2]) });
    else consoleError(msg, ...rest);
  };
  await rateLimit('PUT', { tier: 'professional', enforce: false, reset: true });
});
afterEach(() => {
  console.error = consoleError;
});

describe('rate-limit headers', () => {
  test('every non-search answer carries HubSpot’s headers; search answers none', async () => {
    const first = await plainContacts.basic.getPageWithHttpInfo(1);
    assert.equal(first.httpStatusCode, 200);
    const h = first.headers;
    assert.equal(h['x-hubspot-ratelimit-daily'], '625000');
    assert.equal(h['x-hubspot-ratelimit-daily-remaining'], '624999');
    assert.equal(h['x-hubspot-ratelimit-interval-milliseconds'], '10000');
    assert.equal(h['x-hubspot-ratelimit-max'], '190');
    assert.equal(h['x-hubspot-ratelimit-remaining'], '189');
    assert.equal(h['x-hubspot-ratelimit-secondly'], '19');
    assert.equal(h['x-hubspot-ratelimit-secondly-remaining'], '18');

    const second = await plainContacts.basic.getPageWithHttpInfo(1);
    assert.equal(second.headers['x-hubspot-ratelimit-remaining'], '188');

    const found = await plainContacts.search.doSearchWithHttpInfo(emptySearch);
    assert.equal(found.httpStatusCode, 200);
    const named = Object.keys(found.headers).filter((k) => k.startsWith('x-hubspot-ratelimit'));
    assert.deepEqual(named, []);
  });

  test('a tier chosen at run time shows its figures', async () => {
    await rateLimit('PUT', { tier: 'api-addon' });
    const { headers } = await plainContacts.basic.getPageWithHttpInfo(1);
    assert.equal(headers['x-hubspot-ratelimit-max'], '250');
    assert.equal(headers['x-hubspot-ratelimit-daily'], '2000000');
  });
});

describe('the client retries the emulated 429s with its own settings', () => {
  test('search’s secondly limit: one retry after 1 s', async () => {
    await rateLimit('PUT', { enforce: true });
    // Spend the second's five searches, then ask through the client at once.
    // On a machine slow enough that the second passes first, try again.
    for (let round = 1; ; round++) {
      await rateLimit('PUT', { reset: true });
      retries = [];
      const spent = await Promise.all(Array.from({ length: 5 }, rawSearch));
      assert.deepEqual(spent.map((r) => r.status), [200, 200, 200, 200, 200]);
      const started = Date.now();
      const page = await retryingContacts.search.doSearch(emptySearch);
      const elapsed = Date.now() - started;
      assert.ok(Array.isArray(page.results));
      if (retries.length === 0 && round < 3) continue;
      assert.deepEqual(retries, [{ attempt: 1, waitMs: 1000 }]);
      assert.ok(elapsed >= 1000, `answered after ${elapsed} ms, before the client's 1 s back-off`);
      break;
    }
  });

  test('search’s secondly limit without retries: the client surfaces HubSpot’s body', async () => {
    await rateLimit('PUT', { enforce: true, searchPerSecondLimit: 1 });
    // A limit of one a second keeps the second search refused however slow the machine.
    assert.equal((await rawSearch()).status, 200);
    await assert.rejects(plainContacts.search.doSearch(emptySearch), (err) => {
      assert.equal(err.code, 429);
      assert.equal(err.body.message, 'You have reached your secondly limit.');
      assert.equal(err.body.category, 'RATE_LIMITS');
      return true;
    });
    assert.deepEqual(retries, []);
  });

  test('TEN_SECONDLY_ROLLING: one retry after 10 s (on mocked timers)', async () => {
    await rateLimit('PUT', { enforce: true, tenSecondlyLimit: 1 });
    await retryingContacts.basic.getPage(1);
    // The window holds one call: the next is refused and the client backs
    // off for 10 s. Its timer is mocked, so the test does not wait: once the
    // client has announced the back-off, the counters are reset (what 10 s
    // would do to Spoke's rolling window) and the 10 s are ticked away.
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const pending = retryingContacts.basic.getPage(1);
      while (retries.length === 0) await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(retries, [{ attempt: 1, waitMs: 10000 }]);
      await rateLimit('PUT', { reset: true });
      mock.timers.tick(10000);
      const page = await pending;
      assert.ok(Array.isArray(page.results));
    } finally {
      mock.timers.reset();
    }
    assert.equal(retries.length, 1);
  });

  test('DAILY is not retried: waiting would not help', async () => {
    await rateLimit('PUT', { enforce: true, dailyLimit: 1 });
    await retryingContacts.basic.getPage(1);
    await assert.rejects(retryingContacts.basic.getPage(1), (err) => {
      assert.equal(err.code, 429);
      assert.equal(err.body.message, 'You have reached your daily limit.');
      assert.equal(err.body.policyName, 'DAILY');
      assert.equal(err.body.errorType, 'RATE_LIMIT');
      assert.equal(err.headers['x-hubspot-ratelimit-daily-remaining'], '0');
      return true;
    });
    assert.deepEqual(retries, []);
  });
});
