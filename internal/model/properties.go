package model

// Properties is the "properties" object of one resource kind.
type Properties interface {
	// Normalize fills defaults for fields left empty.
	Normalize()
	// Validate checks the properties on their own (references to other
	// resources are checked by the management API). It returns a
	// *ValidationError or nil.
	Validate() error
}

// NewProperties returns a zero Properties value for kind, or nil when kind
// has no properties (links).
func NewProperties(kind Kind) Properties {
	switch kind {
	case KindAPI:
		return new(API)
	case KindOperation:
		return new(Operation)
	case KindProduct:
		return new(Product)
	case KindSubscription:
		return new(Subscription)
	case KindUser:
		return new(User)
	case KindGroup:
		return new(Group)
	case KindTag:
		return new(Tag)
	case KindServicePrincipal:
		return new(ServicePrincipal)
	case KindNamedValue:
		return new(NamedValue)
	case KindBackend:
		return new(Backend)
	case KindSchema:
		return new(Schema)
	case KindGateway:
		return new(Gateway)
	case KindCertificate:
		return new(Certificate)
	case KindGatewayCertificateAuthority:
		return new(GatewayCertificateAuthority)
	case KindFederatedCredential:
		return new(FederatedCredential)
	case KindPolicy:
		return new(Policy)
	case KindPolicyFragment:
		return new(PolicyFragment)
	case KindAPIVersionSet:
		return new(APIVersionSet)
	case KindAPIRelease:
		return new(APIRelease)
	case KindLogger:
		return new(Logger)
	case KindDiagnostic, KindAPIDiagnostic:
		return new(Diagnostic)
	case KindAPISchema:
		return new(APISchema)
	case KindWorkspace:
		return new(Workspace)
	case KindAuthorizationProvider:
		return new(AuthorizationProvider)
	case KindAuthorization:
		return new(Authorization)
	}
	return nil
}
