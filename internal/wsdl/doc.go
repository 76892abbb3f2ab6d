// Package wsdl reads the parts of a WSDL 1.1 document that a pass-through
// SOAP API needs: Read finds the services, their SOAP bindings and each
// binding operation's name and soapAction; Import turns them into the
// API's operations as Azure API Management does. It sits beside the
// management API in the data flow, as package openapi does: the management
// plane and APIOps folders call it before writing to the store. Its
// functions perform no I/O and are safe for concurrent use. It uses
// encoding/xml and follows no imports (APIM refuses wsdl:import too).
package wsdl
