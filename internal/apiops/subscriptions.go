package apiops

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
)

// subscriptionFile is the information file of a subscription folder.
const subscriptionFile = "subscriptionInformation.json"

// subscription reads subscriptions/<name>/subscriptionInformation.json:
// APIM's displayName, scope, ownerId, state and allowTracing. The scope
// and owner may be APIM resource ids. A folder never holds keys: the
// management plane generates them, unless primaryKey or secondaryKey is
// a "${VAR}" placeholder, read from the environment as secret named
// values are.
func (r *reader) subscription(rel, dirName string) {
	file := path.Join(rel, subscriptionFile)
	name, props, ok := r.info(model.KindSubscription, file, dirName)
	if !ok {
		return
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(props, &m); err != nil {
		r.fail(file, "%v", err)
		return
	}
	var keys model.SubscriptionKeys
	for field, into := range map[string]*string{"primaryKey": &keys.PrimaryKey, "secondaryKey": &keys.SecondaryKey} {
		raw, ok := m[field]
		if !ok {
			continue
		}
		delete(m, field)
		var v string
		_ = json.Unmarshal(raw, &v)
		sub := placeholder.FindStringSubmatch(v)
		if sub == nil {
			r.fail(file, "properties.%s: a folder holds no keys; leave it out (the management plane generates one) or name an environment variable: \"${VAR}\"", field)
			return
		}
		val, ok := r.env(sub[1])
		if !ok {
			r.fail(file, "properties.%s: the environment variable %s is not set", field, sub[1])
			return
		}
		*into = val
	}
	for field, norm := range map[string]func(string) string{"scope": localScope, "ownerId": localOwner} {
		var v string
		if raw, ok := m[field]; ok && json.Unmarshal(raw, &v) == nil {
			m[field], _ = json.Marshal(norm(v))
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		r.fail(file, "%v", err)
		return
	}
	c, err := canonical(model.KindSubscription, b)
	if err != nil {
		r.fail(file, "%v", err)
		return
	}
	r.cfg.Subscriptions = append(r.cfg.Subscriptions, Resource{Name: name, Properties: c, File: file})
	if keys != (model.SubscriptionKeys{}) {
		if r.cfg.SubscriptionKeys == nil {
			r.cfg.SubscriptionKeys = map[string]model.SubscriptionKeys{}
		}
		r.cfg.SubscriptionKeys[strings.ToLower(name)] = keys
	}
	r.skipOthers(rel, subscriptionFile)
}

// localScope turns an APIM scope id ("/subscriptions/.../service/apim/
// products/starter") into the management plane's ("/products/starter").
func localScope(s string) string {
	if sc, err := model.ParseScope(s); err == nil {
		return sc.String()
	}
	return s
}

// localOwner turns an APIM user id into "/users/{id}".
func localOwner(s string) string {
	if i := strings.LastIndex(s, "/users/"); i > 0 {
		return s[i:]
	}
	return s
}

// fetchSubscriptions reads the subscriptions with their keys and the
// names of the users that may own them.
func fetchSubscriptions(ctx context.Context, c *mgmtclient.Client, cfg *Config) error {
	var err error
	if cfg.Subscriptions, err = fetchKind(ctx, c, "/subscriptions", model.KindSubscription); err != nil {
		return err
	}
	for _, s := range cfg.Subscriptions {
		var keys model.SubscriptionKeys
		if err := c.Post(ctx, "/subscriptions/"+url.PathEscape(s.Name)+"/listSecrets", nil, &keys); err != nil {
			return fmt.Errorf("subscription %s: %w", s.Name, err)
		}
		if cfg.SubscriptionKeys == nil {
			cfg.SubscriptionKeys = map[string]model.SubscriptionKeys{}
		}
		cfg.SubscriptionKeys[strings.ToLower(s.Name)] = keys
	}
	users, err := c.List(ctx, "/users")
	if err != nil {
		return err
	}
	for _, u := range users {
		cfg.Users = append(cfg.Users, u.Name)
	}
	return nil
}

// checkSubscriptions fails when a subscription's owner is not a user of
// the management plane (users are not part of a folder), or its scope
// names an API or product that will not exist.
func checkSubscriptions(desired, current *Config, exists func(des, cur []string, name string) bool) []string {
	var problems []string
	products := productNames(desired.Products)
	var curProducts []string
	for _, p := range current.Products {
		curProducts = append(curProducts, p.Name)
	}
	for _, s := range desired.Subscriptions {
		var sub model.Subscription
		if json.Unmarshal(s.Properties, &sub) != nil {
			continue
		}
		if uid, err := model.ParseOwner(sub.OwnerID); err == nil && !containsFold(current.Users, uid) {
			problems = append(problems, fmt.Sprintf("%s: the owner %s is not a user of the management plane (users are not part of a folder: create the user first)", s.File, sub.OwnerID))
		}
		sc, err := model.ParseScope(sub.Scope)
		switch {
		case err != nil:
		case sc.Kind == model.KindAPI && !exists(apiNames(desired.APIs), apiNames(current.APIs), sc.ID),
			sc.Kind == model.KindProduct && !exists(products, curProducts, sc.ID):
			problems = append(problems, fmt.Sprintf("%s: the scope %s is neither in the folder nor (kept) on the management plane", s.File, sub.Scope))
		}
	}
	return problems
}

// planSubscriptions adds the creations and updates of subscriptions,
// with the keys the folder gives when they differ from the plane's.
func (p *Plan) planSubscriptions(desired, current *Config) {
	for _, d := range desired.Subscriptions {
		keys, hasKeys := desired.SubscriptionKeys[strings.ToLower(d.Name)]
		c, ok := find(current.Subscriptions, d.Name)
		cur := current.SubscriptionKeys[strings.ToLower(d.Name)]
		keysChanged := hasKeys && ((keys.PrimaryKey != "" && keys.PrimaryKey != cur.PrimaryKey) ||
			(keys.SecondaryKey != "" && keys.SecondaryKey != cur.SecondaryKey))
		propsChanged := !ok || string(c.Properties) != string(d.Properties)
		if !propsChanged && !keysChanged {
			continue
		}
		var body map[string]any
		if err := json.Unmarshal(d.Properties, &body); err != nil {
			continue // canonical: cannot happen
		}
		if keysChanged {
			if keys.PrimaryKey != "" {
				body["primaryKey"] = keys.PrimaryKey
			}
			if keys.SecondaryKey != "" {
				body["secondaryKey"] = keys.SecondaryKey
			}
		}
		s := Step{Action: Create, Path: "/subscriptions/" + d.Name, body: body, File: d.File}
		if ok {
			s.Action, s.Path = Update, "/subscriptions/"+c.Name
			if propsChanged {
				s.Details = changedFields(c.Properties, d.Properties)
			}
			if keysChanged {
				s.Details = append(s.Details, "keys changed")
			}
		}
		p.Steps = append(p.Steps, s)
	}
}

// pruneSubscriptions adds the deletions of the subscriptions the folder
// lacks, before those of the APIs and products they may be scoped to.
func (p *Plan) pruneSubscriptions(desired, current *Config) {
	for _, c := range current.Subscriptions {
		if _, ok := find(desired.Subscriptions, c.Name); !ok {
			p.Steps = append(p.Steps, Step{Action: Delete, Path: "/subscriptions/" + c.Name})
		}
	}
}

// writeSubscriptions writes subscriptions/<name>/subscriptionInformation.json,
// without keys.
func (w *writer) writeSubscriptions(subs []Resource) {
	for _, s := range subs {
		w.info(filepath.Join("subscriptions", s.Name, subscriptionFile), s.Properties)
	}
}
