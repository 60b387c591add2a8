// What the end-to-end test files share: the run tag, the formats and clock
// slack they check against, and the assertion on the client's exceptions.
import assert from 'node:assert/strict';

// Tags this run's values (emails, property names, words for free-text
// search) apart from earlier runs' against the same server. Letters and
// digits only, so that `word${RUN}` stays one word. Each test file runs in a
// process of its own and so has a tag of its own.
export const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

// HubSpot's instant format: UTC with Z, milliseconds only when non-zero.
export const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

// Clock slack between this process and the server (same machine).
export const SLACK_MS = 2000;

/**
 * Awaits a call that must fail with the given generated ApiException class,
 * status code and (unless category is null) JSON body category, in
 * HubSpot's error shape; returns the exception for further checks.
 */
export async function expectApiError(call, ExceptionClass, code, category) {
  let err;
  try {
    await call();
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected HTTP ${code} ${category}, but the call succeeded`);
  assert.ok(err instanceof ExceptionClass,
    `expected the client's ApiException, got ${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.code, code, `status: ${err.message}`);
  assert.equal(typeof err.body, 'object', `body was not parsed as JSON: ${JSON.stringify(err.body)}`);
  assert.ok(err.body !== null);
  assert.equal(err.body.status, 'error');
  if (category !== null) {
    assert.equal(err.body.category, category, `category in ${JSON.stringify(err.body)}`);
  }
  assert.equal(typeof err.body.message, 'string');
  assert.ok(err.body.message.length > 0);
  assert.match(String(err.body.correlationId), /^[0-9a-f-]{36}$/);
  assert.equal(err.headers['x-hubspot-correlation-id'], err.body.correlationId,
    'the correlation id header matches the body');
  assert.match(err.headers['content-type'], /^application\/json/);
  return err;
}

/** Asserts that date lies in [from, to], give or take the clock slack. */
export function assertWithin(date, from, to, what) {
  assert.ok(date instanceof Date, `${what}: expected a Date, got ${date}`);
  const t = date.getTime();
  assert.ok(t >= from - SLACK_MS && t <= to + SLACK_MS,
    `${what}: ${date.toISOString()} not within [${new Date(from).toISOString()}, ${new Date(to).toISOString()}]`);
}
