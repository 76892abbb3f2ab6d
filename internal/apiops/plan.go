package apiops

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// Action is what a Step does.
type Action string

// The actions of a plan's steps.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Step is one write to the management plane.
type Step struct {
	Action Action
	// Path is the resource's management API path: "/apis/echo",
	// "/products/starter/apis/echo".
	Path string
	// Details are lines that say more (an API's operation changes).
	Details []string
	// File is the folder's file the step comes from, for messages; empty
	// for links and deletions.
	File string
	body any // PUT body properties; nil for a link
}

// String renders s as a diff line ("+ apis/echo") with its details
// indented below.
func (s Step) String() string {
	sign := map[Action]string{Create: "+", Update: "~", Delete: "-"}[s.Action]
	var b strings.Builder
	b.WriteString(sign + " " + strings.TrimPrefix(s.Path, "/"))
	for _, d := range s.Details {
		b.WriteString("\n    " + d)
	}
	return b.String()
}

// Plan is the ordered list of writes that make a management plane equal to
// a folder: creations and updates in dependency order (named values,
// backends, groups, tags, policy fragments, version sets, the releases of
// APIs the plane has, APIs, the releases of new APIs, products
// and their links, the APIs' tag links, subscriptions, gateways and their links, certificate authorities and
// federated credentials, then the policies of every scope), then link
// removals, then (with Prune) deletions in reverse order.
type Plan struct {
	Steps       []Step
	Unsupported []Unsupported
	Warnings    []Warning
	// fault is 1 + the index of the step InjectFault makes fail; 0: none.
	fault int
}

// InjectFault makes Apply send step i to a management path that does not
// exist, so that exactly that step fails and the management plane refuses
// the whole batch: the fault-injection tests of the all-or-nothing apply
// use it. A negative i sends every step as planned.
func (p *Plan) InjectFault(i int) { p.fault = max(i, -1) + 1 }

// PlanOptions configures NewPlan.
type PlanOptions struct {
	// Prune deletes resources the folder lacks (never the built-in groups
	// and the managed gateway), and the policies the folder lacks: the
	// global one, and those of its products, APIs and their operations.
	Prune bool
}

// NewPlan compares desired (a folder) with current (a management plane).
// It fails, before anything is written, when the folder refers to
// resources that neither it nor the plane (after pruning) has, or when two
// APIs would share a path.
func NewPlan(desired, current *Config, opts PlanOptions) (*Plan, error) {
	p := &Plan{Unsupported: desired.Unsupported, Warnings: desired.Warnings}
	releases, err := planReleases(desired, current)
	if err != nil {
		return nil, err
	}
	current = releases.current // as the releases that come before the APIs leave it
	if err := checkReferences(desired, current, opts.Prune); err != nil {
		return nil, err
	}
	p.planWorkspaces(desired, current)
	p.upsert("/namedValues/", desired.NamedValues, current.NamedValues)
	p.planCertificates(desired.Certificates, current.Certificates)
	p.upsert("/backends/", singleFirst(desired.Backends), current.Backends)
	p.upsert("/schemas/", desired.Schemas, current.Schemas)
	p.upsert("/groups/", desired.Groups, current.Groups)
	p.upsert("/tags/", desired.Tags, current.Tags)
	p.upsert("/policyFragments/", includedFirst(desired.Fragments), current.Fragments)
	p.upsert("/apiVersionSets/", desired.VersionSets, current.VersionSets)
	p.planLoggers(desired, current)
	p.Steps = append(p.Steps, releases.before...)
	for _, a := range desired.APIs {
		if err := p.api(a, findAPI(current.APIs, a.Name)); err != nil {
			return nil, err
		}
	}
	p.Steps = append(p.Steps, releases.after...)
	p.planAPIDiagnostics(desired, current)
	p.planAPISchemas(desired, current)
	var curProducts, curGateways []Resource
	for _, c := range current.Products {
		curProducts = append(curProducts, c.Resource)
	}
	for _, c := range current.Gateways {
		curGateways = append(curGateways, c.Resource)
	}
	desProducts := make([]Resource, len(desired.Products))
	for i, d := range desired.Products {
		desProducts[i] = d.Resource
	}
	desGateways := make([]Resource, len(desired.Gateways))
	for i, d := range desired.Gateways {
		desGateways[i] = d.Resource
	}
	p.upsert("/products/", desProducts, curProducts)
	var removals []Step
	for _, d := range desired.Products {
		c := findProduct(current.Products, d.Name)
		removals = append(removals, p.links("/products/"+d.Name+"/apis/", d.APIs, c.APIs)...)
		removals = append(removals, p.links("/products/"+d.Name+"/groups/", d.Groups, c.Groups)...)
	}
	removals = append(removals, p.planTagLinks(desired, current)...)
	p.planSubscriptions(desired, current)
	p.upsert("/gateways/", desGateways, curGateways)
	for _, d := range desired.Gateways {
		removals = append(removals, p.links("/gateways/"+d.Name+"/apis/", d.APIs, findGateway(current.Gateways, d.Name).APIs)...)
	}
	removals = append(removals, p.planGatewayChildren(desired.Gateways, current.Gateways)...)
	p.upsert("/", desired.Policies, current.Policies)
	p.Steps = append(p.Steps, removals...)
	if opts.Prune {
		p.prune(desired, current, desGateways, curGateways, desProducts, curProducts)
	}
	return p, nil
}

