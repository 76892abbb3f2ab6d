package model

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// User states.
const (
	UserActive  = "active"
	UserBlocked = "blocked"
	UserPending = "pending"
)

// User is a consumer of APIs (a developer) or an administrator. Password is
// write-only: it is hashed into the resource's secret and never returned.
type User struct {
	Email            string     `json:"email"`
	FirstName        string     `json:"firstName"`
	LastName         string     `json:"lastName"`
	State            string     `json:"state"`
	Note             string     `json:"note,omitempty"`
	RegistrationDate *time.Time `json:"registrationDate,omitempty"`
	Password         string     `json:"password,omitempty"`
}

// Normalize defaults the state to active.
func (u *User) Normalize() {
	if u.State == "" {
		u.State = UserActive
	}
}

// Validate checks the user's own fields.
func (u *User) Validate() error {
	var fe fieldErrors
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		fe.add("email", "%q is not an email address", u.Email)
	}
	if u.FirstName == "" {
		fe.add("firstName", "is required")
	}
	if u.LastName == "" {
		fe.add("lastName", "is required")
	}
	switch {
	case !oneOf(u.State, UserActive, UserBlocked, UserPending):
		fe.add("state", "%q is not a user state: want active, blocked or pending", u.State)
	case u.State != UserActive:
		fe.unsupported("state", fmt.Sprintf("the gateways do not refuse the subscriptions of %s users; suspend the user's subscriptions instead", u.State))
	}
	if u.Password != "" && (len(u.Password) < 8 || len(u.Password) > 128) {
		fe.add("password", "must be 8 to 128 characters long")
	}
	return fe.err()
}

// Built-in groups. They exist in every installation and cannot be deleted.
var BuiltinGroups = []struct {
	ID, DisplayName, Description string
}{
	{"administrators", "Administrators", "Administrators manage the whole installation."},
	{"developers", "Developers", "Developers are signed-in users of the developer portal."},
	{"guests", "Guests", "Guests are anonymous visitors of the developer portal."},
}

// IsBuiltinGroup reports whether id names a built-in group.
func IsBuiltinGroup(id string) bool {
	for _, g := range BuiltinGroups {
		if strings.EqualFold(g.ID, id) {
			return true
		}
	}
	return false
}

// Group is a set of users; products are made visible to groups.
type Group struct {
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); "" at service level. It describes the
	// resource: the gateways do not read it.
	WorkspaceID string `json:"workspaceId,omitempty"`
	DisplayName string `json:"displayName"`
	Description string `json:"description,omitempty"`
	BuiltIn     bool   `json:"builtIn"`
	Type        string `json:"type,omitempty"`
}

// Normalize defaults the type to custom.
func (g *Group) Normalize() {
	if g.Type == "" {
		g.Type = "custom"
	}
}

// Validate checks the group's own fields.
func (g *Group) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, g.WorkspaceID)
	if g.DisplayName == "" {
		fe.add("displayName", "is required")
	}
	if !oneOf(g.Type, "custom", "system", "external") {
		fe.add("type", "%q is not a group type: want custom, system or external", g.Type)
	} else if g.Type == "external" {
		fe.unsupported("type", "external (identity provider) groups are not implemented; use custom")
	}
	return fe.err()
}
