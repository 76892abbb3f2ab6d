package model

import (
	"path"
	"sort"
	"strings"
)

// The logger kinds: KindLogger holds loggers, the sinks diagnostics write
// request records to; KindDiagnostic holds the global diagnostics and
// KindAPIDiagnostic those of one API (parent: the API).
const (
	KindLogger        Kind = "loggers"
	KindDiagnostic    Kind = "diagnostics"
	KindAPIDiagnostic Kind = "apiDiagnostics"
)

// The logger types the gateways honour.
const (
	// LoggerStdout writes JSON lines to the gateway's standard output.
	LoggerStdout = "stdout"
	// LoggerFile appends JSON lines to a file under the gateway's logger
	// directory, named by credentials.path.
	LoggerFile = "file"
	// LoggerHTTP posts log-to-eventhub's messages, in batches, to
	// credentials.url with the headers of the "header:NAME" credentials.
	LoggerHTTP = "http"
	// LoggerEventHub is APIM's azureEventHub: log-to-eventhub's messages
	// go to an Azure event hub, with credentials.connectionString.
	LoggerEventHub = "azureEventHub"
)

// apimLoggerTypes are APIM's logger types, which the gateways cannot
// send to yet.
var apimLoggerTypes = map[string]bool{"applicationInsights": true, "azureMonitor": true}

// Logger is a sink for request records (APIM's LoggerContract). The
// gateways honour the types LoggerStdout and LoggerFile, which both
// diagnostics and log-to-eventhub write to, and LoggerHTTP and
// LoggerEventHub, which only log-to-eventhub sends to.
type Logger struct {
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); "" at service level. It describes the
	// resource: the gateways do not read it.
	WorkspaceID string `json:"workspaceId,omitempty"`
	LoggerType  string `json:"loggerType"`
	Description string `json:"description,omitempty"`
	// Credentials are the sink's settings: for LoggerFile, "path" is the
	// file's path relative to the gateway's logger directory.
	Credentials map[string]string `json:"credentials,omitempty"`
	// IsBuffered is APIM's; records are always written in batches off
	// the request path, so both values behave alike.
	IsBuffered *bool  `json:"isBuffered,omitempty"`
	ResourceID string `json:"resourceId,omitempty"`
}

// Normalize fills isBuffered's default (true, as APIM).
func (l *Logger) Normalize() {
	if l.IsBuffered == nil {
		t := true
		l.IsBuffered = &t
	}
}

// Validate accepts the logger types the gateways honour and refuses
// APIM's others as not supported yet.
func (l *Logger) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, l.WorkspaceID)
	switch {
	case l.LoggerType == LoggerStdout:
		for k := range l.Credentials {
			fe.add("credentials."+k, "is not a setting of a stdout logger, which has none")
		}
	case l.LoggerType == LoggerFile:
		keys := make([]string, 0, len(l.Credentials))
		for k := range l.Credentials {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k != "path" {
				fe.add("credentials."+k, "is not a setting of a file logger: want only path")
			}
		}
		if msg := LoggerPathProblem(l.Credentials["path"]); msg != "" {
			fe.add("credentials.path", "%s", msg)
		}
	case l.LoggerType == LoggerHTTP:
		validateHTTPLogger(l.Credentials, &fe)
	case l.LoggerType == LoggerEventHub:
		validateEventHubLogger(l.Credentials, &fe)
	case apimLoggerTypes[l.LoggerType]:
		fe.unsupported("loggerType", "the gateways cannot send records to "+l.LoggerType+"; use stdout or file and ship those lines with a log collector")
	case l.LoggerType == "":
		fe.add("loggerType", "is required: stdout, file, http or azureEventHub")
	default:
		fe.add("loggerType", "%q is not a logger type: want stdout, file, http or azureEventHub", l.LoggerType)
	}
	if l.ResourceID != "" && l.LoggerType != LoggerEventHub {
		// An event hub logger's resourceId, which APIM keeps to link the
		// hub in its portal, is kept and not used: the connection string
		// says where to send.
		fe.unsupported("resourceId", "it names an Azure resource, which the gateways do not look up")
	}
	if len(l.Description) > 256 {
		fe.add("description", "must be at most 256 characters")
	}
	return fe.err()
}

// LoggerPathProblem says why p cannot be a file logger's path, or
// returns "": it must be a relative path of at most 200 characters that
// stays inside the logger directory.
func LoggerPathProblem(p string) string {
	switch {
	case p == "":
		return "is required: the file's path relative to the gateway's logger directory, such as requests.jsonl"
	case len(p) > 200:
		return "must be at most 200 characters"
	case strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || hasControl(p):
		return "must be a relative path with '/' separators, inside the gateway's logger directory"
	case path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "../"):
		return "must be a clean relative path that stays inside the gateway's logger directory (no '.', '..' or empty segments)"
	}
	return ""
}
