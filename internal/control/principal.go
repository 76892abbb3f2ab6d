package control

import "github.com/gatehouse/gatehouse/internal/model"

// PrincipalKind says what kind of caller a Principal is.
type PrincipalKind string

// The kinds of principal.
const (
	// KindAdmin is the bootstrap administrator, who holds the admin
	// token: every call is allowed.
	KindAdmin PrincipalKind = "admin"
	// KindUser is a signed-in user (developer portal, admin console),
	// allowed what the user's groups grant.
	KindUser PrincipalKind = "user"
	// KindServicePrincipal is an automated caller with a token of its own
	// (CI, the Kubernetes controller), allowed what its role grants.
	KindServicePrincipal PrincipalKind = "servicePrincipal"
)

// Principal is who makes a call. Every call to the Service carries one,
// so that authorisation and the audit trail see the same identity
// whichever adapter (management API, portal, console) took the call.
type Principal struct {
	Kind PrincipalKind
	// ID is the user's or service principal's id; "admin" for the
	// bootstrap administrator.
	ID string
	// Role is a service principal's role (model.RoleContributor or
	// model.RoleReader).
	Role string
}

// Admin is the bootstrap administrator.
func Admin() Principal { return Principal{Kind: KindAdmin, ID: "admin"} }

// action is what a call does, for authorisation.
type action int

const (
	read action = iota
	write
)

// may reports whether p may do a: the administrator may do anything, a
// service principal what its role grants (a contributor reads and
// changes the configuration, a reader reads it); other principals get
// nothing until roles are granted to them.
func (p Principal) may(a action) error {
	switch p.Kind {
	case KindAdmin:
		return nil
	case "":
		return Forbidden("The call carries no principal.")
	case KindServicePrincipal:
		if p.Role == model.RoleContributor || (p.Role == model.RoleReader && a == read) {
			return nil
		}
	}
	verb := "read"
	if a == write {
		verb = "change"
	}
	return Forbidden("The " + string(p.Kind) + " '" + p.ID + "' may not " + verb + " the configuration.")
}
