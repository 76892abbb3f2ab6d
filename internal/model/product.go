package model

// Product states.
const (
	ProductNotPublished = "notPublished"
	ProductPublished    = "published"
)

// Product groups APIs that are offered to consumers under one subscription.
type Product struct {
	DisplayName          string `json:"displayName"`
	Description          string `json:"description,omitempty"`
	Terms                string `json:"terms,omitempty"`
	State                string `json:"state"`
	SubscriptionRequired *bool  `json:"subscriptionRequired,omitempty"`
	ApprovalRequired     *bool  `json:"approvalRequired,omitempty"`
	SubscriptionsLimit   *int   `json:"subscriptionsLimit,omitempty"`
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); empty at service level. It describes the
	// resource: ids stay unique across workspaces and the service.
	WorkspaceID string `json:"workspaceId,omitempty"`
}

// Normalize fills APIM's defaults: not published, subscription required.
func (p *Product) Normalize() {
	if p.State == "" {
		p.State = ProductNotPublished
	}
	if p.SubscriptionRequired == nil {
		p.SubscriptionRequired = boolPtr(true)
	}
	if p.ApprovalRequired == nil {
		p.ApprovalRequired = boolPtr(false)
	}
}

// Validate checks the product's own fields.
func (p *Product) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, p.WorkspaceID)
	if p.DisplayName == "" {
		fe.add("displayName", "is required")
	}
	if !oneOf(p.State, ProductNotPublished, ProductPublished) {
		fe.add("state", "%q is not a product state: want notPublished or published", p.State)
	}
	if p.SubscriptionsLimit != nil && *p.SubscriptionsLimit < 0 {
		fe.add("subscriptionsLimit", "must not be negative")
	}
	if p.SubscriptionRequired != nil && !*p.SubscriptionRequired {
		fe.unsupported("subscriptionRequired", "a product's APIs are called with its subscriptions' keys; set subscriptionRequired false on an API to open it")
	}
	return fe.err()
}
