package model

import "strings"

// KindWorkspace holds workspaces: named groups of APIs, products, named
// values, backends, policy fragments, version sets, tags, groups and
// subscriptions and loggers, as APIM's workspaces group a team's resources. A
// resource names its workspace in its workspaceId property.
const KindWorkspace Kind = "workspaces"

// Workspace is one workspace (APIM's WorkspaceContract).
type Workspace struct {
	DisplayName string `json:"displayName"`
	Description string `json:"description,omitempty"`
}

// Normalize does nothing: a workspace has no defaults.
func (w *Workspace) Normalize() {}

// Validate checks the workspace's own fields.
func (w *Workspace) Validate() error {
	var fe fieldErrors
	if strings.TrimSpace(w.DisplayName) == "" {
		fe.add("displayName", "is required")
	} else if len(w.DisplayName) > 300 {
		fe.add("displayName", "must be at most 300 characters")
	}
	if len(w.Description) > 1000 {
		fe.add("description", "must be at most 1000 characters")
	}
	return fe.err()
}

// validateWorkspaceID checks a resource's workspaceId: empty, or a valid
// workspace id.
func validateWorkspaceID(fe *fieldErrors, id string) {
	if id == "" {
		return
	}
	if err := ValidateID(id); err != nil {
		fe.add("workspaceId", "%v", err)
	}
}
