package mgmt

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/control"
	"github.com/gatehouse/gatehouse/internal/model"
)

// The management API's collections.
var (
	apisType = &resourceType{kind: model.KindAPI, title: "API", segment: "apis", idParam: "apiId",
		validID: model.ValidateAPIID}
	operationsType = &resourceType{kind: model.KindOperation, title: "Operation", segment: "operations", idParam: "operationId",
		parent: apisType}
	productsType          = &resourceType{kind: model.KindProduct, title: "Product", segment: "products", idParam: "productId"}
	subscriptionsType     = &resourceType{kind: model.KindSubscription, title: "Subscription", segment: "subscriptions", idParam: "sid"}
	usersType             = &resourceType{kind: model.KindUser, title: "User", segment: "users", idParam: "userId"}
	groupsType            = &resourceType{kind: model.KindGroup, title: "Group", segment: "groups", idParam: "groupId"}
	tagsType              = &resourceType{kind: model.KindTag, title: "Tag", segment: "tags", idParam: "tagId"}
	servicePrincipalsType = &resourceType{kind: model.KindServicePrincipal, title: "Service principal", segment: "servicePrincipals",
		idParam: "servicePrincipalId", adminOnly: true}
	namedValuesType          = &resourceType{kind: model.KindNamedValue, title: "Named value", segment: "namedValues", idParam: "namedValueId"}
	fragmentsType            = &resourceType{kind: model.KindPolicyFragment, title: "Policy fragment", segment: "policyFragments", idParam: "fragmentId"}
	backendsType             = &resourceType{kind: model.KindBackend, title: "Backend", segment: "backends", idParam: "backendId"}
	schemasType              = &resourceType{kind: model.KindSchema, title: "Schema", segment: "schemas", idParam: "schemaId"}
	gatewaysType             = &resourceType{kind: model.KindGateway, title: "Gateway", segment: "gateways", idParam: "gatewayId"}
	federatedCredentialsType = &resourceType{kind: model.KindFederatedCredential, title: "Federated credential",
		segment: "federatedCredentials", idParam: "credentialName", parent: gatewaysType}
	certificatesType                  = &resourceType{kind: model.KindCertificate, title: "Certificate", segment: "certificates", idParam: "certificateId"}
	gatewayCertificateAuthoritiesType = &resourceType{kind: model.KindGatewayCertificateAuthority, title: "Certificate authority",
		segment: "certificateAuthorities", idParam: "certificateId", parent: gatewaysType}

	versionSetsType = &resourceType{kind: model.KindAPIVersionSet, title: "API version set", segment: "apiVersionSets", idParam: "versionSetId"}
	releasesType    = &resourceType{kind: model.KindAPIRelease, title: "Release", segment: "releases", idParam: "releaseId", parent: apisType}

	loggersType        = &resourceType{kind: model.KindLogger, title: "Logger", segment: "loggers", idParam: "loggerId"}
	diagnosticsType    = &resourceType{kind: model.KindDiagnostic, title: "Diagnostic", segment: "diagnostics", idParam: "diagnosticId"}
	apiDiagnosticsType = &resourceType{kind: model.KindAPIDiagnostic, title: "Diagnostic", segment: "diagnostics", idParam: "diagnosticId",
		parent: apisType}

	apiSchemasType = &resourceType{kind: model.KindAPISchema, title: "API schema", segment: "schemas", idParam: "schemaId",
		parent: apisType}

	workspacesType = &resourceType{kind: model.KindWorkspace, title: "Workspace", segment: "workspaces", idParam: "workspaceId"}

	authorizationProvidersType = &resourceType{kind: model.KindAuthorizationProvider, title: "Authorization provider", segment: "authorizationProviders",
		idParam: "authorizationProviderId"}
	authorizationsType = &resourceType{kind: model.KindAuthorization, title: "Authorization", segment: "authorizations", idParam: "authorizationId",
		parent: authorizationProvidersType}

	resourceTypes = []*resourceType{apisType, operationsType, productsType, subscriptionsType, usersType,
		groupsType, namedValuesType, backendsType, gatewaysType, federatedCredentialsType, fragmentsType,
		certificatesType, gatewayCertificateAuthoritiesType, schemasType, versionSetsType, releasesType, tagsType,
		servicePrincipalsType, loggersType, diagnosticsType, apiDiagnosticsType, apiSchemasType, workspacesType,
		authorizationProvidersType, authorizationsType}

	linkTypes = []*linkType{
		{kind: model.KindProductAPI, owner: productsType, target: apisType},
		{kind: model.KindProductGroup, owner: productsType, target: groupsType},
		{kind: model.KindGroupUser, owner: groupsType, target: usersType},
		{kind: model.KindGatewayAPI, owner: gatewaysType, target: apisType},
		{kind: model.KindAPITag, owner: apisType, target: tagsType},
		{kind: model.KindProductTag, owner: productsType, target: tagsType},
		{kind: model.KindOperationTag, owner: operationsType, target: tagsType},
	}
)

// listValue answers POST /namedValues/{id}/listValue with the value, also
// of a secret.
func (s *Server) listValue(r *http.Request) (response, error) {
	var rec *control.Record
	err := s.control.View(r.Context(), principalOf(r), func(tx control.Reader) error {
		var err error
		rec, err = namedValuesType.get(r.Context(), tx, "", r.PathValue("namedValueId"))
		return err
	})
	if err != nil {
		return response{}, err
	}
	var nv model.NamedValue
	if err := control.DecodeStored(rec, &nv); err != nil {
		return response{}, err
	}
	if nv.Secret {
		nv.Value = string(rec.Secret)
	}
	return response{status: http.StatusOK, body: map[string]string{"value": nv.Value}, etag: rec.ETag()}, nil
}
