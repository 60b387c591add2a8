// End-to-end tests of the pipelines of deals and tickets, driven through
// HubSpot's official Node client (@hubspot/api-client): its PipelinesApi and
// PipelineStagesApi, and deals and tickets placed in pipelines.
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/pipelines.test.mjs
//
// SPOKE_TOKEN must hold every scope (the Go test e2e/node_test.go sets both).
// Pipelines are labelled with the run, so the file can run repeatedly
// against the same server; it archives only pipelines and stages it made.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, expectApiError, assertWithin } from './helpers.mjs';

import { Client } from '@hubspot/api-client';
import { ApiException as PipelinesApiException } from '@hubspot/api-client/lib/codegen/crm/pipelines/apis/exception.js';
import { ApiException as DealsApiException } from '@hubspot/api-client/lib/codegen/crm/deals/apis/exception.js';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const pipelines = client.crm.pipelines.pipelinesApi;
const stages = client.crm.pipelines.pipelineStagesApi;
const EPOCH = new Date(0).getTime();

/** The stages of a pipeline as "id label displayOrder key=value,..." lines. */
function describeStages(p) {
  return p.stages.map((s) => {
    const meta = Object.keys(s.metadata).sort().map((k) => `${k}=${s.metadata[k]}`).join(',');
    return `${s.id} ${s.label} ${s.displayOrder} ${meta}`;
  });
}

/** Checks the fields HubSpot's Pipeline and PipelineStage always have. */
function assertPipelineShape(p) {
  assert.equal(typeof p.id, 'string');
  assert.equal(typeof p.label, 'string');
  assert.equal(typeof p.displayOrder, 'number');
  assert.equal(typeof p.archived, 'boolean');
  assert.ok(p.createdAt instanceof Date && p.updatedAt instanceof Date, 'createdAt and updatedAt are Dates');
  assert.ok(Array.isArray(p.stages));
  for (const s of p.stages) assertStageShape(s);
}

function assertStageShape(s) {
  assert.equal(typeof s.id, 'string');
  assert.equal(typeof s.label, 'string');
  assert.equal(typeof s.displayOrder, 'number');
  assert.equal(s.archived, false);
  assert.equal(s.archivedAt, undefined);
  assert.ok(s.createdAt instanceof Date && s.updatedAt instanceof Date);
  assert.equal(s.writePermissions, 'CRM_PERMISSIONS_ENFORCEMENT');
  for (const v of Object.values(s.metadata)) assert.equal(typeof v, 'string');
}

describe('default pipelines', () => {
  test('deals: "default", its seven stages with their probabilities and closed flags', async () => {
    const { results } = await pipelines.getAll('deals');
    const p = results.find((x) => x.id === 'default');
    assertPipelineShape(p);
    assert.equal(p.label, 'Sales Pipeline');
    assert.equal(p.createdAt.getTime(), EPOCH);
    assert.deepEqual(describeStages(p), [
      'appointmentscheduled Appointment scheduled 0 isClosed=false,probability=0.2',
      'qualifiedtobuy Qualified to buy 1 isClosed=false,probability=0.4',
      'presentationscheduled Presentation scheduled 2 isClosed=false,probability=0.6',
      'decisionmakerboughtin Decision maker bought-in 3 isClosed=false,probability=0.8',
      'contractsent Contract sent 4 isClosed=false,probability=0.9',
      'closedwon Closed won 5 isClosed=true,probability=1.0',
      'closedlost Closed lost 6 isClosed=true,probability=0.0',
    ]);
  });

  test('tickets: "0", its four stages with their ticketState', async () => {
    const p = await pipelines.getById('tickets', '0');
    assertPipelineShape(p);
    assert.equal(p.label, 'Support Pipeline');
    assert.deepEqual(describeStages(p), [
      '1 New 0 ticketState=OPEN', '2 Waiting on contact 1 ticketState=OPEN',
      '3 Waiting on us 2 ticketState=OPEN', '4 Closed 3 ticketState=CLOSED',
    ]);
    const { results } = await stages.getAll('0-5', '0');
    assert.deepEqual(results.map((s) => s.id), ['1', '2', '3', '4']);
    const closed = await stages.getById('tickets', '0', '4');
    assert.equal(closed.metadata.ticketState, 'CLOSED');
  });

  test('deals and tickets created without a pipeline go into the default one', async () => {
    const deal = await client.crm.deals.basicApi.create({ properties: { dealname: `No pipeline ${RUN}`, dealstage: 'contractsent' } });
    assert.equal(deal.properties.pipeline, 'default');
    const ticket = await client.crm.tickets.basicApi.create({ properties: { subject: `No pipeline ${RUN}`, hs_pipeline_stage: '2' } });
    assert.equal(ticket.properties.hs_pipeline, '0');
  });
});

