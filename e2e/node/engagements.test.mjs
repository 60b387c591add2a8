// End-to-end tests of the engagement types (notes, calls, emails, meetings,
// tasks, postal mail), pinning them, and users, driven through HubSpot's
// official Node client (@hubspot/api-client):
//
//   SPOKE_URL=http://127.0.0.1:8080 SPOKE_TOKEN=... node --test e2e/node/engagements.test.mjs
//
// SPOKE_TOKEN must hold every scope (the Go test e2e/node_test.go sets both).
// Records are tagged with the run, so the file can run repeatedly against the
// same server.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, ISO_Z, expectApiError } from './helpers.mjs';

import { AssociationTypes, Client } from '@hubspot/api-client';
import { ApiException as NotesApiException } from '@hubspot/api-client/lib/codegen/crm/objects/notes/apis/exception.js';
import { ApiException as CallsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/calls/apis/exception.js';
import { ApiException as EmailsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/emails/apis/exception.js';
import { ApiException as MeetingsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/meetings/apis/exception.js';
import { ApiException as TasksApiException } from '@hubspot/api-client/lib/codegen/crm/objects/tasks/apis/exception.js';
import { ApiException as PostalMailApiException } from '@hubspot/api-client/lib/codegen/crm/objects/postal_mail/apis/exception.js';
import { ApiException as ContactsApiException } from '@hubspot/api-client/lib/codegen/crm/contacts/apis/exception.js';
import { ApiException as ObjectsApiException } from '@hubspot/api-client/lib/codegen/crm/objects/apis/exception.js';

const { SPOKE_URL, SPOKE_TOKEN } = process.env;
if (!SPOKE_URL || !SPOKE_TOKEN) {
  throw new Error('SPOKE_URL and SPOKE_TOKEN must be set (the Go test e2e/node_test.go sets them)');
}

const client = new Client({ accessToken: SPOKE_TOKEN, basePath: SPOKE_URL });
const objects = client.crm.objects;

/** An inline HUBSPOT_DEFINED association for a create body. */
function inline(id, associationTypeId) {
  return { to: { id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId }] };
}

// Each type: the client's API group, its exception class, a valid create
// (holding the run's word where the query searches), the property its
// preview comes from, its required properties and HubSpot's type ids to a
// contact (from the client's own AssociationTypes enum).
const word = `zebra${RUN}`;
const TYPES = [
  {
    name: 'notes', typeId: '0-46', label: 'NOTE', api: objects.notes, Exception: NotesApiException,
    properties: { hs_timestamp: '2025-01-02T03:04:05Z', hs_note_body: `<p>Spoke about the <b>${word}</b> plan</p>` },
    body: 'hs_note_body', required: ['hs_timestamp'],
    toContact: AssociationTypes.noteToContact, fromContact: AssociationTypes.contactToNote,
  },
  {
    name: 'calls', typeId: '0-48', label: 'CALL', api: objects.calls, Exception: CallsApiException,
    properties: {
      hs_timestamp: '2025-01-02T03:04:05Z', hs_call_title: `${word} call`, hs_call_body: 'Spoke about the plan',
      hs_call_direction: 'INBOUND', hs_call_status: 'COMPLETED', hs_call_duration: '61000',
    },
    body: 'hs_call_body', required: ['hs_timestamp'],
    toContact: AssociationTypes.callToContact, fromContact: AssociationTypes.contactToCall,
  },
  {
    name: 'emails', typeId: '0-49', label: 'EMAIL', api: objects.emails, Exception: EmailsApiException,
    properties: {
      hs_timestamp: '2025-01-02T03:04:05Z', hs_email_direction: 'EMAIL', hs_email_subject: `The ${word} plan`,
      hs_email_text: 'Spoke about the plan',
      hs_email_headers: JSON.stringify({ from: { email: 'ana@example.com', firstName: 'Ana', lastName: 'Lima' }, to: [{ email: 'bo@example.com' }] }),
    },
    body: 'hs_email_text', required: ['hs_timestamp', 'hs_email_direction'],
    toContact: AssociationTypes.emailToContact, fromContact: AssociationTypes.contactToEmail,
  },
  {
    name: 'meetings', typeId: '0-47', label: 'MEETING_EVENT', api: objects.meetings, Exception: MeetingsApiException,
    properties: {
      hs_timestamp: '2025-01-02T03:04:05Z', hs_meeting_title: `${word} review`, hs_meeting_body: 'Spoke about the plan',
      hs_meeting_start_time: '2025-01-02T03:04:05Z', hs_meeting_end_time: '2025-01-02T04:04:05Z', hs_meeting_outcome: 'SCHEDULED',
    },
    body: 'hs_meeting_body', required: ['hs_timestamp'],
    toContact: AssociationTypes.meetingToContact, fromContact: AssociationTypes.contactToMeeting,
  },
  {
    name: 'tasks', typeId: '0-27', label: 'TASK', api: objects.tasks, Exception: TasksApiException,
    properties: {
      hs_timestamp: '2025-01-02T03:04:05Z', hs_task_subject: `Send the ${word} quote`, hs_task_body: 'Spoke about the plan',
      hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'TODO',
    },
    body: 'hs_task_body', required: ['hs_timestamp'],
    toContact: AssociationTypes.taskToContact, fromContact: AssociationTypes.contactToTask,
  },
  {
    name: 'postal_mail', typeId: '0-116', label: 'POSTAL_MAIL', api: objects.postalMail, Exception: PostalMailApiException,
    properties: { hs_timestamp: '2021-11-12', hs_postal_mail_body: `Letter about the ${word} plan` },
    body: 'hs_postal_mail_body', required: ['hs_timestamp'],
    toContact: AssociationTypes.postalMailToContact, fromContact: AssociationTypes.contactToPostalMail,
  },
];

let contact;
before(async () => {
  contact = await client.crm.contacts.basicApi.create({ properties: { email: `engagements-${RUN}@example.com` } });
});

for (const t of TYPES) {
  describe(`${t.name} through the client's own API`, () => {
    let record;

    test('basicApi.create makes one associated with a contact; getById reads it under every name', async () => {
      record = await t.api.basicApi.create({ properties: t.properties, associations: [inline(contact.id, t.toContact)] });
      assert.match(record.id, /^\d+$/);
      assert.ok(record.createdAt instanceof Date);
      assert.equal(record.archived, false);
      assert.match(record.properties.hs_timestamp, ISO_Z);
      assert.equal(record.properties.hs_object_id, record.id);
      assert.equal(typeof record.properties.hs_body_preview, 'string');
      assert.ok(record.properties.hs_body_preview.length > 0);

      const read = await t.api.basicApi.getById(record.id, [t.body], undefined, ['contacts']);
      assert.equal(read.id, record.id);
      assert.equal(read.properties[t.body], t.properties[t.body]);
      assert.deepEqual(read.associations.contacts.results.map((r) => r.id), [contact.id]);
      for (const name of [t.typeId, t.name]) {
        const generic = await objects.basicApi.getById(name, record.id);
        assert.deepEqual(Object.keys(generic.properties).sort(), ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);
      }
    });

    test('the contact sees it under HubSpot\'s type id for that direction', async () => {
      const page = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, t.name);
      const row = page.results.find((r) => String(r.toObjectId) === record.id);
      assert.ok(row, `${t.name} ${record.id} is associated with the contact`);
      assert.deepEqual(row.associationTypes.map((a) => a.typeId), [t.fromContact]);
    });

    test('a create without the required properties is refused with HubSpot\'s message', async () => {
      const err = await expectApiError(() => t.api.basicApi.create({ properties: {} }), t.Exception, 400, 'VALIDATION_ERROR');
      assert.equal(err.body.message, `Error creating ${t.label}. Some required properties were not set.`);
      assert.deepEqual(err.body.context.properties, t.required);
    });

    test('update, search, batch and archive', async () => {
      const updated = await t.api.basicApi.update(record.id, { properties: { [t.body]: 'Changed <b>text</b>' } });
      assert.equal(updated.properties.hs_body_preview, 'Changed text');
      await t.api.basicApi.update(record.id, { properties: { [t.body]: t.properties[t.body] } });

      const found = await t.api.searchApi.doSearch({ query: word, limit: 10 });
      assert.deepEqual(found.results.map((r) => r.id), [record.id]);

      const batch = await t.api.batchApi.create({ inputs: [{ properties: t.properties, associations: [] }, { properties: t.properties, associations: [] }] });
      assert.equal(batch.status, 'COMPLETE');
      const ids = batch.results.map((r) => r.id).sort();
      assert.equal(ids.length, 2);
      const read = await t.api.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: [t.body], propertiesWithHistory: [] });
      assert.deepEqual(read.results.map((r) => r.id).sort(), ids);
      await t.api.batchApi.archive({ inputs: ids.map((id) => ({ id })) });
      await expectApiError(() => t.api.basicApi.getById(ids[0]), t.Exception, 404, 'OBJECT_NOT_FOUND');
    });
  });
}

