package builtin

import (
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// recordingLog is an EventLog that keeps what it is given.
type recordingLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *recordingLog) Log(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func compileWithLoggers(doc string, loggers map[string]string, log EventLog) (*policy.Pipeline, error) {
	reg := policy.NewRegistry()
	Register(reg, Deps{EventLog: log})
	env := policy.Env{Loggers: loggers}
	d, err := policy.ParseIn(doc, env)
	if err != nil {
		return nil, err
	}
	eff, err := policy.Merge(nil, d)
	if err != nil {
		return nil, err
	}
	return reg.Compile(eff, env)
}

func TestLogToEventHubCompile(t *testing.T) {
	loggers := map[string]string{"hub": "azureEventHub", "ai": "applicationInsights"}
	for _, tt := range []struct{ name, doc, want string }{
		{"unknown logger", inbound(`<log-to-eventhub logger-id="nope">x</log-to-eventhub>`), `logger-id: there is no logger "nope"`},
		{"wrong type", inbound(`<log-to-eventhub logger-id="ai">x</log-to-eventhub>`), `logger "ai" is of type applicationInsights, which log-to-eventhub cannot send to`},
		{"logger-id expression", inbound(`<log-to-eventhub logger-id="@("hub")">x</log-to-eventhub>`), "an expression is not allowed here"},
		{"partition-id expression", inbound(`<log-to-eventhub logger-id="hub" partition-id="@("1")">x</log-to-eventhub>`), "an expression is not allowed here"},
		{"partition-id not a number", inbound(`<log-to-eventhub logger-id="hub" partition-id="one">x</log-to-eventhub>`), `"one": want a partition index`},
		// APIM: partition-id "Do not use if partition-key is used."
		{"both partitions", inbound(`<log-to-eventhub logger-id="hub" partition-id="1" partition-key="k">x</log-to-eventhub>`), "give partition-id or partition-key, not both"},
		{"no logger-id", inbound(`<log-to-eventhub>x</log-to-eventhub>`), "attribute logger-id is required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compileWithLoggers(tt.doc, loggers, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLogToEventHubRun(t *testing.T) {
	log := &recordingLog{}
	doc := `<policies><inbound><log-to-eventhub logger-id="Hub" partition-key="@(context.Request.Method)">@("in " + context.Request.Url.Path)</log-to-eventhub></inbound>` +
		`<outbound><log-to-eventhub logger-id="hub" partition-id="3">` + strings.Repeat("é", MaxEventBytes) + `</log-to-eventhub></outbound></policies>`
	p, err := compileWithLoggers(doc, map[string]string{"hub": "http"}, log)
	if err != nil {
		t.Fatal(err)
	}
	c := newAccessContext()
	if err := p.Run(policy.Inbound, c); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(policy.Outbound, c); err != nil {
		t.Fatal(err)
	}
	if len(log.events) != 2 {
		t.Fatalf("events %d, want 2", len(log.events))
	}
	if e := log.events[0]; e.Logger != "hub" || e.PartitionKey != "GET" || e.PartitionID != "" || !strings.HasPrefix(e.Message, "in /") {
		t.Errorf("inbound event %+v", e)
	}
	// APIM: "A message that is larger than 200 KB will be automatically
	// truncated to 200 KB before transfer to an event hub."
	if e := log.events[1]; e.PartitionID != "3" || len(e.Message) > MaxEventBytes || len(e.Message) < MaxEventBytes-1 || !strings.HasSuffix(e.Message, "é") {
		t.Errorf("outbound event: partition %q, %d bytes", e.PartitionID, len(e.Message))
	}
}
