package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/compile"
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
	apis    map[string]*apiRoute // by route key: path suffix without slashes, version segment, ";rev=n"
	byID    map[string]*apiRoute // every API's route, by lower-case id
	keys    map[snapshot.KeyDigest]*subscriber
	up      *upstreams
	report  *compile.Report
	// digest is the snapshot's RoutesDigest; words the length of the
	// subscribers' API bitsets.
	digest string
	words  int
	// shared is the snapshot's shared digest (snapshot.Parts); good
	// holds, by lower-case id, the digest of the inputs (Parts.Inputs)
	// of each API that compiled without a problem and is served as
	// compiled from them, and uses what each of those read. A snapshot
	// with the same shared digest recompiles only the APIs whose inputs'
	// digest is not in good.
	shared string
	good   map[string]string
	uses   map[string]snapshot.Uses
	upErrs []error // the problems of up's backends and certificates
	// compiled is how many APIs this Runtime's compile compiled; the
	// others kept their routes.
	compiled int
	// diag holds the diagnostics that record requests; nil: none.
	diag *diagnostics
	// events are the senders of the loggers log-to-eventhub names, by
	// lower-case logger id.
	events map[string]*eventSender
	// authz are the credential manager's connections; see authorizations.go.
	authz authorizations
}

// Version returns the configuration version the Runtime was compiled from.
func (rt *Runtime) Version() int64 { return rt.version }

// Report returns the problems found compiling the Runtime's snapshot. The
// APIs they name are served at their last good version, or answer 500
// when they have none.
func (rt *Runtime) Report() *compile.Report { return rt.report }

// APIVersion returns the configuration version at which the API with id
// (any case) was compiled, and whether the Runtime serves it. An API
// whose configuration has not changed since keeps the version it was
// compiled at; one that did not compile keeps its last good version's.
func (rt *Runtime) APIVersion(id string) (int64, bool) {
	if a := rt.byID[strings.ToLower(id)]; a != nil {
		return a.version, !a.unavailable
	}
	return 0, false
}

type apiRoute struct {
	id    string
	index int // position in the subscriber bitsets
	// path is the route key the API is called under: its path suffix,
	// then its version segment under the Segment scheme, then ";rev=n"
	// for a revision that is not current; without slashes.
	path       string
	versioning versioning // the API's version and how it is read
	// picker chooses among the versions of a Query or Header version set
	// sharing this route; set only on the route that stands for them.
	picker      *versionPicker
	keyRequired bool
	keyHeader   string // canonical MIME header name
	keyQuery    string
	protocols   []string    // "http", "https": the schemes the API is served over
	onlyScheme  string      // the one scheme of protocols; "": both
	ops         []operation // most specific first
	proxy       http.Handler
	target      *url.URL   // the service URL; nil when the API has none
	up          *upstreams // the Runtime's backends and transports
	// version is the configuration version the route was compiled at:
	// older than its Runtime's when the API kept its last good version.
	version int64
	// unavailable is set for an API that did not compile and has no last
	// good version: every request to it is answered 500.
	unavailable bool
	// noOperation runs its on-error section for a request that matches no
	// operation; nil: such a request is answered 404 at once.
	noOperation *policy.Pipeline
	name        string // display name, as context.Api.Name
	// ctx is the API as policies see it (context.Api), made once when
	// the route is compiled and shared by its requests, which only read
	// it; nil for an unavailable route.
	ctx *expr.API
}

type operation struct {
	id     string
	name   string // display name, as context.Operation.Name
	method string // "*" matches every method
	tpl    *route.Template
	// soapAction is the SOAP action a request must name (SOAPAction
	// header or SOAP 1.2 Content-Type action) for an operation of a SOAP
	// API whose template has one ("/?soapAction=urn:Get"); soap tells that
	// it does.
	soapAction string
	soap       bool
	// pipe is the effective policy for requests without a product with a
	// policy; nil when it only forwards (the fast path).
	pipe *policy.Pipeline
	// byProduct holds the effective policies for requests whose key is
	// of a product (lower-case id) that has a policy.
	byProduct map[string]*policy.Pipeline
	// cors is the <cors> of pipe's inbound, which answers a browser's
	// preflight for the operation's path even when no operation has the
	// OPTIONS method; nil when there is none.
	cors policy.Step
	// ctx is the operation as policies see it (context.Operation), shared
	// by its requests, which only read it.
	ctx *expr.Operation
}

