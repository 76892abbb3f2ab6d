// Package wsdl reads the parts of a WSDL 1.1 document that a SOAP
// pass-through API needs: the services, their SOAP bindings and each
// binding operation's name and soapAction. It sits beside the management
// API in the data flow, as package openapi does: the management plane
// calls Read to turn an imported document into operations before they are
// written to the store. Read performs no I/O and is safe for concurrent
// use. It uses encoding/xml and reads no imports (wsdl:import and
// xsd:import are not followed, as in Azure API Management).
package wsdl
