package route

import (
	"net/url"
	"strings"
)

// SOAPAction returns the soapAction query value of an operation URL
// template ("/?soapAction=urn:GetOrder" → "urn:GetOrder"), the form in
// which Azure API Management writes the operations of a pass-through SOAP
// API, and whether the template has one. Percent escapes are decoded;
// a '+' stays a '+'.
func SOAPAction(template string) (string, bool) {
	i := strings.IndexByte(template, '?')
	if i < 0 {
		return "", false
	}
	for _, kv := range strings.Split(template[i+1:], "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k != "soapAction" {
			continue
		}
		if u, err := url.PathUnescape(v); err == nil { // '+' stays '+
			v = u
		}
		return v, true
	}
	return "", false
}

// RequestSOAPAction returns the SOAP action a request names: the
// SOAPAction header of SOAP 1.1 (its quotes removed) or, without one, the
// action parameter of a SOAP 1.2 Content-Type
// ("application/soap+xml; action=urn:GetOrder").
func RequestSOAPAction(soapActionHeader, contentType string) string {
	if soapActionHeader != "" {
		return strings.Trim(strings.TrimSpace(soapActionHeader), `"`)
	}
	for _, p := range strings.Split(contentType, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "action") {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}
