package snapshot

// Logger is where a gateway writes request records and log-to-eventhub's
// messages: a logger of the management plane, as the gateway needs it.
type Logger struct {
	// Type is "stdout" (JSON lines on the gateway's standard output),
	// "file" (JSON lines appended to Path), "http" (log-to-eventhub's
	// messages posted to URL) or "azureEventHub" (sent to the event hub of
	// ConnectionString).
	Type string `json:"type"`
	// Path is a file logger's file, relative to the gateway's logger
	// directory, with '/' separators.
	Path string `json:"path,omitempty"`
	// URL and Headers are an http logger's destination and the headers
	// of its requests (named values resolved).
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// ConnectionString and EventHub are an azureEventHub logger's (named
	// values resolved); EventHub is empty when the connection string's
	// EntityPath names the hub.
	ConnectionString string `json:"connectionString,omitempty"`
	EventHub         string `json:"eventHub,omitempty"`
}

// Diagnostic says which requests a gateway records, and to which
// logger. A gateway of an older release ignores diagnostics: it records
// nothing, and serves requests as before.
type Diagnostic struct {
	// ID is the diagnostic's id, such as "azuremonitor"; an API's
	// diagnostic replaces the global one of the same id for that API.
	ID string `json:"id"`
	// API is the lower-case id of the API the diagnostic covers (all its
	// revisions); empty for a global diagnostic.
	API string `json:"api,omitempty"`
	// Logger is the lower-case id of the logger in Snapshot.Loggers.
	Logger string `json:"logger"`
	// Percentage is the share of requests recorded, 0 to 100.
	Percentage float64 `json:"percentage"`
	// AlwaysLogErrors records every failed request, sampled or not.
	AlwaysLogErrors bool `json:"alwaysLogErrors,omitempty"`
	// LogClientIP puts the client's address in the record.
	LogClientIP bool `json:"logClientIp,omitempty"`
	// RequestHeaders and ResponseHeaders name the headers of the
	// client's request and of the response to it that the record holds
	// (never the API's subscription key header).
	RequestHeaders  []string `json:"requestHeaders,omitempty"`
	ResponseHeaders []string `json:"responseHeaders,omitempty"`
}
