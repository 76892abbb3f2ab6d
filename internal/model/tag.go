package model

// MaxTagDisplayNameLength is the longest display name of a tag, as in
// Azure API Management.
const MaxTagDisplayNameLength = 160

// Tag is a label that APIs and products carry (APIM's TagContract). Tags
// describe resources to people and tools (lists, the portal, exports);
// the gateways do not use them.
type Tag struct {
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); "" at service level. It describes the
	// resource: the gateways do not read it.
	WorkspaceID string `json:"workspaceId,omitempty"`
	DisplayName string `json:"displayName"`
}

// Normalize does nothing: a tag has no defaults.
func (t *Tag) Normalize() {}

// Validate checks the tag's own fields.
func (t *Tag) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, t.WorkspaceID)
	if t.DisplayName == "" {
		fe.add("displayName", "is required")
	}
	return fe.err()
}
