package model

import (
	"regexp"
	"strings"
)

var namedValueName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// NamedValue is a name/value pair that policies reference as {{name}}.
// When Secret is set, Value is write-only: it is encrypted at rest and never
// returned by GET.
type NamedValue struct {
	DisplayName string   `json:"displayName"`
	Value       string   `json:"value,omitempty"`
	Secret      bool     `json:"secret"`
	Tags        []string `json:"tags,omitempty"`
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); empty at service level. It describes the
	// resource: ids stay unique across workspaces and the service.
	WorkspaceID string `json:"workspaceId,omitempty"`
}

// Normalize has nothing to default.
func (n *NamedValue) Normalize() {}

// Validate checks the named value's own fields.
func (n *NamedValue) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, n.WorkspaceID)
	if !namedValueName.MatchString(n.DisplayName) || len(n.DisplayName) > 256 {
		fe.add("displayName", "%q must be 1 to 256 letters, digits, '.', '-' or '_'", n.DisplayName)
	}
	if len(n.Value) > 4096 {
		fe.add("value", "must be at most 4096 characters")
	}
	if strings.Contains(n.Value, "{{") {
		fe.add("value", "must not reference another named value")
	}
	if len(n.Tags) > 32 {
		fe.add("tags", "at most 32 tags are allowed")
	}
	return fe.err()
}

// ExpandNamedValues replaces each {{name}} in s whose name (ignoring case)
// is a key of values, lower-cased, with its value; other text, and
// references to names values lacks, are left as written.
func ExpandNamedValues(s string, values map[string]string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			break
		}
		name := strings.ToLower(strings.TrimSpace(s[i+2 : i+j]))
		v, ok := values[name]
		b.WriteString(s[:i])
		if ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+j+2])
		}
		s = s[i+j+2:]
	}
	b.WriteString(s)
	return b.String()
}