// subscriber is an active subscription and the APIs its scope reaches.
type subscriber struct {
	id      string
	name    string        // display name, as context.Subscription.Name
	user    *expr.User    // the owner, as context.User; nil: none
	scope   *expr.Product // the product of a product subscription, as context.Product; nil: none
	product string        // lower-case product id when the scope is a product
	apis    bitset
}

type bitset []uint64

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }

// Compile builds a Runtime from snap with no earlier Runtime to fall
// back on: an API that does not compile answers 500. The error, which
// wraps compile.ErrRejected, lists the problems; the Runtime is usable
// either way.
func (s *Server) Compile(snap *snapshot.Snapshot) (*Runtime, error) {
	return s.compile(snap, nil)
}

// compile builds a Runtime from snap. An API that does not compile keeps
// its route in prev (its last good version) when prev has it, and is
// otherwise served as unavailable: it is never served without a part of
// its policy. When snap's shared inputs are prev's (see
// snapshot.DigestParts), only the APIs whose own inputs changed since
// prev compiled them are compiled; the others keep prev's routes.
func (s *Server) compile(snap *snapshot.Snapshot, prev *Runtime) (*Runtime, error) {
	if prev != nil && snap.RoutesDigest != "" && snap.RoutesDigest == prev.digest {
		return rekey(snap, prev)
	}
	rt := &Runtime{
		version: snap.Version,
		digest:  snap.RoutesDigest,
		apis:    make(map[string]*apiRoute, len(snap.APIs)),
		keys:    make(map[snapshot.KeyDigest]*subscriber, 2*len(snap.Subscriptions)),
	}
	parts, err := snapshot.DigestParts(snap)
	if err != nil {
		s.log.Warn("compiling every API", "err", err)
	}
	only := changedAPIs(parts, prev)
	var errs []error
	if only != nil {
		rt.up, rt.upErrs = prev.up, prev.upErrs
	} else {
		rt.up, rt.upErrs = s.compileUpstreams(snap)
	}
	errs = append(errs, rt.upErrs...)
	res, report := compile.Compile(snap, compile.Options{Registry: s.policies, Certificates: rt.up.certs, CertificateAuthorities: rt.up.trust.authorities, Only: only})
	rt.report = report
	if parts != nil {
		rt.shared, rt.good, rt.uses = parts.Shared, make(map[string]string, len(snap.APIs)), make(map[string]snapshot.Uses, len(snap.APIs))
	}
	byID := make(map[string]*apiRoute, len(snap.APIs))
	indexes := apiIndexes{}
	for i := range snap.APIs {
		sa := &snap.APIs[i]
		id := strings.ToLower(sa.ID)
		key, vers := routeKey(sa, snap.VersionSets), versioningOf(sa, snap.VersionSets)
		index := indexes.of(sa.ID)
		kept := only != nil && !only[id]
		var a *apiRoute
		var err error
		if kept {
			a = moved(prev.byID[id], index)
		} else {
			rt.compiled++
			a, err = s.compileAPI(sa, key, index, res.APIs[id], rt.up)
			if err == nil {
				a.versioning = vers
				a.ctx = a.exprAPI()
				a.version = snap.Version
			}
		}
		if err == nil {
			err = rt.clash(a)
		}
		if err != nil {
			report.Diagnostics = append(report.Diagnostics, compile.Diagnostic{API: sa.ID, Resource: "/apis/" + sa.ID, Scope: "api", Message: err.Error()})
		}
		if err == nil && !a.unavailable && parts != nil {
			if kept {
				rt.good[id], rt.uses[id] = prev.good[id], prev.uses[id]
			} else {
				u := res.APIs[id].Uses
				rt.good[id], rt.uses[id] = parts.Inputs(id, u), u
			}
		}
		if err != nil || a.unavailable {
			a = lastGood(prev, sa, index)
			if a.unavailable {
				a.path, a.versioning = key, vers
			}
			if rt.clash(a) != nil {
				continue
			}
		}
		rt.place(a)
		byID[strings.ToLower(a.id)] = a
	}
	rt.byID = byID
	s.pools.retain(byID)
	var diagErrs []error
	rt.diag, diagErrs = s.compileDiagnostics(snap, byID)
	errs = append(errs, diagErrs...)
	rt.events, diagErrs = s.compileEventLoggers(snap)
	errs = append(errs, diagErrs...)
	rt.authz = s.compileAuthorizations(snap, s.rt.Load())
	if !report.OK() {
		for _, d := range report.Diagnostics {
			errs = append(errs, errors.New(d.String()))
		}
		errs = append(errs, compile.ErrRejected)
	}
	rt.words = (len(indexes) + 63) / 64
	errs = append(errs, rt.buildKeys(snap)...)
	return rt, errors.Join(errs...)
}

