package model

import (
	"fmt"
	"regexp"
)

// Kind names a resource collection. Its value is the collection's name in the
// management API's paths (for top-level kinds) and in the store.
type Kind string

// The resource kinds. Link kinds (ProductAPIs, ProductGroups, GroupUsers,
// GatewayAPIs, APITags, ProductTags) have an empty body: their parent and id are the two ends.
const (
	KindAPI           Kind = "apis"
	KindOperation     Kind = "operations"
	KindProduct       Kind = "products"
	KindProductAPI    Kind = "productApis"
	KindProductGroup  Kind = "productGroups"
	KindSubscription  Kind = "subscriptions"
	KindUser          Kind = "users"
	KindGroup         Kind = "groups"
	KindGroupUser     Kind = "groupUsers"
	KindNamedValue    Kind = "namedValues"
	KindBackend       Kind = "backends"
	KindGateway       Kind = "gateways"
	KindGatewayAPI    Kind = "gatewayApis"
	KindSystemSetting Kind = "settings"
	// KindSchema holds global schemas, which validate-content names.
	KindSchema Kind = "schemas"
	// KindCertificate holds certificates; their material is the record's
	// sealed secret (PEM).
	KindCertificate Kind = "certificates"
	// KindGatewayCertificateAuthority holds a gateway's certificate
	// authorities: parent is the gateway, id the certificate.
	KindGatewayCertificateAuthority Kind = "gatewayCertificateAuthorities"
	// KindTag holds tags, which describe APIs and products.
	KindTag Kind = "tags"
	// KindServicePrincipal holds the management API's automated callers;
	// the record's secret is the hash of its token.
	KindServicePrincipal Kind = "servicePrincipals"
	// KindAPITag links an API (parent) to a tag (id).
	KindAPITag Kind = "apiTags"
	// KindProductTag links a product (parent) to a tag (id).
	KindProductTag Kind = "productTags"
	// KindOperationTag links an operation to a tag (id); its parent is
	// the operation's scope, "apis/{apiId}/operations/{operationId}".
	KindOperationTag Kind = "operationTags"
)

// MaxIDLength is the longest resource id accepted.
const MaxIDLength = 80

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// ValidateID reports whether id is a valid resource id: 1 to 80 letters,
// digits, '-', '_' or '.'.
func ValidateID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("must not be empty")
	case len(id) > MaxIDLength:
		return fmt.Errorf("is %d characters long; at most %d are allowed", len(id), MaxIDLength)
	case !idPattern.MatchString(id):
		return fmt.Errorf("%q may contain only letters, digits, '-', '_' and '.'", id)
	}
	return nil
}
