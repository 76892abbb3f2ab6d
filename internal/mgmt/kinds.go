package mgmt

import (
	"context"
	"net/http"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The management API's collections.
var (
	apisType = &resourceType{kind: model.KindAPI, title: "API", segment: "apis", idParam: "apiId",
		check: checkAPI, remove: removeAPI}
	operationsType = &resourceType{kind: model.KindOperation, title: "Operation", segment: "operations", idParam: "operationId",
		parent: apisType, check: checkOperation, remove: removeOperation}
	productsType = &resourceType{kind: model.KindProduct, title: "Product", segment: "products", idParam: "productId",
		remove: removeProduct}
	subscriptionsType = &resourceType{kind: model.KindSubscription, title: "Subscription", segment: "subscriptions", idParam: "sid",
		check: checkSubscription}
	usersType = &resourceType{kind: model.KindUser, title: "User", segment: "users", idParam: "userId",
		check: checkUser, remove: removeUser}
	groupsType = &resourceType{kind: model.KindGroup, title: "Group", segment: "groups", idParam: "groupId",
		check: checkGroup, remove: removeGroup}
	namedValuesType = &resourceType{kind: model.KindNamedValue, title: "Named value", segment: "namedValues", idParam: "namedValueId",
		check: checkNamedValue}
	fragmentsType = &resourceType{kind: model.KindPolicyFragment, title: "Policy fragment", segment: "policyFragments", idParam: "fragmentId",
		check: checkFragment}
	backendsType = &resourceType{kind: model.KindBackend, title: "Backend", segment: "backends", idParam: "backendId",
		check: checkBackend, remove: removeBackend}
	gatewaysType = &resourceType{kind: model.KindGateway, title: "Gateway", segment: "gateways", idParam: "gatewayId",
		check: checkGateway, remove: removeGateway}
	federatedCredentialsType = &resourceType{kind: model.KindFederatedCredential, title: "Federated credential",
		segment: "federatedCredentials", idParam: "credentialName", parent: gatewaysType}

	resourceTypes = []*resourceType{apisType, operationsType, productsType, subscriptionsType, usersType,
		groupsType, namedValuesType, backendsType, gatewaysType, federatedCredentialsType, fragmentsType,
		certificatesType, gatewayCertificateAuthoritiesType}

	linkTypes = []*linkType{
		{kind: model.KindProductAPI, owner: productsType, target: apisType},
		{kind: model.KindProductGroup, owner: productsType, target: groupsType},
		{kind: model.KindGroupUser, owner: groupsType, target: usersType},
		{kind: model.KindGatewayAPI, owner: gatewaysType, target: apisType},
	}
)

func removeProduct(ctx context.Context, tx store.Tx, rec *store.Record, r *http.Request) error {
	err := removeOrRefuseSubscriptions(ctx, tx, r, "Product '"+rec.ID+"'", func(s *model.Subscription) bool {
		return strings.EqualFold(s.Scope, "/products/"+rec.ID)
	})
	if err != nil {
		return err
	}
	for _, q := range []store.Query{{Kind: model.KindProductAPI, Parent: rec.ID}, {Kind: model.KindProductGroup, Parent: rec.ID}} {
		if err := deleteAll(ctx, tx, q); err != nil {
			return err
		}
	}
	return deletePoliciesUnder(ctx, tx, policyParent(model.KindProduct, "", rec.ID))
}

// checkUser keeps emails unique and hashes a new password into the secret.
func checkUser(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, now nowFunc) error {
	u := props.(*model.User)
	users, err := tx.List(ctx, store.Query{Kind: model.KindUser})
	if err != nil {
		return err
	}
	for _, other := range users {
		var o model.User
		if err := decodeStored(other, &o); err != nil {
			return err
		}
		if !strings.EqualFold(other.ID, rec.ID) && strings.EqualFold(o.Email, u.Email) {
			return conflict("properties.email", "The email '"+u.Email+"' is already used by user '"+other.ID+"'.")
		}
		if strings.EqualFold(other.ID, rec.ID) && u.RegistrationDate == nil {
			u.RegistrationDate = o.RegistrationDate
		}
	}
	if u.RegistrationDate == nil {
		t := now().UTC()
		u.RegistrationDate = &t
	}
	if old != nil {
		rec.Secret = old.Secret
	}
	if u.Password != "" {
		if rec.Secret, err = bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.DefaultCost); err != nil {
			return err
		}
		u.Password = ""
	}
	return nil
}

func removeUser(ctx context.Context, tx store.Tx, rec *store.Record, r *http.Request) error {
	owner := "/users/" + rec.ID
	err := removeOrRefuseSubscriptions(ctx, tx, r, "User '"+rec.ID+"'", func(s *model.Subscription) bool {
		return strings.EqualFold(s.OwnerID, owner)
	})
	if err != nil {
		return err
	}
	return deleteAll(ctx, tx, store.Query{Kind: model.KindGroupUser, ID: rec.ID})
}

