package model

// Policy kinds. A policy's parent names its scope: "" (global),
// "products/{id}", "apis/{id}" or "apis/{id}/operations/{id}"; its id is
// always "policy".
const (
	KindPolicy         Kind = "policies"
	KindPolicyFragment Kind = "policyFragments"
)

// PolicyID is the id of every policy resource.
const PolicyID = "policy"

// Policy is a policy document at one scope.
type Policy struct {
	// Format is "xml" or "rawxml" (both read the same way: the value is
	// the <policies> document, expressions may hold raw quotes and <).
	Format string `json:"format,omitempty"`
	Value  string `json:"value"`
}

// Normalize defaults the format.
func (p *Policy) Normalize() {
	if p.Format == "" {
		p.Format = "xml"
	}
}

// Validate checks the format; the document is checked by compiling it.
func (p *Policy) Validate() error {
	return validateDocument(p.Format, p.Value, "the <policies> document")
}

// validateDocument checks the format and size of a policy document.
func validateDocument(format, value, what string) error {
	var fe fieldErrors
	if !oneOf(format, "xml", "rawxml") {
		fe.add("format", "%q is not supported: want xml or rawxml", format)
	}
	if value == "" {
		fe.add("value", "is required: %s", what)
	}
	if len(value) > 1<<20 {
		fe.add("value", "must be at most 1 MiB")
	}
	return fe.err()
}

// PolicyFragment is a reusable list of policy elements, included with
// <include-fragment fragment-id="..."/>.
type PolicyFragment struct {
	// WorkspaceID names the workspace the resource belongs to (APIOps's
	// workspaces/<id>/ folder); "" at service level. It describes the
	// resource: the gateways do not read it.
	WorkspaceID string `json:"workspaceId,omitempty"`
	Format      string `json:"format,omitempty"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
}

// Normalize defaults the format.
func (f *PolicyFragment) Normalize() {
	if f.Format == "" {
		f.Format = "xml"
	}
}

// Validate checks the format and the workspace id; the fragment is
// checked by compiling it.
func (f *PolicyFragment) Validate() error {
	var fe fieldErrors
	validateWorkspaceID(&fe, f.WorkspaceID)
	if err := fe.err(); err != nil {
		return err
	}
	return validateDocument(f.Format, f.Value, "the <fragment> document")
}
