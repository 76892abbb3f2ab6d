package model

import (
	"fmt"
	"strings"
	"time"
)

// Subscription states, as in APIM. Only active subscriptions pass the gateway.
const (
	SubscriptionActive    = "active"
	SubscriptionSuspended = "suspended"
	SubscriptionSubmitted = "submitted"
	SubscriptionRejected  = "rejected"
	SubscriptionCancelled = "cancelled"
	SubscriptionExpired   = "expired"
)

// MinKeyLength and MaxKeyLength bound a subscription key given on PUT.
const (
	MinKeyLength = 8
	MaxKeyLength = 256
)

// Subscription grants a consumer access to a scope with two keys. The keys
// are write-only: PrimaryKey and SecondaryKey are read from requests and
// never stored in the properties or returned.
type Subscription struct {
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); "" at service level. It describes the
	// resource: the gateways do not read it.
	WorkspaceID  string     `json:"workspaceId,omitempty"`
	DisplayName  string     `json:"displayName"`
	Scope        string     `json:"scope"`
	OwnerID      string     `json:"ownerId,omitempty"`
	State        string     `json:"state"`
	AllowTracing bool       `json:"allowTracing"`
	CreatedDate  *time.Time `json:"createdDate,omitempty"`
	PrimaryKey   string     `json:"primaryKey,omitempty"`
	SecondaryKey string     `json:"secondaryKey,omitempty"`
}

// Normalize defaults the state to active.
func (s *Subscription) Normalize() {
	if s.State == "" {
		s.State = SubscriptionActive
	}
}

// Validate checks the subscription's own fields.
func (s *Subscription) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, s.WorkspaceID)
	if s.DisplayName == "" {
		fe.add("displayName", "is required")
	}
	if _, err := ParseScope(s.Scope); err != nil {
		fe.add("scope", "%v", err)
	}
	if s.OwnerID != "" {
		if _, err := ParseOwner(s.OwnerID); err != nil {
			fe.add("ownerId", "%v", err)
		}
	}
	if !oneOf(s.State, SubscriptionActive, SubscriptionSuspended, SubscriptionSubmitted,
		SubscriptionRejected, SubscriptionCancelled, SubscriptionExpired) {
		fe.add("state", "%q is not a subscription state: want active, suspended, submitted, rejected, cancelled or expired", s.State)
	}
	if s.AllowTracing {
		fe.unsupported("allowTracing", "the gateways do not trace requests; leave it out or set false")
	}
	for field, k := range map[string]string{"primaryKey": s.PrimaryKey, "secondaryKey": s.SecondaryKey} {
		if k != "" && (len(k) < MinKeyLength || len(k) > MaxKeyLength) {
			fe.add(field, "must be %d to %d characters long", MinKeyLength, MaxKeyLength)
		}
	}
	return fe.err()
}

// A Scope is what a subscription grants access to: every API (Kind "" and
// ID ""), one API (KindAPI) or one product (KindProduct).
type Scope struct {
	Kind Kind
	ID   string
}

// ParseScope parses "/apis", "/apis/{apiId}" or "/products/{productId}".
// A leading full APIM resource prefix (".../service/{name}") is accepted.
func ParseScope(s string) (Scope, error) {
	if i := strings.Index(s, "/service/"); i >= 0 && strings.HasPrefix(s, "/subscriptions/") {
		rest := s[i+len("/service/"):]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			s = rest[j:]
		}
	}
	if s == "/apis" {
		return Scope{}, nil
	}
	parts := strings.Split(strings.TrimPrefix(s, "/"), "/")
	if len(parts) == 2 && (parts[0] == "apis" || parts[0] == "products") {
		if err := ValidateID(parts[1]); err != nil {
			return Scope{}, fmt.Errorf("id %v", err)
		}
		return Scope{Kind: Kind(parts[0]), ID: parts[1]}, nil
	}
	return Scope{}, fmt.Errorf("%q is not a scope: want /apis, /apis/{apiId} or /products/{productId}", s)
}

// String returns the scope in its canonical form.
func (s Scope) String() string {
	if s.Kind == "" {
		return "/apis"
	}
	return "/" + string(s.Kind) + "/" + s.ID
}

// ParseOwner parses an owner reference "/users/{userId}" and returns the id.
func ParseOwner(s string) (string, error) {
	id, ok := strings.CutPrefix(s, "/users/")
	if !ok {
		return "", fmt.Errorf("%q is not an owner: want /users/{userId}", s)
	}
	if err := ValidateID(id); err != nil {
		return "", fmt.Errorf("user id %v", err)
	}
	return id, nil
}

// SubscriptionKeys is the secret part of a subscription, stored encrypted.
type SubscriptionKeys struct {
	PrimaryKey   string `json:"primaryKey"`
	SecondaryKey string `json:"secondaryKey"`
}
