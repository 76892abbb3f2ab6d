package mgmt

import (
	"net/http"
	"strings"
	"testing"
)

// TestLoggersOfAPIMTypesAreRefused: the logger types the gateways cannot
// write to are answered 400 naming properties.loggerType, and nothing is
// stored.
func TestLoggersOfAPIMTypesAreRefused(t *testing.T) {
	a := newTestAPI(t)
	for _, typ := range []string{"applicationInsights", "azureMonitor"} {
		v := a.version()
		r := a.do("PUT", "/loggers/l", `{"properties": {"loggerType": "`+typ+`", "credentials": {"instrumentationKey": "k"}}}`)
		code, target, msg := errorOf(t, r)
		if r.status != http.StatusBadRequest || code != "ValidationError" || target != "properties.loggerType" || !strings.Contains(msg, "not supported yet") {
			t.Errorf("%s: %d %s %s %q; want 400 naming properties.loggerType, not supported yet", typ, r.status, code, target, msg)
		}
		if a.version() != v {
			t.Errorf("%s: the refused logger changed the configuration", typ)
		}
	}
	for body, target := range map[string]string{
		`{"loggerType": "file"}`: "properties.credentials.path",
		`{"loggerType": "file", "credentials": {"path": "/var/log/x.jsonl"}}`: "properties.credentials.path",
		`{"loggerType": "file", "credentials": {"path": "a/../../x.jsonl"}}`:  "properties.credentials.path",
		`{"loggerType": "file", "credentials": {"path": "x", "name": "n"}}`:   "properties.credentials.name",
		`{"loggerType": "stdout", "credentials": {"path": "x"}}`:              "properties.credentials.path",
		`{"loggerType": "syslog"}`:                                            "properties.loggerType",
		`{}`:                                                                  "properties.loggerType",
	} {
		r := a.do("PUT", "/loggers/l", `{"properties": `+body+`}`)
		if _, got, _ := errorOf(t, r); r.status != http.StatusBadRequest || got != target {
			t.Errorf("%s: %d naming %q, want 400 naming %s", body, r.status, got, target)
		}
	}
}

// TestEventLoggers: http and azureEventHub loggers are stored for
// log-to-eventhub, which must name an existing one of a type it sends
// to; diagnostics cannot write to them; APIM's managed identity form of
// an event hub logger is refused as not supported yet.
func TestEventLoggers(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/loggers/events", `{"properties": {"loggerType": "http", "credentials": {"url": "https://collector.example/ingest", "header:Authorization": "Bearer {{collector-token}}"}}}`)
	a.must("PUT", "/loggers/hub", `{"properties": {"loggerType": "azureEventHub", "credentials": {"name": "orders", "connectionString": "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=k"}}}`)
	a.must("PUT", "/apis/echo", `{"properties": {"displayName": "Echo", "path": "echo", "serviceUrl": "http://backend"}}`)
	a.must("PUT", "/apis/echo/policy", `{"properties": {"format": "rawxml", "value": "<policies><inbound><log-to-eventhub logger-id=\"hub\">@(context.RequestId.ToString())</log-to-eventhub><log-to-eventhub logger-id=\"events\" partition-key=\"k\">x</log-to-eventhub></inbound><backend><forward-request /></backend></policies>"}}`)
	r := a.do("PUT", "/apis/echo/policy", `{"properties": {"format": "rawxml", "value": "<policies><inbound><log-to-eventhub logger-id=\"nope\">x</log-to-eventhub></inbound></policies>"}}`)
	if _, _, msg := errorOf(t, r); r.status/100 != 4 || !strings.Contains(msg, `there is no logger \"nope\"`) && !strings.Contains(msg, `there is no logger "nope"`) {
		t.Errorf("a policy naming an unknown logger: %d %q, want 4xx naming it", r.status, msg)
	}
	r = a.do("PUT", "/diagnostics/azuremonitor", `{"properties": {"loggerId": "hub"}}`)
	if _, target, msg := errorOf(t, r); r.status != http.StatusBadRequest || target != "properties.loggerId" || !strings.Contains(msg, "only log-to-eventhub") {
		t.Errorf("a diagnostic writing to an event hub logger: %d %s %q, want 400", r.status, target, msg)
	}
	r = a.do("PUT", "/loggers/mi", `{"properties": {"loggerType": "azureEventHub", "credentials": {"name": "orders", "endpointAddress": "ns.servicebus.windows.net", "identityClientId": "SystemAssigned"}}}`)
	if _, target, msg := errorOf(t, r); r.status != http.StatusBadRequest || !strings.HasPrefix(target, "properties.credentials.") || !strings.Contains(msg, "not supported yet") {
		t.Errorf("a managed identity event hub logger: %d %s %q, want 400 not supported yet", r.status, target, msg)
	}
}

