package control

import (
	"context"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/store"
	"golang.org/x/crypto/bcrypt"
)

func removeProduct(ctx context.Context, tx store.Tx, rec *store.Record, opts RemoveOptions) error {
	err := removeOrRefuseSubscriptions(ctx, tx, opts, "Product '"+rec.ID+"'", func(s *model.Subscription) bool {
		return strings.EqualFold(s.Scope, "/products/"+rec.ID)
	})
	if err != nil {
		return err
	}
	for _, q := range []store.Query{{Kind: model.KindProductAPI, Parent: rec.ID}, {Kind: model.KindProductGroup, Parent: rec.ID},
		{Kind: model.KindProductTag, Parent: rec.ID}} {
		if err := deleteAll(ctx, tx, q); err != nil {
			return err
		}
	}
	return deletePoliciesUnder(ctx, tx, PolicyParent(model.KindProduct, "", rec.ID))
}

// checkUser keeps emails unique and hashes a new password into the secret.
func checkUser(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, env checkEnv) error {
	u := props.(*model.User)
	users, err := tx.List(ctx, store.Query{Kind: model.KindUser})
	if err != nil {
		return err
	}
	for _, other := range users {
		var o model.User
		if err := DecodeStored(other, &o); err != nil {
			return err
		}
		if !strings.EqualFold(other.ID, rec.ID) && strings.EqualFold(o.Email, u.Email) {
			return Conflict("properties.email", "The email '"+u.Email+"' is already used by user '"+other.ID+"'.")
		}
		if strings.EqualFold(other.ID, rec.ID) && u.RegistrationDate == nil {
			u.RegistrationDate = o.RegistrationDate
		}
	}
	if u.RegistrationDate == nil {
		t := env.now().UTC()
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

func removeUser(ctx context.Context, tx store.Tx, rec *store.Record, opts RemoveOptions) error {
	owner := "/users/" + rec.ID
	err := removeOrRefuseSubscriptions(ctx, tx, opts, "User '"+rec.ID+"'", func(s *model.Subscription) bool {
		return strings.EqualFold(s.OwnerID, owner)
	})
	if err != nil {
		return err
	}
	return deleteAll(ctx, tx, store.Query{Kind: model.KindGroupUser, ID: rec.ID})
}

// checkGroup marks built-in groups as system groups and keeps that type
// to them.
func checkGroup(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	g := props.(*model.Group)
	if model.IsBuiltinGroup(rec.ID) && g.WorkspaceID != "" {
		return Invalid("properties.workspaceId", "The built-in group '"+rec.ID+"' belongs to the service, not to a workspace.")
	}
	if err := checkWorkspaceRef(ctx, tx, g.WorkspaceID); err != nil {
		return err
	}
	if model.IsBuiltinGroup(rec.ID) {
		g.BuiltIn, g.Type = true, "system"
		return nil
	}
	if g.BuiltIn || g.Type == "system" {
		return Invalid("properties.type", "Only the built-in groups (administrators, developers, guests) are system groups.")
	}
	return nil
}

func removeGroup(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	if model.IsBuiltinGroup(rec.ID) {
		return Conflict("groupId", "The built-in group '"+rec.ID+"' cannot be deleted.")
	}
	for _, q := range []store.Query{{Kind: model.KindGroupUser, Parent: rec.ID}, {Kind: model.KindProductGroup, ID: rec.ID}} {
		if err := deleteAll(ctx, tx, q); err != nil {
			return err
		}
	}
	return nil
}

// removeTag deletes the tag's links to APIs, operations and products, as
// APIM does; the APIs, operations and products stay.
func removeTag(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	for _, q := range []store.Query{{Kind: model.KindAPITag, ID: rec.ID}, {Kind: model.KindProductTag, ID: rec.ID}, {Kind: model.KindOperationTag, ID: rec.ID}} {
		if err := deleteAll(ctx, tx, q); err != nil {
			return err
		}
	}
	return nil
}

// checkNamedValue keeps {{name}}s unique and moves a secret value into the
// encrypted secret. A secret's value may be left out to keep the old one.
func checkNamedValue(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, old *store.Record, _ checkEnv) error {
	nv := props.(*model.NamedValue)
	if err := checkWorkspaceRef(ctx, tx, nv.WorkspaceID); err != nil {
		return err
	}
	all, err := tx.List(ctx, store.Query{Kind: model.KindNamedValue})
	if err != nil {
		return err
	}
	for _, other := range all {
		var o model.NamedValue
		if err := DecodeStored(other, &o); err != nil {
			return err
		}
		if !strings.EqualFold(other.ID, rec.ID) && strings.EqualFold(o.DisplayName, nv.DisplayName) {
			return Conflict("properties.displayName", "The name '"+nv.DisplayName+"' is already used by named value '"+other.ID+"'.")
		}
	}
	value := nv.Value
	if value == "" && old != nil {
		value = string(old.Secret)
		if value == "" {
			var o model.NamedValue
			if err := DecodeStored(old, &o); err != nil {
				return err
			}
			value = o.Value
		}
	}
	if value == "" {
		return Invalid("properties.value", "A named value needs a value.")
	}
	if nv.Secret {
		nv.Value, rec.Secret = "", []byte(value)
	} else {
		nv.Value, rec.Secret = value, nil
	}
	return nil
}

// checkBackend checks that the client certificates exist, that a pool's
// members are existing single backends, and that a backend made a pool
// is no pool's member: APIM's pools hold single backends only.
func checkBackend(ctx context.Context, tx store.Tx, rec *store.Record, props model.Properties, _ *store.Record, _ checkEnv) error {
	b := props.(*model.Backend)
	if err := checkWorkspaceRef(ctx, tx, b.WorkspaceID); err != nil {
		return err
	}
	if err := checkBackendCertificates(ctx, tx, b); err != nil {
		return err
	}
	if b.Type == "Pool" {
		if pool, err := poolHolding(ctx, tx, rec.ID); err != nil {
			return err
		} else if pool != "" {
			return Invalid("properties.type", "The backend '"+rec.ID+"' is a member of pool '"+pool+"': a pool cannot hold another pool.")
		}
	}
	if b.Pool == nil {
		return nil
	}
	for i, m := range b.Pool.Services {
		target := fmt.Sprintf("properties.pool.services[%d].id", i)
		if strings.EqualFold(m.ID, rec.ID) {
			return Invalid(target, "The pool member '"+m.ID+"' is the pool itself.")
		}
		member, err := Lookup(ctx, tx, model.KindBackend, "", m.ID)
		if err != nil {
			return err
		}
		if member == nil {
			return Invalid(target, "There is no backend '"+m.ID+"' to be a pool member.")
		}
		var mb model.Backend
		if err := DecodeStored(member, &mb); err != nil {
			return err
		}
		if mb.Type == "Pool" {
			return Invalid(target, "The backend '"+m.ID+"' is a pool: a pool holds single backends only.")
		}
		b.Pool.Services[i].ID = member.ID
	}
	return nil
}

// poolHolding returns the id of a pool that lists backend id, or "".
func poolHolding(ctx context.Context, tx store.Reader, id string) (string, error) {
	pools, err := poolsHolding(ctx, tx, id)
	if err != nil || len(pools) == 0 {
		return "", err
	}
	return pools[0], nil
}

// poolsHolding returns the ids of the pools that list backend id.
func poolsHolding(ctx context.Context, tx store.Reader, id string) ([]string, error) {
	all, err := tx.List(ctx, store.Query{Kind: model.KindBackend})
	if err != nil {
		return nil, err
	}
	var pools []string
	for _, other := range all {
		var b model.Backend
		if err := DecodeStored(other, &b); err != nil {
			return nil, err
		}
		if b.Pool == nil {
			continue
		}
		for _, m := range b.Pool.Services {
			if strings.EqualFold(m.ID, id) {
				pools = append(pools, other.ID)
				break
			}
		}
	}
	return pools, nil
}

// removeBackend refuses to delete a backend that a pool still names. A
// backend a policy names is kept by the compile check of every write.
func removeBackend(ctx context.Context, tx store.Tx, rec *store.Record, _ RemoveOptions) error {
	pool, err := poolHolding(ctx, tx, rec.ID)
	if err != nil {
		return err
	}
	if pool != "" {
		return Conflict("backendId", "The backend '"+rec.ID+"' is a member of pool '"+pool+"'; remove it from the pool first.")
	}
	return nil
}
