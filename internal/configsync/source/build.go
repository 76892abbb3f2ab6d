package source

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/snapshot"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Builder builds gateways' snapshots from the store. Each snapshot
// holds what its gateway's APIs need and nothing else: their operations,
// policies and products, the subscriptions that reach them (keys as
// digests) and those subscriptions' owners as context.User shows them,
// and the named values, fragments, backends and certificates their
// policies use, as the compiler resolves them; the global diagnostics,
// those of its APIs and the loggers they write to.
type Builder struct {
	// Policies holds the policy elements the compiler knows. Required.
	Policies *policy.Registry
	// References, when set, is also told of every reference the compile
	// of a snapshot resolves (see compile.Options).
	References func(compile.Reference)
	// MaxCachedSubscriptions bounds the subscriptions whose snapshot
	// entries (key digests, scope, state, owner) the Builder remembers
	// between builds, so that an unchanged subscription is neither read,
	// decrypted, parsed nor hashed again. Zero means
	// DefaultMaxCachedSubscriptions; negative, none: nor are APIs and
	// operations remembered then.
	MaxCachedSubscriptions int

	// subs, apis and ops remember the records of their kinds between
	// builds (see rowCache).
	subs rowCache[snapshot.Subscription]
	apis rowCache[snapshot.API]
	ops  rowCache[snapshot.Operation]
	// compiled remembers what each API's compile found (see
	// compileCache).
	compiled compileCache
}

// Build reads the configuration of gateway from r. The managed gateway
// serves every API; any other gateway serves the APIs linked to it.
func (b *Builder) Build(ctx context.Context, r store.Reader, gateway string) (*snapshot.Snapshot, error) {
	s, _, err := b.BuildReport(ctx, r, gateway)
	return s, err
}

