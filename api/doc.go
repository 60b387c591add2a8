// Package api serves HubSpot's CRM v3 HTTP API on top of the crm engine:
// routing, request decoding, HubSpot's JSON shapes and error bodies, and
// reading the bearer token (crm resolves it and checks its scopes). It knows
// no SQL; storage is reached only through crm.
package api
