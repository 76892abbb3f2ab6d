package model

import (
	"strings"
	"testing"
)

func TestEventHubAndHTTPLoggers(t *testing.T) {
	const cs = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=S3cretKeyValue0123456789abcdefghij=;EntityPath=orders"
	tests := []struct {
		name string
		l    Logger
		want string // "" valid
	}{
		{"event hub", Logger{LoggerType: LoggerEventHub, Credentials: map[string]string{"connectionString": cs}}, ""},
		{"event hub by name", Logger{LoggerType: LoggerEventHub, Credentials: map[string]string{"connectionString": strings.TrimSuffix(cs, ";EntityPath=orders"), "name": "orders"}}, ""},
		{"named value", Logger{LoggerType: LoggerEventHub, Credentials: map[string]string{"connectionString": "{{hub-cs}}", "name": "orders"}}, ""},
		{"no hub", Logger{LoggerType: LoggerEventHub, Credentials: map[string]string{"connectionString": strings.TrimSuffix(cs, ";EntityPath=orders")}}, "credentials.name"},
		{"names disagree", Logger{LoggerType: LoggerEventHub, Credentials: map[string]string{"connectionString": cs, "name": "other"}}, "name different event hubs"},
		{"no connection string", Logger{LoggerType: LoggerEventHub, Credentials: map[string]string{"name": "orders"}}, "credentials.connectionString"},
		{"managed identity", Logger{LoggerType: LoggerEventHub, Credentials: map[string]string{"endpointAddress": "ns.servicebus.windows.net", "identityClientId": "SystemAssigned", "name": "h"}}, "is not supported yet"},
		{"bad endpoint", Logger{LoggerType: LoggerEventHub, Credentials: map[string]string{"connectionString": strings.Replace(cs, "sb://", "https://", 1)}}, "want sb://"},
		{"http", Logger{LoggerType: LoggerHTTP, Credentials: map[string]string{"url": "https://collector/ingest", "header:Authorization": "Bearer {{t}}"}}, ""},
		{"http without url", Logger{LoggerType: LoggerHTTP}, "credentials.url"},
		{"http bad header", Logger{LoggerType: LoggerHTTP, Credentials: map[string]string{"url": "http://c", "header:a b": "x"}}, "is not a header name"},
		{"http unknown key", Logger{LoggerType: LoggerHTTP, Credentials: map[string]string{"url": "http://c", "token": "x"}}, "credentials.token"},
		{"application insights", Logger{LoggerType: "applicationInsights"}, "is not supported yet"},
		{"unknown", Logger{LoggerType: "kafka"}, `"kafka" is not a logger type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate: %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "S3cretKeyValue") {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}

func TestParseEventHubConnection(t *testing.T) {
	c, err := ParseEventHubConnection(" endpoint=sb://127.0.0.1:8443/ ; SharedAccessKeyName=send;SharedAccessKey=k=;EntityPath=Hub", "")
	if err != nil {
		t.Fatal(err)
	}
	if c != (EventHubConnection{Endpoint: "https://127.0.0.1:8443", KeyName: "send", Key: "k=", EventHub: "Hub"}) {
		t.Errorf("parsed %+v", c)
	}
}

// FuzzParseEventHubConnection: any input gives a connection with an
// https endpoint and a key, or an error that does not show the key.
func FuzzParseEventHubConnection(f *testing.F) {
	f.Add("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=secretvalue;EntityPath=h", "")
	f.Add("Endpoint=sb://h:1/;SharedAccessKeyName=a;SharedAccessKey=secretvalue", "hub")
	f.Add("SharedAccessKey=secretvalue;Endpoint=http://x", "h/x")
	f.Add(";;=", "")
	f.Fuzz(func(t *testing.T, s, hub string) {
		c, err := ParseEventHubConnection(s, hub)
		if err != nil {
			if c.Key != "" && len(c.Key) > 8 && strings.Contains(err.Error(), c.Key) {
				t.Fatalf("error shows the key: %v", err)
			}
			return
		}
		if !strings.HasPrefix(c.Endpoint, "https://") || c.Key == "" || c.KeyName == "" || strings.ContainsAny(c.EventHub, "/?#%") {
			t.Fatalf("ParseEventHubConnection(%q) = %+v", s, c)
		}
	})
}