// BuildReport is Build, and returns the compiler's report on the
// snapshot too: what its gateway will not be able to compile.
func (b *Builder) BuildReport(ctx context.Context, r store.Reader, gateway string) (*snapshot.Snapshot, *compile.Report, error) {
	version, err := r.Version(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("build snapshot: %w", err)
	}
	s := &snapshot.Snapshot{Schema: snapshot.SchemaVersion, Version: version, Gateway: gateway}
	served, err := servedAPIs(ctx, r, gateway)
	if err != nil {
		return nil, nil, err
	}
	pols, err := policies(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	if s.APIs, err = b.buildAPIs(ctx, r, served, pols); err != nil {
		return nil, nil, err
	}
	if s.VersionSets, err = buildVersionSets(ctx, r, s.APIs); err != nil {
		return nil, nil, err
	}
	if s.Products, err = buildProducts(ctx, r, served, pols); err != nil {
		return nil, nil, err
	}
	addRevisions(s.Products, s.APIs)
	if err := buildDiagnostics(ctx, r, s); err != nil {
		return nil, nil, err
	}
	if s.Policy, err = buildPolicyEnv(ctx, r, pols[""]); err != nil {
		return nil, nil, err
	}
	loggers, err := readLoggers(ctx, r, s)
	if err != nil {
		return nil, nil, err
	}
	if s.Subscriptions, err = b.buildSubscriptions(ctx, r, served, s.Products); err != nil {
		return nil, nil, err
	}
	if s.Users, err = buildUsers(ctx, r, s.Subscriptions); err != nil {
		return nil, nil, err
	}
	certs, err := readCertificates(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	used := newUses()
	refs := used.add
	if b.References != nil {
		refs = func(r compile.Reference) { used.add(r); b.References(r) }
	}
	var report *compile.Report
	if b.References != nil || b.MaxCachedSubscriptions < 0 {
		_, report = compile.Compile(s, compile.Options{Registry: b.Policies, Certificates: certs.policy(), References: refs})
	} else {
		report = b.compiled.compile(s, b.Policies, certs.policy(), refs)
	}
	if err := buildBackends(ctx, r, s, used, certs); err != nil {
		return nil, nil, err
	}
	addPolicyLoggers(s, loggers, used.of["loggers"])
	if len(used.of["authorizationProviders"]) > 0 {
		if err := buildAuthorizationProviders(ctx, r, s); err != nil {
			return nil, nil, err
		}
	}
	used.prune(s)
	s.Schema = snapshot.SchemaOf(s)
	return s, report, nil
}

// servedAPIs returns the lower-cased ids of the APIs gateway serves, or nil
// for all of them.
func servedAPIs(ctx context.Context, r store.Reader, gateway string) (map[string]bool, error) {
	if strings.EqualFold(gateway, model.ManagedGatewayID) {
		return nil, nil
	}
	links, err := r.List(ctx, store.Query{Kind: model.KindGatewayAPI, Parent: gateway})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: gateway apis: %w", err)
	}
	served := make(map[string]bool, len(links))
	for _, l := range links {
		served[strings.ToLower(l.ID)] = true
	}
	return served, nil
}

// buildAPIs returns the APIs of served (nil: all) with their operations
// and policies, from those the Builder remembers where the records are
// unchanged.
func (b *Builder) buildAPIs(ctx context.Context, r store.Reader, served map[string]bool, pols map[string]string) ([]snapshot.API, error) {
	recs, ops, err := b.apiRows(ctx, r)
	if err != nil {
		return nil, err
	}
	byAPI := map[string][]snapshot.Operation{}
	for _, rw := range ops {
		k := strings.ToLower(rw.parent)
		o := rw.v
		o.Policy = pols["apis/"+k+"/operations/"+strings.ToLower(rw.id)]
		byAPI[k] = append(byAPI[k], o)
	}
	apis := make([]snapshot.API, 0, len(recs))
	for _, rw := range recs {
		root, _, _ := model.SplitRevision(rw.id)
		if served != nil && !served[strings.ToLower(root)] {
			continue
		}
		a := rw.v
		a.Operations = byAPI[strings.ToLower(rw.id)]
		a.Policy = pols["apis/"+strings.ToLower(rw.id)]
		apis = append(apis, a)
	}
	return apis, nil
}

// apiRows returns the API and operation records r sees, decoded.
func (b *Builder) apiRows(ctx context.Context, r store.Reader) ([]*row[snapshot.API], []*row[snapshot.Operation], error) {
	limit := 1 << 30
	if b.MaxCachedSubscriptions < 0 {
		limit = -1
	}
	recs, err := b.apis.rows(ctx, r, rowQuery[snapshot.API]{kind: model.KindAPI, decode: apiEntry, limit: limit})
	if err != nil {
		return nil, nil, err
	}
	ops, err := b.ops.rows(ctx, r, rowQuery[snapshot.Operation]{kind: model.KindOperation, decode: operationEntry, limit: limit})
	if err != nil {
		return nil, nil, err
	}
	return recs, ops, nil
}

// apiEntry returns the snapshot entry of an API record, without its
// operations and policy.
func apiEntry(rec *store.Record) (snapshot.API, error) {
	var a model.API
	if err := json.Unmarshal(rec.Props, &a); err != nil {
		return snapshot.API{}, fmt.Errorf("build snapshot: api %s: %w", rec.ID, err)
	}
	a.Normalize()
	_, _, notCurrent := model.SplitRevision(rec.ID)
	var schema string
	if a.Type == model.TypeGraphQL {
		schema = a.Definition // validate-graphql-request checks requests against it
	}
	return snapshot.API{
		ID:                   rec.ID,
		Path:                 a.Path,
		ServiceURL:           a.ServiceURL,
		SubscriptionRequired: *a.SubscriptionRequired,
		KeyHeader:            a.SubscriptionKeyParameterNames.Header,
		KeyQuery:             a.SubscriptionKeyParameterNames.Query,
		Protocols:            a.Protocols,
		Name:                 a.DisplayName,
		VersionSet:           strings.ToLower(a.VersionSet()),
		Version:              a.APIVersion,
		Revision:             a.APIRevision,
		NotCurrent:           notCurrent,
		Type:                 snapshotType(a.Type),
		GraphQLSchema:        schema,
	}, nil
}

// operationEntry returns the snapshot entry of an operation record,
// without its policy.
func operationEntry(rec *store.Record) (snapshot.Operation, error) {
	var o model.Operation
	if err := json.Unmarshal(rec.Props, &o); err != nil {
		return snapshot.Operation{}, fmt.Errorf("build snapshot: operation %s/%s: %w", rec.Parent, rec.ID, err)
	}
	return snapshot.Operation{ID: rec.ID, Method: o.Method, URLTemplate: o.URLTemplate, Examples: examples(&o), Name: o.DisplayName,
		TemplateParameters: parameters(o.TemplateParameters), Request: request(o.Request), Responses: responses(o.Responses)}, nil
}

func buildProducts(ctx context.Context, r store.Reader, served map[string]bool, pols map[string]string) ([]snapshot.Product, error) {
	recs, err := r.List(ctx, store.Query{Kind: model.KindProduct})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: products: %w", err)
	}
	links, err := r.List(ctx, store.Query{Kind: model.KindProductAPI})
	if err != nil {
		return nil, fmt.Errorf("build snapshot: product apis: %w", err)
	}
	apisOf := map[string][]string{}
	for _, l := range links {
		if served != nil && !served[strings.ToLower(l.ID)] {
			continue
		}
		k := strings.ToLower(l.Parent)
		apisOf[k] = append(apisOf[k], l.ID)
	}
	products := make([]snapshot.Product, 0, len(recs))
	for _, rec := range recs {
		if served != nil && len(apisOf[strings.ToLower(rec.ID)]) == 0 {
			continue // holds nothing this gateway serves
		}
		var p model.Product
		if err := json.Unmarshal(rec.Props, &p); err != nil {
			return nil, fmt.Errorf("build snapshot: product %s: %w", rec.ID, err)
		}
		products = append(products, snapshot.Product{
			ID:        rec.ID,
			Published: p.State == model.ProductPublished,
			APIs:      apisOf[strings.ToLower(rec.ID)],
			Policy:    pols["products/"+strings.ToLower(rec.ID)],
			Name:      p.DisplayName,
		})
	}
	return products, nil
}

