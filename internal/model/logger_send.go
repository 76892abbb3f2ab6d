package model

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// LoggerHeaderPrefix starts the credentials of an http logger that are
// headers of its requests: "header:Authorization" is the Authorization
// header.
const LoggerHeaderPrefix = "header:"

// validateHTTPLogger checks an http logger's credentials: url, an
// absolute http or https URL (or a {{named value}}), and headers.
func validateHTTPLogger(creds map[string]string, fe *fieldErrors) {
	for _, k := range sortedKeys(creds) {
		switch {
		case k == "url":
		case strings.HasPrefix(k, LoggerHeaderPrefix):
			name := strings.TrimPrefix(k, LoggerHeaderPrefix)
			if !isToken(name) {
				fe.add("credentials."+k, "%q is not a header name", name)
			}
		default:
			fe.add("credentials."+k, "is not a setting of an http logger: want url and header:NAME")
		}
	}
	raw := creds["url"]
	if raw == "" {
		fe.add("credentials.url", "is required: the URL that messages are posted to")
		return
	}
	if strings.Contains(raw, "{{") {
		return // checked when the named value is resolved
	}
	if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fe.add("credentials.url", "is not an absolute http or https URL")
	}
}

// validateEventHubLogger checks an azureEventHub logger's credentials,
// APIM's shape: connectionString (Endpoint, SharedAccessKeyName,
// SharedAccessKey and, unless name gives it, EntityPath) and name, the
// event hub. APIM's managed identity form (endpointAddress and
// identityClientId instead of a connection string) is refused as not
// supported yet.
func validateEventHubLogger(creds map[string]string, fe *fieldErrors) {
	if _, ok := creds["identityClientId"]; ok {
		fe.unsupported("credentials.identityClientId", "event hub loggers authenticate with a connection string (its shared access key); give credentials.connectionString")
		return
	}
	if _, ok := creds["endpointAddress"]; ok {
		fe.unsupported("credentials.endpointAddress", "event hub loggers authenticate with a connection string (its shared access key); give credentials.connectionString")
		return
	}
	for _, k := range sortedKeys(creds) {
		if k != "connectionString" && k != "name" {
			fe.add("credentials."+k, "is not a setting of an azureEventHub logger: want connectionString and name")
		}
	}
	cs := creds["connectionString"]
	switch {
	case cs == "":
		fe.add("credentials.connectionString", "is required: the event hub's connection string (Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...), best a secret {{named value}}")
	case strings.Contains(cs, "{{"):
		// checked when the named value is resolved
	default:
		c, err := ParseEventHubConnection(cs, creds["name"])
		if err != nil {
			fe.add("credentials.connectionString", "%v", err)
		} else if c.EventHub == "" {
			fe.add("credentials.name", "is required when the connection string has no EntityPath: the event hub's name")
		}
	}
}

// EventHubConnection is a parsed Event Hubs connection string.
type EventHubConnection struct {
	// Endpoint is the namespace's HTTPS base URL, https://host[:port],
	// from the connection string's sb:// Endpoint.
	Endpoint string
	KeyName  string // SharedAccessKeyName
	Key      string // SharedAccessKey, used as it is (not base64-decoded)
	EventHub string // EntityPath, or the logger's name
}

// ParseEventHubConnection parses an Event Hubs connection string,
// "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=...;
// SharedAccessKey=...;EntityPath=hub", keys in any case and order.
// hub, when not empty, names the event hub; it must agree with
// EntityPath when both are given. Errors never repeat the key.
func ParseEventHubConnection(s, hub string) (EventHubConnection, error) {
	var c EventHubConnection
	var endpoint string
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return c, fmt.Errorf("a connection string is key=value pairs separated by ';'; %q is not one", redactPart(part))
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "endpoint":
			endpoint = strings.TrimSpace(v)
		case "sharedaccesskeyname":
			c.KeyName = strings.TrimSpace(v)
		case "sharedaccesskey":
			c.Key = strings.TrimSpace(v)
		case "entitypath":
			c.EventHub = strings.TrimSpace(v)
		default:
			return c, fmt.Errorf("%q is not a key of an Event Hubs connection string: want Endpoint, SharedAccessKeyName, SharedAccessKey, EntityPath", strings.TrimSpace(k))
		}
	}
	u, err := url.Parse(endpoint)
	if endpoint == "" || err != nil || u.Scheme != "sb" || u.Host == "" || u.User != nil || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return c, fmt.Errorf("Endpoint %q: want sb://NAMESPACE.servicebus.windows.net/", endpoint)
	}
	c.Endpoint = "https://" + u.Host
	if c.KeyName == "" || c.Key == "" {
		return c, fmt.Errorf("SharedAccessKeyName and SharedAccessKey are required")
	}
	hub = strings.TrimSpace(hub)
	if hub != "" && c.EventHub != "" && !strings.EqualFold(hub, c.EventHub) {
		return c, fmt.Errorf("EntityPath %q and the logger's name %q name different event hubs", c.EventHub, hub)
	}
	if c.EventHub == "" {
		c.EventHub = hub
	}
	if strings.ContainsAny(c.EventHub, "/?#%") || hasControl(c.EventHub) {
		return c, fmt.Errorf("event hub name %q: want a name without '/', '?', '#' or '%%'", c.EventHub)
	}
	return c, nil
}

// redactPart returns a connection string part for an error: its key
// only, since its value may be the secret.
func redactPart(p string) string {
	if len(p) > 20 {
		return p[:3] + "..."
	}
	return p
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isToken reports whether s is an HTTP header name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > 126 || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}