// upsert adds creations and updates of top-level resources.
func (p *Plan) upsert(prefix string, desired, current []Resource) {
	for _, d := range desired {
		c, ok := find(current, d.Name)
		switch {
		case !ok:
			p.Steps = append(p.Steps, Step{Action: Create, Path: prefix + d.Name, body: d.Properties, File: d.File})
		case !bytes.Equal(c.Properties, d.Properties):
			p.Steps = append(p.Steps, Step{Action: Update, Path: prefix + c.Name, body: d.Properties,
				Details: changedFields(c.Properties, d.Properties), File: d.File})
		}
	}
}

// api adds the write of one API: its properties and, when the folder has
// a specification, the import that makes its operations the document's.
func (p *Plan) api(d API, c *API) error {
	var ops openapi.Plan
	opsChanged := false
	if d.Spec != nil {
		var cur []openapi.Operation
		if c != nil {
			cur = c.Operations
		}
		ops = openapi.PlanOperations(cur, d.Operations)
		n := ops.Counts()
		opsChanged = n[openapi.Create]+n[openapi.Update]+n[openapi.Delete] > 0
	}
	// A WSDL, WADL or GraphQL schema is kept whole: a change of its text is an
	// import even when the operations stay.
	specChanged := d.SpecFormat != "" && (c == nil || c.SpecFormat != d.SpecFormat || !bytes.Equal(c.Spec, d.Spec))
	propsChanged := c == nil || !bytes.Equal(c.Properties, d.Properties)
	if !propsChanged && !opsChanged && !specChanged {
		return nil
	}
	var body map[string]any
	if err := json.Unmarshal(d.Properties, &body); err != nil {
		return fmt.Errorf("api %s: %w", d.Name, err)
	}
	s := Step{Action: Create, Path: "/apis/" + d.Name, body: body, File: d.File}
	if c == nil && d.Revision != "" {
		body["apiRevision"] = d.Revision // created at the folder's current revision
	}
	if c != nil {
		s.Action, s.Path = Update, "/apis/"+c.Name
		if propsChanged {
			s.Details = changedFields(c.Properties, d.Properties)
		}
	}
	if specChanged && c != nil {
		s.Details = append(s.Details, specFiles[d.SpecFormat]+" changed")
	}
	if d.Spec != nil && (opsChanged || specChanged || c == nil) {
		body["format"], body["value"] = cmp.Or(importFormats[d.SpecFormat], "openapi"), string(d.Spec)
		for _, ch := range ops.Changes {
			if ch.Action != openapi.Keep {
				s.Details = append(s.Details, ch.String())
			}
		}
	}
	p.Steps = append(p.Steps, s)
	return nil
}

// links adds the link creations of a described list and returns the
// removals. A nil desired list is not described: nothing changes.
func (p *Plan) links(prefix string, desired, current []string) []Step {
	if desired == nil {
		return nil
	}
	var removals []Step
	for _, d := range desired {
		if !containsFold(current, d) {
			p.Steps = append(p.Steps, Step{Action: Create, Path: prefix + d})
		}
	}
	for _, c := range current {
		if !containsFold(desired, c) {
			removals = append(removals, Step{Action: Delete, Path: prefix + c})
		}
	}
	return removals
}

