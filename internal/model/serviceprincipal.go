package model

// Service principal roles.
const (
	// RoleContributor reads and changes the configuration.
	RoleContributor = "contributor"
	// RoleReader reads the configuration.
	RoleReader = "reader"
)

// ServicePrincipal is an automated caller of the management API (a CI
// pipeline, gatehouse-controller) with a token of its own and a role. Its
// token is made by the management API (generateToken), shown once, and
// kept only as a hash. Managing service principals is the
// administrator's alone.
type ServicePrincipal struct {
	DisplayName string `json:"displayName"`
	Description string `json:"description,omitempty"`
	// Role is RoleContributor or RoleReader.
	Role string `json:"role"`
}

// Normalize defaults the role to reader, the least one.
func (p *ServicePrincipal) Normalize() {
	if p.Role == "" {
		p.Role = RoleReader
	}
}

// Validate checks the service principal's own fields.
func (p *ServicePrincipal) Validate() error {
	var fe fieldErrors
	if p.DisplayName == "" {
		fe.add("displayName", "is required")
	}
	if p.Role != RoleContributor && p.Role != RoleReader {
		fe.add("role", "%q is not a role: use %s or %s", p.Role, RoleContributor, RoleReader)
	}
	return fe.err()
}
