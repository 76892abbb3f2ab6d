package mgmt

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestNamedValueChangeThatBreaksAPolicyIsRefused: named values are
// substituted into a policy's text before it is read, as APIM does, so
// they may stand for typed attributes. A change of value that makes a
// policy invalid is refused with 409 naming the API, the document, the
// line and the column, and nothing is stored; a secret's value never
// shows, and the effective policy keeps showing {{name}}.
func TestNamedValueChangeThatBreaksAPolicyIsRefused(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/namedValues/calls", `{"properties":{"displayName":"calls","value":"10"}}`)
	a.must("PUT", "/namedValues/period", `{"properties":{"displayName":"period","value":"60"}}`)
	a.must("PUT", "/namedValues/auth", `{"properties":{"displayName":"auth","value":"Bearer s3cr3t-token","secret":true}}`)
	a.must("PUT", "/apis/orders", `{"properties":{"displayName":"Orders","path":"orders","serviceUrl":"http://127.0.0.1:9"}}`)
	body, _ := json.Marshal(map[string]any{"properties": map[string]string{"format": "rawxml", "value": "<policies>\n<inbound>\n  <base />\n" +
		"  <rate-limit calls=\"{{calls}}\" renewal-period=\"{{period}}\" />\n" +
		"  <set-variable name=\"auth\" value=\"{{auth}}\" />\n" +
		"</inbound>\n</policies>"}})
	a.must("PUT", "/apis/orders/policy", string(body))

	before := a.version()
	r := a.do("PUT", "/namedValues/calls", `{"properties":{"displayName":"calls","value":"many"}}`)
	code, target, msg := errorOf(t, r)
	if r.status != 409 || code != "Conflict" || target != "/apis/orders/policy" ||
		!strings.Contains(r.raw, "API orders") || !strings.Contains(msg, "line 4, column 22") || !strings.Contains(msg, `calls: \"many\"`) && !strings.Contains(msg, `calls: "many"`) {
		t.Errorf("a value that breaks rate-limit calls: %d %s", r.status, r.raw)
	}
	if a.version() != before {
		t.Error("the refused write was stored")
	}
	if r := a.must("POST", "/namedValues/calls/listValue", ""); r.body["value"] != "10" {
		t.Errorf("the value after the refused write: %s", r.raw)
	}

	r = a.do("PUT", "/namedValues/auth", `{"properties":{"displayName":"auth","value":"Bearer \"s3cr3t-token","secret":true}}`)
	if r.status != 409 || strings.Contains(r.raw, "s3cr3t") || !strings.Contains(r.raw, "{{auth}}") || !strings.Contains(r.raw, "line 5") {
		t.Errorf("a secret that breaks the XML: %d %s", r.status, r.raw)
	}

	r = a.must("GET", "/apis/orders/policy?effective=true", "")
	if !strings.Contains(r.raw, "{{calls}}") || !strings.Contains(r.raw, "{{auth}}") || strings.Contains(r.raw, "s3cr3t") {
		t.Errorf("the effective policy: %s", r.raw)
	}
	a.must("PUT", "/namedValues/period", `{"properties":{"displayName":"period","value":"3600"}}`)
}