// reaches reports whether a subscription of scope reaches a served API
// (served nil: every API is served).
func reaches(scope string, served, productsWithServed map[string]bool) bool {
	if served == nil {
		return true
	}
	sc, err := model.ParseScope(scope)
	if err != nil {
		return false
	}
	switch sc.Kind {
	case model.KindAPI:
		return served[strings.ToLower(sc.ID)]
	case model.KindProduct:
		return productsWithServed[strings.ToLower(sc.ID)]
	}
	return true // all APIs
}

// examples returns the first example of each response representation.
func examples(o *model.Operation) []snapshot.Example {
	var out []snapshot.Example
	for _, r := range o.Responses {
		for _, rep := range r.Representations {
			names := make([]string, 0, len(rep.Examples))
			for name := range rep.Examples {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				v := rep.Examples[name].Value
				if len(v) == 0 {
					continue
				}
				body := string(v)
				var str string
				if json.Unmarshal(v, &str) == nil && !strings.Contains(rep.ContentType, "json") {
					body = str // a text example kept as a JSON string
				}
				out = append(out, snapshot.Example{StatusCode: r.StatusCode, ContentType: rep.ContentType, Body: body})
				break
			}
		}
	}
	return out
}

// parameters returns the snapshot form of documented parameters.
func parameters(ps []model.TemplateParameter) []snapshot.Parameter {
	if len(ps) == 0 {
		return nil
	}
	out := make([]snapshot.Parameter, len(ps))
	for i, p := range ps {
		out[i] = snapshot.Parameter{Name: p.Name, Type: p.Type, Required: p.Required, Values: p.Values, Schema: p.Schema}
	}
	return out
}

// representations returns the snapshot form of documented bodies.
func representations(rs []model.Representation) []snapshot.Representation {
	if len(rs) == 0 {
		return nil
	}
	out := make([]snapshot.Representation, len(rs))
	for i, r := range rs {
		out[i] = snapshot.Representation{ContentType: r.ContentType, TypeName: r.TypeName, Schema: r.Schema}
	}
	return out
}

// request returns the snapshot form of an operation's request.
func request(r *model.Request) *snapshot.Request {
	if r == nil {
		return nil
	}
	return &snapshot.Request{QueryParameters: parameters(r.QueryParameters), Headers: parameters(r.Headers),
		Representations: representations(r.Representations)}
}

// responses returns the snapshot form of an operation's responses.
func responses(rs []model.Response) []snapshot.Response {
	if len(rs) == 0 {
		return nil
	}
	out := make([]snapshot.Response, len(rs))
	for i, r := range rs {
		out[i] = snapshot.Response{StatusCode: r.StatusCode, Headers: parameters(r.Headers), Representations: representations(r.Representations)}
	}
	return out
}

// snapshotType is an API's type as a snapshot carries it: empty for
// http, the default.
func snapshotType(t string) string {
	if t == model.TypeHTTP {
		return ""
	}
	return t
}
