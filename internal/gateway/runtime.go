package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/gateway/route"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/snapshot"
)

// Runtime is the compiled configuration of a gateway. It is immutable and
// safe for concurrent use; a new configuration replaces it whole.
type Runtime struct {
	version int64
	apis    map[string]*apiRoute // by path suffix, without slashes
	keys    map[snapshot.KeyDigest]*subscriber
	up      *upstreams
}

// Version returns the configuration version the Runtime was compiled from.
func (rt *Runtime) Version() int64 { return rt.version }

type apiRoute struct {
	id          string
	index       int // position in the subscriber bitsets
	path        string
	keyRequired bool
	keyHeader   string // canonical MIME header name
	keyQuery    string
	ops         []operation // most specific first
	proxy       http.Handler
	target      *url.URL   // the service URL; nil when the API has none
	up          *upstreams // the Runtime's backends and transports
}

type operation struct {
	id     string
	method string // "*" matches every method
	tpl    *route.Template
	// pipe is the effective policy for requests without a product with a
	// policy; nil when it only forwards (the fast path).
	pipe *policy.Pipeline
	// byProduct holds the effective policies for requests whose key is
	// of a product (lower-case id) that has a policy.
	byProduct map[string]*policy.Pipeline
}

// subscriber is an active subscription and the APIs its scope reaches.
type subscriber struct {
	id      string
	user    *expr.User    // the owner, as context.User; nil: none
	scope   *expr.Product // the product of a product subscription, as context.Product; nil: none
	product string        // lower-case product id when the scope is a product
	apis    bitset
}

type bitset []uint64

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }

// Compile builds a Runtime from snap. An API that cannot be compiled (bad
// URL template or service URL, a path taken twice) is left out, and the
// returned error describes every such problem; the Runtime is usable
// either way. The management API rejects such configuration before it is
// stored, so in practice the error is nil.
func (s *Server) Compile(snap *snapshot.Snapshot) (*Runtime, error) {
	rt := &Runtime{
		version: snap.Version,
		apis:    make(map[string]*apiRoute, len(snap.APIs)),
		keys:    make(map[snapshot.KeyDigest]*subscriber, 2*len(snap.Subscriptions)),
	}
	up, errs := s.compileUpstreams(snap)
	rt.up = up
	pc, err := newPolicyCompiler(s.policies, snap, up.certs)
	if err != nil {
		errs = append(errs, err)
	}
	byID := make(map[string]*apiRoute, len(snap.APIs))
	for i := range snap.APIs {
		a, err := s.compileAPI(&snap.APIs[i], len(byID), pc, up)
		if err == nil && rt.apis[a.path] != nil {
			err = fmt.Errorf("path %q is already used by API %s", a.path, rt.apis[a.path].id)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("api %s: %w", snap.APIs[i].ID, err))
			continue
		}
		rt.apis[a.path] = a
		byID[strings.ToLower(a.id)] = a
	}
	products := make(map[string]*snapshot.Product, len(snap.Products))
	for i := range snap.Products {
		products[strings.ToLower(snap.Products[i].ID)] = &snap.Products[i]
	}
	words := (len(byID) + 63) / 64
	for i := range snap.Subscriptions {
		sub := &snap.Subscriptions[i]
		if sub.State != model.SubscriptionActive {
			continue // its keys are invalid at the gateway
		}
		sb := &subscriber{id: sub.ID, apis: make(bitset, words), user: userOf(snap.Users[strings.ToLower(sub.Owner)])}
		scope, err := model.ParseScope(sub.Scope)
		if err != nil {
			errs = append(errs, fmt.Errorf("subscription %s: %w", sub.ID, err))
			continue
		}
		switch scope.Kind {
		case "":
			for _, a := range byID {
				sb.apis.set(a.index)
			}
		case model.KindAPI:
			if a := byID[strings.ToLower(scope.ID)]; a != nil {
				sb.apis.set(a.index)
			}
		case model.KindProduct:
			sb.product = strings.ToLower(scope.ID)
			if p := products[strings.ToLower(scope.ID)]; p != nil {
				state := model.ProductNotPublished
				if p.Published {
					state = model.ProductPublished
				}
				sb.scope = &expr.Product{ID: p.ID, Name: p.ID, State: state, SubscriptionRequired: true}
			}
			if p := products[strings.ToLower(scope.ID)]; p != nil && p.Published {
				for _, id := range p.APIs {
					if a := byID[strings.ToLower(id)]; a != nil {
						sb.apis.set(a.index)
					}
				}
			}
		}
		for _, k := range sub.Keys {
			rt.keys[k] = sb
		}
	}
	return rt, errors.Join(errs...)
}

func (s *Server) compileAPI(a *snapshot.API, index int, pc *policyCompiler, up *upstreams) (*apiRoute, error) {
	r := &apiRoute{
		up:          up,
		id:          a.ID,
		index:       index,
		path:        strings.Trim(a.Path, "/"),
		keyRequired: a.SubscriptionRequired,
		keyHeader:   http.CanonicalHeaderKey(a.KeyHeader),
		keyQuery:    a.KeyQuery,
	}
	for _, o := range a.Operations {
		tpl, err := route.Parse(o.URLTemplate)
		if err != nil {
			return nil, fmt.Errorf("operation %s: %w", o.ID, err)
		}
		op := operation{id: o.ID, method: o.Method, tpl: tpl}
		if op.pipe, op.byProduct, err = pc.operation(a, &o); err != nil {
			return nil, fmt.Errorf("operation %s: %w", o.ID, err)
		}
		r.ops = append(r.ops, op)
	}
	sort.SliceStable(r.ops, func(i, j int) bool {
		if c := route.Compare(r.ops[i].tpl, r.ops[j].tpl); c != 0 {
			return c < 0
		}
		return r.ops[i].method != "*" && r.ops[j].method == "*"
	})
	if a.ServiceURL == "" {
		r.proxy = errorHandler(http.StatusInternalServerError, "The API has no backend service URL.")
		return r, nil
	}
	target, err := url.Parse(a.ServiceURL)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, fmt.Errorf("service URL %q is not an absolute http(s) URL", a.ServiceURL)
	}
	r.proxy, r.target = s.newProxy(r, target, up.def), target
	return r, nil
}

// match finds the API and operation for a request path. rest is the path
// after the API's suffix.
func (rt *Runtime) match(method, path string) (a *apiRoute, op *operation, rest string) {
	if !strings.HasPrefix(path, "/") {
		return nil, nil, ""
	}
	p := path[1:]
	for {
		if a = rt.apis[p]; a != nil {
			if p == "" {
				rest = path
			} else {
				rest = path[1+len(p):]
			}
			break
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			if p == "" {
				return nil, nil, ""
			}
			p = ""
			continue
		}
		p = p[:i]
	}
	for i := range a.ops {
		o := &a.ops[i]
		if (o.method == method || o.method == "*") && o.tpl.Match(rest) {
			return a, o, rest
		}
	}
	return a, nil, rest
}

// userOf returns u as context.User; nil for the zero User (no owner).
func userOf(u snapshot.User) *expr.User {
	if u.ID == "" {
		return nil
	}
	eu := &expr.User{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName}
	for _, g := range u.Groups {
		eu.Groups = append(eu.Groups, expr.Group{ID: g.ID, Name: g.Name})
	}
	return eu
}
