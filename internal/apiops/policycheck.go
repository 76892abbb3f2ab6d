package apiops

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
)

// checkPolicies compiles the folder's fragments and policies as the
// management API compiles them when they are saved, and returns each
// problem as "FILE:LINE:COL: message". A policy may use the folder's
// named values and backends and, unless prune, those that only the
// management plane has; any other {{name}} is accepted, as the plane may
// have it. Secret named values are left as their {{name}} placeholder so
// that no secret appears in a message. Operation policies must belong to
// an operation that exists after the apply.
func checkPolicies(desired, current *Config, prune bool) []string {
	var problems []string
	env := policy.Env{NamedValues: map[string]string{}, Backends: map[string]string{}, AnyNamedValue: true,
		AnyCertificate: true, AnyBackend: !prune, AnySchema: !prune} // certificates are not part of the folder; backends and schemas may be on the plane
	for _, r := range desired.NamedValues {
		var nv model.NamedValue
		if json.Unmarshal(r.Properties, &nv) == nil && !nv.Secret {
			env.NamedValues[strings.ToLower(nv.DisplayName)] = nv.Value
		}
	}
	for _, r := range kept(desired.Backends, current.Backends, prune) {
		var b model.Backend
		if json.Unmarshal(r.Properties, &b) == nil {
			env.Backends[strings.ToLower(r.Name)] = b.PolicyURL()
		}
	}
	for _, r := range kept(desired.Schemas, current.Schemas, prune) {
		var s model.Schema
		if json.Unmarshal(r.Properties, &s) == nil {
			if env.Schemas == nil {
				env.Schemas = map[string]*policy.Schema{}
			}
			env.Schemas[strings.ToLower(r.Name)] = &policy.Schema{Type: s.SchemaType, Document: s.Document}
		}
	}
	fragments := map[string][]*policy.Node{}
	for _, r := range kept(desired.Fragments, current.Fragments, prune) {
		nodes, err := policy.ParseFragmentIn(policyValue(r.Properties), env)
		switch {
		case err == nil:
			fragments[strings.ToLower(r.Name)] = nodes
		case r.File != "":
			problems = append(problems, diagnostics(r.File, err)...)
		}
	}
	reg := builtin.NewRegistry()
	for _, r := range desired.Fragments {
		if nodes, ok := fragments[strings.ToLower(r.Name)]; ok {
			_ = nodes
			problems = append(problems, diagnostics(r.File, compile.Error(compile.Fragment(reg, env, fragments, policyValue(r.Properties))))...)
		}
	}
	for _, r := range desired.Policies {
		if p := checkOperation(desired, current, r); p != "" {
			problems = append(problems, p)
			continue
		}
		problems = append(problems, diagnostics(r.File, compile.Error(compile.Document(reg, env, fragments, policyValue(r.Properties))))...)
	}
	return problems
}

// checkOperation returns a problem when r is the policy of an operation
// that will not exist: one the API's specification lacks or, for an API
// without one, that the management plane lacks.
func checkOperation(desired, current *Config, r Resource) string {
	parts := strings.Split(r.Name, "/")
	if len(parts) != 5 || parts[2] != "operations" {
		return ""
	}
	api, op := parts[1], parts[3]
	if stays(desired, current, api, op) {
		return ""
	}
	return fmt.Sprintf("%s: operation %s is neither in the specification of API %s nor (kept) on the management plane", r.File, op, api)
}

// stays reports whether the operation op of the folder's API api exists
// after the apply.
func stays(desired, current *Config, api, op string) bool {
	a := findAPI(desired.APIs, api)
	if a == nil {
		return false
	}
	ops := a.Operations
	if a.Spec == nil {
		if c := findAPI(current.APIs, api); c != nil {
			ops = c.Operations
		}
	}
	for _, o := range ops {
		if strings.EqualFold(o.ID, op) {
			return true
		}
	}
	return false
}

// diagnostics renders err, a policy compilation's result, as
// "FILE:LINE:COL: message" lines.
func diagnostics(file string, err error) []string {
	if err == nil {
		return nil
	}
	var diags policy.Diagnostics
	if !errors.As(err, &diags) {
		return []string{file + ":1:1: " + err.Error()}
	}
	out := make([]string, len(diags))
	for i, d := range diags {
		out[i] = file + ":" + d.Error()
	}
	return out
}

// kept returns desired and, unless prune, the current resources desired
// lacks: what exists after the apply.
func kept(desired, current []Resource, prune bool) []Resource {
	out := append([]Resource(nil), desired...)
	if prune {
		return out
	}
	for _, c := range current {
		if _, ok := find(desired, c.Name); !ok {
			out = append(out, c)
		}
	}
	return out
}

// includeRE finds the fragments a document includes.
var includeRE = regexp.MustCompile(`fragment-id\s*=\s*["']([^"']+)["']`)

// includedFirst orders fragments so that a fragment comes after the
// fragments of the list that it includes (a cycle, which the management
// API refuses anyway, keeps the folder's order).
func includedFirst(fragments []Resource) []Resource {
	out := make([]Resource, 0, len(fragments))
	done := map[string]bool{}
	pending := append([]Resource(nil), fragments...)
	for len(pending) > 0 {
		var next []Resource
		for _, f := range pending {
			ready := true
			for _, m := range includeRE.FindAllStringSubmatch(policyValue(f.Properties), -1) {
				id := strings.ToLower(m[1])
				_, inList := find(fragments, id)
				ready = ready && (done[id] || !inList || strings.EqualFold(id, f.Name))
			}
			if ready {
				out, done[strings.ToLower(f.Name)] = append(out, f), true
			} else {
				next = append(next, f)
			}
		}
		if len(next) == len(pending) {
			return append(out, next...)
		}
		pending = next
	}
	return out
}