describe('a pipeline of deals and its stages', () => {
  let p;
  const label = `Partners ${RUN}`;

  before(async () => {
    const from = Date.now();
    p = await pipelines.create('deals', {
      label, displayOrder: 5,
      stages: [
        { label: 'Lead', displayOrder: 0, metadata: { probability: '0.1' } },
        { label: 'Won', displayOrder: 1, metadata: { probability: '1.0' } },
        { label: 'Lost', displayOrder: 2, metadata: { probability: '0.0' } },
      ],
    });
    assertWithin(p.createdAt, from, Date.now(), 'createdAt');
  });

  const stageId = (pipeline, name) => pipeline.stages.find((s) => s.label === name).id;

  test('is created with its stages, ids made, isClosed from the probability', async () => {
    assertPipelineShape(p);
    assert.match(p.id, /^\d+$/);
    assert.equal(p.label, label);
    assert.deepEqual(p.stages.map((s) => [s.label, s.metadata.isClosed]), [['Lead', 'false'], ['Won', 'true'], ['Lost', 'true']]);
    const read = await pipelines.getById('deals', p.id);
    assert.deepEqual(read, p);
    const { results } = await pipelines.getAll('deals');
    assert.ok(results.some((x) => x.id === p.id));
  });

  test('deals are placed in its stages; a stage of another pipeline is refused', async () => {
    const deal = await client.crm.deals.basicApi.create({ properties: { dealname: `Partner deal ${RUN}`, pipeline: p.id, dealstage: stageId(p, 'Lead') } });
    assert.equal(deal.properties.dealstage, stageId(p, 'Lead'));
    const err = await expectApiError(
      () => client.crm.deals.basicApi.create({ properties: { dealname: 'x', pipeline: p.id, dealstage: 'closedwon' } }),
      DealsApiException, 400, 'VALIDATION_ERROR');
    assert.match(err.body.message, /closedwon was not one of the allowed options/);
    assert.equal(err.body.errors[0].code, 'INVALID_OPTION');
    await expectApiError(
      () => client.crm.deals.basicApi.update(deal.id, { properties: { dealstage: 'closedwon' } }),
      DealsApiException, 400, 'VALIDATION_ERROR');
    const moved = await client.crm.deals.basicApi.update(deal.id, { properties: { dealstage: stageId(p, 'Won') } });
    assert.equal(moved.properties.dealstage, stageId(p, 'Won'));

    // A stage a deal is in cannot be archived.
    const inUse = await expectApiError(() => stages.archive('deals', p.id, stageId(p, 'Won')), PipelinesApiException, 400, 'VALIDATION_ERROR');
    assert.equal(inUse.body.subCategory, 'PipelineError.STAGE_ID_IN_USE');
    assert.equal(inUse.body.message, `Stage IDs: [${stageId(p, 'Won')}] are being referenced by object IDs: [${deal.id}]`);
    await client.crm.deals.basicApi.update(deal.id, { properties: { pipeline: 'default', dealstage: 'closedwon' } });
  });

  test('stages: create, read, replace, update, archive', async () => {
    const made = await stages.create('deals', p.id, { label: 'Demo', displayOrder: 3, metadata: { probability: '0.5' } });
    assertStageShape(made);
    assert.deepEqual(await stages.getById('deals', p.id, made.id), made);
    const replaced = await stages.replace('deals', p.id, made.id, { label: 'Trial', displayOrder: 4, metadata: { probability: '0.6' } });
    assert.equal(replaced.label, 'Trial');
    assert.equal(replaced.metadata.probability, '0.6');
    const updated = await stages.update('deals', p.id, made.id, { label: 'Pilot', metadata: { probability: '0.7' } });
    assert.equal(updated.label, 'Pilot');
    assert.equal(updated.displayOrder, 4);
    const { results } = await stages.getAll('deals', p.id);
    assert.deepEqual(results.map((s) => s.label), ['Lead', 'Won', 'Lost', 'Pilot']);
    await stages.archive('deals', p.id, made.id);
    await expectApiError(() => stages.getById('deals', p.id, made.id), PipelinesApiException, 404, 'OBJECT_NOT_FOUND');
    await expectApiError(() => stages.create('deals', p.id, { label: 'No probability', displayOrder: 9, metadata: {} }),
      PipelinesApiException, 400, 'VALIDATION_ERROR');
  });

  test('replace keeps the stages it names by label; update changes the label', async () => {
    const replaced = await pipelines.replace('deals', p.id, {
      label: `${label} EU`, displayOrder: 6,
      stages: [
        { label: 'Lead', displayOrder: 0, metadata: { probability: '0.2' } },
        { label: 'Won', displayOrder: 1, metadata: { probability: '1.0' } },
      ],
    }, true, true);
    assert.equal(replaced.label, `${label} EU`);
    assert.deepEqual(replaced.stages.map((s) => s.id), [stageId(p, 'Lead'), stageId(p, 'Won')]);
    assert.equal(replaced.stages[0].metadata.probability, '0.2');
    const updated = await pipelines.update('deals', p.id, { label: `${label} World` });
    assert.equal(updated.label, `${label} World`);
    assert.equal(updated.displayOrder, 6);
    await expectApiError(() => pipelines.update('deals', p.id, { label: 'Sales Pipeline' }), PipelinesApiException, 400, 'VALIDATION_ERROR');
  });

  test('archive hides it; update with archived false restores it', async () => {
    await pipelines.archive('deals', p.id, true, true);
    await expectApiError(() => pipelines.getById('deals', p.id), PipelinesApiException, 404, 'OBJECT_NOT_FOUND');
    const { results } = await pipelines.getAll('deals');
    assert.ok(!results.some((x) => x.id === p.id));
    await expectApiError(
      () => client.crm.deals.basicApi.create({ properties: { dealname: 'x', pipeline: p.id, dealstage: stageId(p, 'Lead') } }),
      DealsApiException, 400, 'VALIDATION_ERROR');
    const restored = await pipelines.update('deals', p.id, { archived: false });
    assert.equal(restored.archived, false);
    assert.equal(restored.stages.length, 2);
  });
});