// TestLoggerInUseCannotBeDeleted: a logger that a global or an API's
// diagnostic writes to is kept (409) until the diagnostic goes; deleting
// an API deletes its diagnostics.
func TestLoggerInUseCannotBeDeleted(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/loggers/requests", `{"properties": {"loggerType": "file", "credentials": {"path": "requests.jsonl"}}}`)
	a.must("PUT", "/apis/echo", `{"properties": {"displayName": "Echo", "path": "echo", "serviceUrl": "http://backend"}}`)
	a.must("PUT", "/diagnostics/azuremonitor", `{"properties": {"loggerId": "/loggers/Requests", "sampling": {"samplingType": "fixed", "percentage": 50}}}`)
	a.must("PUT", "/apis/echo/diagnostics/azuremonitor", `{"properties": {"loggerId": "requests", "alwaysLog": "allErrors"}}`)

	r := a.do("DELETE", "/loggers/requests", "")
	if _, target, msg := errorOf(t, r); r.status != http.StatusConflict || target != "loggerId" || !strings.Contains(msg, "azuremonitor") {
		t.Errorf("deleting a used logger: %d %s %q, want 409 naming the diagnostic", r.status, target, msg)
	}
	a.must("DELETE", "/diagnostics/azuremonitor", "")
	r = a.do("DELETE", "/loggers/requests", "")
	if _, _, msg := errorOf(t, r); r.status != http.StatusConflict || !strings.Contains(msg, "of API 'echo'") {
		t.Errorf("deleting a logger an API's diagnostic uses: %d %q, want 409 naming the API", r.status, msg)
	}
	a.must("DELETE", "/apis/echo", "")
	a.must("DELETE", "/loggers/requests", "")

	r = a.do("PUT", "/diagnostics/azuremonitor", `{"properties": {"loggerId": "requests"}}`)
	if _, target, _ := errorOf(t, r); r.status != http.StatusBadRequest || target != "properties.loggerId" {
		t.Errorf("a diagnostic naming a deleted logger: %d %s, want 400 naming properties.loggerId", r.status, target)
	}
	r = a.do("PUT", "/diagnostics/azuremonitor", `{"properties": {"loggerId": "/backends/requests"}}`)
	if _, target, _ := errorOf(t, r); r.status != http.StatusBadRequest || target != "properties.loggerId" {
		t.Errorf("a loggerId of another collection: %d %s, want 400 naming properties.loggerId", r.status, target)
	}
}

// TestLoggerNamedByAPolicyCannotBeDeleted: deleting a logger that
// log-to-eventhub names would break the policy: refused, naming it.
func TestLoggerNamedByAPolicyCannotBeDeleted(t *testing.T) {
	a := newTestAPI(t)
	a.must("PUT", "/loggers/events", `{"properties": {"loggerType": "stdout"}}`)
	a.must("PUT", "/apis/echo", `{"properties": {"displayName": "Echo", "path": "echo", "serviceUrl": "http://backend"}}`)
	a.must("PUT", "/apis/echo/policy", `{"properties": {"format": "rawxml", "value": "<policies><inbound><log-to-eventhub logger-id=\"events\">x</log-to-eventhub></inbound></policies>"}}`)
	r := a.do("DELETE", "/loggers/events", "")
	if r.status/100 != 4 || !strings.Contains(r.raw, "events") {
		t.Errorf("deleting a logger a policy names: %d %s, want 4xx naming it", r.status, r.raw)
	}
}