describe('emails', () => {
  test('the sender and recipients come from hs_email_headers', async () => {
    const email = await objects.emails.basicApi.create({ properties: TYPES[2].properties, associations: [] });
    assert.equal(email.properties.hs_email_from_email, 'ana@example.com');
    assert.equal(email.properties.hs_email_from_firstname, 'Ana');
    assert.equal(email.properties.hs_email_to_email, 'bo@example.com');
  });

  test('an unknown direction is refused as an invalid option', async () => {
    const err = await expectApiError(() => objects.emails.basicApi.create({
      properties: { ...TYPES[2].properties, hs_email_direction: 'OUTGOING' }, associations: [],
    }), EmailsApiException, 400, 'VALIDATION_ERROR');
    assert.equal(err.body.errors[0].code, 'INVALID_OPTION');
  });
});

describe('pinning any engagement', () => {
  test('a note, a call and a task pin on a contact once associated; an unassociated one is refused', async () => {
    const pinOn = await client.crm.contacts.basicApi.create({ properties: { email: `pin-${RUN}@example.com` } });
    for (const t of [TYPES[0], TYPES[1], TYPES[4]]) {
      const linked = await t.api.basicApi.create({ properties: t.properties, associations: [inline(pinOn.id, t.toContact)] });
      const pinned = await client.crm.contacts.basicApi.update(pinOn.id, { properties: { hs_pinned_engagement_id: linked.id } });
      assert.equal(pinned.properties.hs_pinned_engagement_id, linked.id);

      const loose = await t.api.basicApi.create({ properties: t.properties, associations: [] });
      const err = await expectApiError(() => client.crm.contacts.basicApi.update(pinOn.id, { properties: { hs_pinned_engagement_id: loose.id } }),
        ContactsApiException, 400, 'VALIDATION_ERROR');
      assert.equal(err.body.errors[0].code, 'INVALID_PINNED_ENGAGEMENT');
    }
    // One pin per record: the last one holds.
    const read = await client.crm.contacts.basicApi.getById(pinOn.id, ['hs_pinned_engagement_id']);
    assert.match(read.properties.hs_pinned_engagement_id, /^\d+$/);
  });

  test('a deal is created pinning a meeting associated in the same request', async () => {
    const meeting = await objects.meetings.basicApi.create({ properties: TYPES[3].properties, associations: [] });
    const deal = await client.crm.deals.basicApi.create({
      properties: { dealname: `Pinned ${RUN}`, dealstage: 'appointmentscheduled', pipeline: 'default', hs_pinned_engagement_id: meeting.id },
      associations: [inline(meeting.id, AssociationTypes.dealToMeeting)],
    });
    assert.equal(deal.properties.hs_pinned_engagement_id, meeting.id);
  });
});

describe('users', () => {
  test('created, read and listed through the generic objects API', async () => {
    const internal = String(Date.now() % 1e9);
    const user = await objects.basicApi.create('users', { properties: { hs_internal_user_id: internal, hs_email: `user-${RUN}@example.com` }, associations: [] });
    assert.equal(user.properties.hs_internal_user_id, internal);
    const read = await objects.basicApi.getById('users', internal, ['hs_email', 'hs_job_title'], undefined, undefined, false, 'hs_internal_user_id');
    assert.equal(read.id, user.id);
    assert.equal(read.properties.hs_job_title, null);
    const updated = await objects.basicApi.update('users', user.id, { properties: { hs_job_title: 'CEO', hs_availability_status: 'away' } });
    assert.equal(updated.properties.hs_availability_status, 'away');
    const page = await objects.basicApi.getPage('users', 100);
    assert.ok(page.results.some((u) => u.id === user.id));
    const err = await expectApiError(() => objects.basicApi.create('users', { properties: { hs_email: 'x@example.com' }, associations: [] }),
      ObjectsApiException, 400, 'VALIDATION_ERROR');
    assert.equal(err.body.message, 'Error creating USER. Some required properties were not set.');
  });
});