// changedAPIs returns the lower-case ids of the APIs of parts that must
// be compiled given prev: those whose inputs' digest (their own and that
// of the named values and fragments prev found they use) differs from
// the one prev compiled them from cleanly (an API prev serves at a last
// good version or not at all is compiled again). Nil: compile every API,
// because prev's shared inputs differ from parts' or either is unknown.
func changedAPIs(parts *snapshot.Parts, prev *Runtime) map[string]bool {
	if parts == nil || prev == nil || prev.shared == "" || prev.shared != parts.Shared {
		return nil
	}
	only := map[string]bool{}
	for id := range parts.APIs {
		g, ok := prev.good[id]
		if !ok || parts.Inputs(id, prev.uses[id]) != g {
			only[id] = true
		}
	}
	return only
}

// moved returns r at position index of the subscriber bitsets: r itself
// when it is there already, else a copy.
func moved(r *apiRoute, index int) *apiRoute {
	if r.index == index {
		return r
	}
	m := *r
	m.index = index
	return &m
}

// rekey serves snap, whose routes and pipelines are prev's (the same
// RoutesDigest), with prev's compiled routes and new key tables: a
// subscription created, suspended or given new keys recompiles nothing.
func rekey(snap *snapshot.Snapshot, prev *Runtime) (*Runtime, error) {
	rt := &Runtime{version: snap.Version, digest: prev.digest, apis: prev.apis, byID: prev.byID, up: prev.up,
		report: prev.report, words: prev.words, shared: prev.shared, good: prev.good, uses: prev.uses, upErrs: prev.upErrs, diag: prev.diag}
	errs := rt.buildKeys(snap)
	if !rt.report.OK() {
		for _, d := range rt.report.Diagnostics {
			errs = append(errs, errors.New(d.String()))
		}
		errs = append(errs, compile.ErrRejected)
	}
	return rt, errors.Join(errs...)
}

// buildKeys fills rt's key table from snap's active subscriptions and
// returns the problems of those it leaves out.
func (rt *Runtime) buildKeys(snap *snapshot.Snapshot) []error {
	rt.keys = make(map[snapshot.KeyDigest]*subscriber, 2*len(snap.Subscriptions))
	var errs []error
	products := make(map[string]*snapshot.Product, len(snap.Products))
	for i := range snap.Products {
		products[strings.ToLower(snap.Products[i].ID)] = &snap.Products[i]
	}
	for i := range snap.Subscriptions {
		sub := &snap.Subscriptions[i]
		if sub.State != model.SubscriptionActive {
			continue // its keys are invalid at the gateway
		}
		sb := &subscriber{id: sub.ID, name: displayName(sub.Name, sub.ID), apis: make(bitset, rt.words), user: userOf(snap.Users[strings.ToLower(sub.Owner)])}
		scope, err := model.ParseScope(sub.Scope)
		if err != nil {
			errs = append(errs, fmt.Errorf("subscription %s: %w", sub.ID, err))
			continue
		}
		switch scope.Kind {
		case "":
			for _, a := range rt.byID {
				sb.apis.set(a.index)
			}
		case model.KindAPI:
			if a := rt.byID[strings.ToLower(scope.ID)]; a != nil {
				sb.apis.set(a.index)
			}
		case model.KindProduct:
			sb.product = strings.ToLower(scope.ID)
			if p := products[strings.ToLower(scope.ID)]; p != nil {
				state := model.ProductNotPublished
				if p.Published {
					state = model.ProductPublished
				}
				sb.scope = &expr.Product{ID: p.ID, Name: displayName(p.Name, p.ID), State: state, SubscriptionRequired: true}
			}
			if p := products[strings.ToLower(scope.ID)]; p != nil && p.Published {
				for _, id := range p.APIs {
					if a := rt.byID[strings.ToLower(id)]; a != nil {
						sb.apis.set(a.index)
					}
				}
			}
		}
		for _, k := range sub.Keys {
			rt.keys[k] = sb
		}
	}
	return errs
}

