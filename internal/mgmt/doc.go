// Package mgmt is the management REST API: the front door of the data flow
// management API → store → snapshot → gateway. Handlers decode requests
// strictly into model types, validate them (including references between
// resources and the gateway's own URL-template parser), and write them to
// the store in one transaction each, so a rejected request changes nothing.
// Resource shapes follow Azure API Management's REST API: {"id", "name",
// "type", "properties"}, ETags with If-Match, and APIM's error shape.
package mgmt