// prune adds deletions of what the folder lacks, dependants first.
func (p *Plan) prune(desired, current *Config, desGateways, curGateways, desProducts, curProducts []Resource) {
	del := func(prefix string, desired, current []Resource, keep func(string) bool) {
		for _, c := range current {
			if _, ok := find(desired, c.Name); !ok && !keep(c.Name) {
				p.Steps = append(p.Steps, Step{Action: Delete, Path: prefix + c.Name})
			}
		}
	}
	never := func(string) bool { return false }
	p.pruneSubscriptions(desired, current)
	p.pruneReleases(desired, current)
	p.pruneDiagnostics(desired, current)
	p.pruneAPISchemas(desired, current)
	for _, c := range current.Policies {
		if _, ok := find(desired.Policies, c.Name); !ok && ownerStays(desired, current, c.Name) {
			p.Steps = append(p.Steps, Step{Action: Delete, Path: "/" + c.Name})
		}
	}
	del("/gateways/", desGateways, curGateways, func(n string) bool { return strings.EqualFold(n, model.ManagedGatewayID) })
	del("/products/", desProducts, curProducts, never)
	var desAPIs, curAPIs []Resource
	for _, a := range desired.APIs {
		desAPIs = append(desAPIs, a.Resource)
	}
	for _, a := range current.APIs {
		curAPIs = append(curAPIs, a.Resource)
	}
	del("/apis/", desAPIs, curAPIs, never)
	del("/apiVersionSets/", desired.VersionSets, current.VersionSets, never)
	del("/policyFragments/", desired.Fragments, current.Fragments, never)
	del("/schemas/", desired.Schemas, current.Schemas, never)
	del("/groups/", desired.Groups, current.Groups, model.IsBuiltinGroup)
	del("/tags/", desired.Tags, current.Tags, never)
	var pools, singles []Resource
	for _, b := range current.Backends {
		if isPool(b) {
			pools = append(pools, b)
		} else {
			singles = append(singles, b)
		}
	}
	del("/backends/", desired.Backends, pools, never)
	del("/backends/", desired.Backends, singles, never)
	p.pruneCertificates(desired.Certificates, current.Certificates)
	del("/namedValues/", desired.NamedValues, current.NamedValues, never)
	p.pruneWorkspaces(desired, current)
}

// ownerStays reports whether the owner of the policy name is in the
// folder and stays after the apply: the policy must then be deleted
// explicitly (the management plane deletes the policies of what it
// deletes).
func ownerStays(desired, current *Config, name string) bool {
	parts := strings.Split(policyOwner(name), "/")
	switch {
	case len(parts) == 1 && parts[0] == "":
		return true
	case len(parts) == 2 && parts[0] == "products":
		return containsFold(productNames(desired.Products), parts[1])
	case len(parts) == 2 && parts[0] == "apis":
		return findAPI(desired.APIs, parts[1]) != nil
	case len(parts) == 4 && parts[0] == "apis":
		return stays(desired, current, parts[1], parts[3])
	}
	return false
}

func productNames(ps []Product) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// Empty reports whether the plan writes nothing.
func (p *Plan) Empty() bool { return len(p.Steps) == 0 }

// Print writes the plan as a diff, then the unsupported parts and the
// warnings.
func (p *Plan) Print(w io.Writer) {
	for _, s := range p.Steps {
		fmt.Fprintln(w, s)
	}
	for _, u := range p.Unsupported {
		fmt.Fprintln(w, "! skipped", u)
	}
	for _, x := range p.Warnings {
		fmt.Fprintln(w, "! warning", x)
	}
}