describe('pipelines of tickets', () => {
  test('a new pipeline with ticket states, and tickets in it', async () => {
    const p = await pipelines.create('tickets', {
      label: `Billing ${RUN}`, displayOrder: 1,
      stages: [
        { label: 'Open', displayOrder: 0, metadata: {} },
        { label: 'Done', displayOrder: 1, metadata: { ticketState: 'CLOSED' } },
      ],
    });
    assert.deepEqual(p.stages.map((s) => s.metadata.ticketState), ['OPEN', 'CLOSED']);
    const ticket = await client.crm.tickets.basicApi.create({ properties: { subject: `Invoice ${RUN}`, hs_pipeline: p.id, hs_pipeline_stage: p.stages[1].id } });
    assert.equal(ticket.properties.hs_pipeline_stage, p.stages[1].id);
    await expectApiError(() => pipelines.archive('tickets', p.id), PipelinesApiException, 400, 'VALIDATION_ERROR');
    await expectApiError(
      () => stages.create('tickets', p.id, { label: 'Maybe', displayOrder: 2, metadata: { ticketState: 'PENDING' } }),
      PipelinesApiException, 400, 'VALIDATION_ERROR');
  });

  test('pipelines of a type without them are refused', async () => {
    await expectApiError(() => pipelines.getAll('contacts'), PipelinesApiException, 400, 'VALIDATION_ERROR');
  });
});