// checkGroup marks built-in groups as system groups and keeps that type
// to them.
func checkGroup(_ context.Context, _ store.Tx, rec *store.Record, props model.Properties, _ *store.Record, _ nowFunc) error {
	g := props.(*model.Group)
	if model.IsBuiltinGroup(rec.ID) {
		g.BuiltIn, g.Type = true, "system"
		return nil
	}
	if g.BuiltIn || g.Type == "system" {
		return invalid("properties.type", "Only the built-in groups (administrators, developers, guests) are system groups.")
	}
	return nil
}

func removeGroup(ctx context.Context, tx store.Tx, rec *store.Record, _ *http.Request) error {
	if model.IsBuiltinGroup(rec.ID) {
		return conflict("groupId", "The built-in group '"+rec.ID+"' cannot be deleted.")
	}
	for _, q := range []store.Query{{Kind: model.KindGroupUser, Parent: rec.ID}, {Kind: model.KindProductGroup, ID: rec.ID}} {
		if err := deleteAll(ctx, tx, q); err != nil {
			return err
		}
	}
	return nil
}

// checkNamedValue keeps {{name}}s unique and moves a secret value into the
// encrypted secret. A secret's value may be left out to keep the old one.
func checkNamedValue(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, _ nowFunc) error {
	nv := props.(*model.NamedValue)
	all, err := tx.List(ctx, store.Query{Kind: model.KindNamedValue})
	if err != nil {
		return err
	}
	for _, other := range all {
		var o model.NamedValue
		if err := decodeStored(other, &o); err != nil {
			return err
		}
		if !strings.EqualFold(other.ID, rec.ID) && strings.EqualFold(o.DisplayName, nv.DisplayName) {
			return conflict("properties.displayName", "The name '"+nv.DisplayName+"' is already used by named value '"+other.ID+"'.")
		}
	}
	value := nv.Value
	if value == "" && old != nil {
		value = string(old.Secret)
		if value == "" {
			var o model.NamedValue
			if err := decodeStored(old, &o); err != nil {
				return err
			}
			value = o.Value
		}
	}
	if value == "" {
		return invalid("properties.value", "A named value needs a value.")
	}
	if nv.Secret {
		nv.Value, rec.Secret = "", []byte(value)
	} else {
		nv.Value, rec.Secret = value, nil
	}
	return nil
}

// listValue answers POST /namedValues/{id}/listValue with the value, also
// of a secret.
func (s *Server) listValue(r *http.Request) (response, error) {
	var rec *store.Record
	err := s.store.View(r.Context(), func(tx store.Reader) error {
		var err error
		rec, err = namedValuesType.get(r.Context(), tx, "", r.PathValue("namedValueId"))
		return err
	})
	if err != nil {
		return response{}, err
	}
	var nv model.NamedValue
	if err := decodeStored(rec, &nv); err != nil {
		return response{}, err
	}
	if nv.Secret {
		nv.Value = string(rec.Secret)
	}
	return response{status: http.StatusOK, body: map[string]string{"value": nv.Value}, etag: rec.ETag()}, nil
}

// checkBackend checks a pool's members and the client certificates exist.
func checkBackend(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, _ *store.Record, _ nowFunc) error {
	b := props.(*model.Backend)
	if err := checkBackendCertificates(ctx, tx, b); err != nil {
		return err
	}
	if b.Pool == nil {
		return nil
	}
	for _, m := range b.Pool.Services {
		ok, err := exists(ctx, tx, model.KindBackend, "", m.ID)
		if err != nil {
			return err
		}
		if !ok || strings.EqualFold(m.ID, rec.ID) {
			return invalid("properties.pool.services", "The pool member '"+m.ID+"' is not another existing backend.")
		}
	}
	return nil
}

// removeBackend refuses to delete a backend that a pool still names. A
// backend a policy names is kept by the compile check of every write.
func removeBackend(ctx context.Context, tx store.Tx, rec *store.Record, _ *http.Request) error {
	all, err := tx.List(ctx, store.Query{Kind: model.KindBackend})
	if err != nil {
		return err
	}
	for _, other := range all {
		var b model.Backend
		if err := decodeStored(other, &b); err != nil {
			return err
		}
		if b.Pool == nil {
			continue
		}
		for _, m := range b.Pool.Services {
			if strings.EqualFold(m.ID, rec.ID) {
				return conflict("backendId", "The backend '"+rec.ID+"' is a member of pool '"+other.ID+"'; remove it from the pool first.")
			}
		}
	}
	return nil
}