// lastGood returns the route of API a in prev, moved to position index,
// or an unavailable route when prev does not serve it.
func lastGood(prev *Runtime, a *snapshot.API, index int) *apiRoute {
	if prev != nil {
		if r := prev.byID[strings.ToLower(a.ID)]; r != nil && !r.unavailable {
			kept := *r
			kept.index = index
			return &kept
		}
	}
	return &apiRoute{id: a.ID, index: index, path: strings.Trim(a.Path, "/"), unavailable: true}
}

// displayName returns a resource's display name, as APIM's context
// variables give it (context.Api.Name, context.Operation.Name,
// context.Product.Name and context.Subscription.Name are the names shown
// in the portal, not ids); its id when it has none.
func displayName(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

// compileAPI builds the route of API a, called under key (see
// routeKey), from its compiled pipelines c; the route is unavailable
// when c is nil (the API has a problem).
func (s *Server) compileAPI(a *snapshot.API, key string, index int, c *compile.API, up *upstreams) (*apiRoute, error) {
	r := &apiRoute{
		up:          up,
		id:          a.ID,
		name:        displayName(a.Name, a.ID),
		index:       index,
		path:        key,
		keyRequired: a.SubscriptionRequired,
		keyHeader:   http.CanonicalHeaderKey(a.KeyHeader),
		keyQuery:    a.KeyQuery,
		protocols:   a.Protocols,
	}
	r.onlyScheme = onlyScheme(r.protocols)
	if len(r.protocols) == 0 {
		r.protocols = []string{"http", "https"}
	}
	for _, o := range a.Operations {
		tpl, err := route.Parse(o.URLTemplate)
		if err != nil {
			return nil, fmt.Errorf("operation %s: %w", o.ID, err)
		}
		op := operation{id: o.ID, name: displayName(o.Name, o.ID), method: o.Method, tpl: tpl}
		if a.Type == "soap" {
			op.soapAction, op.soap = route.SOAPAction(o.URLTemplate)
		}
		op.ctx = &expr.Operation{ID: op.id, Name: op.name, Method: op.method, URLTemplate: tpl.String()}
		if c != nil {
			if co := c.Operations[strings.ToLower(o.ID)]; co != nil {
				op.pipe, op.byProduct = co.Pipeline, co.ByProduct
				op.cors = op.pipe.Find(policy.Inbound, "cors")
			}
		}
		r.ops = append(r.ops, op)
	}
	sort.SliceStable(r.ops, func(i, j int) bool {
		if c := route.Compare(r.ops[i].tpl, r.ops[j].tpl); c != 0 {
			return c < 0
		}
		if r.ops[i].soap != r.ops[j].soap {
			return r.ops[i].soap // an operation naming a SOAP action before one taking any
		}
		return r.ops[i].method != "*" && r.ops[j].method == "*"
	})
	if c == nil {
		r.unavailable = true
		return r, nil
	}
	r.noOperation = c.NoOperation
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

// exprAPI returns a as policies see it, context.Api.
func (a *apiRoute) exprAPI() *expr.API {
	return &expr.API{ID: a.id, Name: a.name, Path: a.versioning.path, Protocols: a.protocols, Version: a.versioning.version,
		Revision: a.versioning.revision, IsCurrentRevision: a.versioning.current, ServiceURL: urlOf(a.target)}
}

// match finds the API and operation for a request path, taking the
// original version of a Query or Header version set. rest is the path
// after the API's suffix.
func (rt *Runtime) match(method, path string) (a *apiRoute, op *operation, rest string) {
	return rt.route(method, path, nil)
}

// matchRequest finds the API and operation for r, reading the version
// of a Query or Header version set from r. When r names no version the
// set has (and the set has no original version), the route of the set
// is returned without an operation.
func (rt *Runtime) matchRequest(r *http.Request) (a *apiRoute, op *operation, rest string) {
	return rt.route(r.Method, r.URL.Path, r)
}

func (rt *Runtime) route(method, path string, r *http.Request) (a *apiRoute, op *operation, rest string) {
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
	if a.picker != nil {
		v := a.picker.pick(r)
		if v == nil {
			return a, nil, rest
		}
		a = v
	}
	for i := range a.ops {
		o := &a.ops[i]
		if (o.method == method || o.method == "*") && o.tpl.Match(rest) && o.soapMatch(r) {
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

// soapMatch reports whether r names o's SOAP action, or o has none; a
// path match without a request (r nil) does not look at actions.
func (o *operation) soapMatch(r *http.Request) bool {
	if !o.soap || r == nil {
		return true
	}
	return route.RequestSOAPAction(r.Header.Get("SOAPAction"), r.Header.Get("Content-Type")) == o.soapAction
}
