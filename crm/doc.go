// Package crm is Spoke's domain: object types and their property definitions,
// value validation and normalisation, HubSpot-shaped domain errors, access
// tokens and their scopes (Authenticator, Principal), and the object engine
// that applies those rules on top of a Store.
//
// It knows nothing about HTTP or SQL. Storage backends implement Store;
// the HTTP layer turns Error values into HubSpot's JSON bodies.
package crm