// Apply makes the plan's writes on the management plane in one batch
// (POST /mgmt/batch), so that every step is stored or none is, and every
// gateway moves to the result in one step. With dryRun the management
// plane checks the whole plan, compile included, and keeps nothing: a dry
// run that succeeds means the apply succeeds on the same configuration.
// A refusal names each failed step with its file.
func (p *Plan) Apply(ctx context.Context, c *mgmtclient.Client, dryRun bool) error {
	reqs := make([]batchRequest, len(p.Steps))
	for i, s := range p.Steps {
		r := batchRequest{ID: strconv.Itoa(i), URL: escapePath(s.Path)}
		switch {
		case s.Action == Delete && strings.HasPrefix(s.Path, "/products/") && strings.Count(s.Path, "/") == 2:
			r.Method, r.URL = http.MethodDelete, r.URL+"?deleteSubscriptions=true"
		case s.Action == Delete:
			r.Method = http.MethodDelete
		default:
			r.Method = http.MethodPut
			if s.body != nil {
				r.Body = map[string]any{"properties": s.body}
			}
		}
		if i+1 == p.fault {
			u, q, _ := strings.Cut(r.URL, "?")
			r.URL = u + "/fault-injected"
			if q != "" {
				r.URL += "?" + q
			}
		}
		reqs[i] = r
	}
	path := "/batch"
	if dryRun {
		path += "?dryRun=true"
	}
	err := c.Post(ctx, path, map[string]any{"requests": reqs}, nil)
	var e *mgmtclient.Error
	if errors.As(err, &e) {
		return p.refusal(e)
	}
	return err
}

// batchRequest is one request of a batch.
type batchRequest struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	URL    string `json:"url"`
	Body   any    `json:"body,omitempty"`
}

// refusal explains a refused batch: each problem with the step, and the
// file, it comes from.
func (p *Plan) refusal(e *mgmtclient.Error) error {
	var lines []string
	for _, d := range e.Details {
		line := d.Message
		if i, rest, ok := stepOf(d.Target); ok && i < len(p.Steps) {
			s := p.Steps[i]
			where := string(s.Action) + " " + strings.TrimPrefix(s.Path, "/")
			if s.File != "" {
				where = s.File + " (" + where + ")"
			}
			if strings.HasPrefix(line, "PUT /") || strings.HasPrefix(line, "DELETE /") {
				_, line, _ = strings.Cut(line, ": ") // the step says which request
			}
			if rest != "" {
				line = rest + ": " + line
			}
			line = where + ": " + line
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		lines = append(lines, e.Message)
	}
	return fmt.Errorf("the management plane refused the change (%d %s); nothing was changed:\n  %s", e.Status, e.Code, strings.Join(lines, "\n  "))
}

// stepOf reads a batch error's target, "requests[3].properties.path", as
// the step's index and the rest.
func stepOf(target string) (int, string, bool) {
	rest, ok := strings.CutPrefix(target, "requests[")
	if !ok {
		return 0, "", false
	}
	n, rest, ok := strings.Cut(rest, "]")
	i, err := strconv.Atoi(n)
	if !ok || err != nil {
		return 0, "", false
	}
	return i, strings.TrimPrefix(rest, "."), true
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// changedFields names the top-level properties that differ.
func changedFields(old, new json.RawMessage) []string {
	var a, b map[string]json.RawMessage
	if json.Unmarshal(old, &a) != nil || json.Unmarshal(new, &b) != nil {
		return nil
	}
	var out []string
	for _, k := range sortedNames(append(mapKeys(a), mapKeys(b)...)) {
		if !bytes.Equal(a[k], b[k]) {
			out = append(out, "properties."+k)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return []string{"changed: " + strings.Join(out, ", ")}
}

func mapKeys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func find(rs []Resource, name string) (Resource, bool) {
	for _, r := range rs {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return Resource{}, false
}

func findAPI(as []API, name string) *API {
	for i := range as {
		if strings.EqualFold(as[i].Name, name) {
			return &as[i]
		}
	}
	return nil
}

func findProduct(ps []Product, name string) Product {
	for _, p := range ps {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return Product{}
}

func findGateway(gs []Gateway, name string) Gateway {
	for _, g := range gs {
		if strings.EqualFold(g.Name, name) {
			return g
		}
	}
	return Gateway{}
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func isPool(r Resource) bool {
	var b model.Backend
	return json.Unmarshal(r.Properties, &b) == nil && b.Pool != nil
}

// singleFirst orders backends so that pool members are written before the
// pools that name them.
func singleFirst(bs []Resource) []Resource {
	var singles, pools []Resource
	for _, b := range bs {
		if isPool(b) {
			pools = append(pools, b)
		} else {
			singles = append(singles, b)
		}
	}
	return append(singles, pools...)
}
