package mgmt

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/model"
)

// propertiesSchemas names, per resource kind, the schema of its
// properties in the OpenAPI document.
var propertiesSchemas = map[model.Kind]string{
	model.KindAPI:                         "ApiProperties",
	model.KindOperation:                   "OperationProperties",
	model.KindProduct:                     "ProductProperties",
	model.KindSubscription:                "SubscriptionProperties",
	model.KindUser:                        "UserProperties",
	model.KindGroup:                       "GroupProperties",
	model.KindTag:                         "TagProperties",
	model.KindServicePrincipal:            "ServicePrincipalProperties",
	model.KindNamedValue:                  "NamedValueProperties",
	model.KindBackend:                     "BackendProperties",
	model.KindSchema:                      "SchemaProperties",
	model.KindGateway:                     "GatewayProperties",
	model.KindCertificate:                 "CertificateProperties",
	model.KindGatewayCertificateAuthority: "GatewayCertificateAuthorityProperties",
	model.KindFederatedCredential:         "FederatedCredentialProperties",
	model.KindPolicy:                      "PolicyProperties",
	model.KindPolicyFragment:              "PolicyFragmentProperties",
	model.KindAPIVersionSet:               "ApiVersionSetProperties",
	model.KindAPIRelease:                  "ApiReleaseProperties",
	model.KindLogger:                      "LoggerProperties",
	model.KindAuthorizationProvider:       "AuthorizationProviderProperties",
	model.KindAuthorization:               "AuthorizationProperties",
	model.KindDiagnostic:                  "DiagnosticProperties",
	model.KindAPIDiagnostic:               "DiagnosticProperties",
	model.KindAPISchema:                   "ApiSchemaProperties",
	model.KindWorkspace:                   "WorkspaceProperties",
}

// lengthRule is what a schema of the OpenAPI document says about the
// length of strings: maxLength for a string, and the rules of an
// object's members, an array's items and a map's values.
type lengthRule struct {
	max   int
	props map[string]*lengthRule
	items *lengthRule
	extra *lengthRule // additionalProperties
}

var (
	lengthRulesOnce sync.Once
	lengthRules     map[model.Kind]*lengthRule
	lengthRulesErr  error
)

// rulesFor returns the length rules of kind's properties, read once from
// the OpenAPI document, so that the limits it documents are the limits
// the management API enforces.
func rulesFor(kind model.Kind) (*lengthRule, error) {
	lengthRulesOnce.Do(func() {
		lengthRules, lengthRulesErr = readLengthRules()
	})
	if lengthRulesErr != nil {
		return nil, lengthRulesErr
	}
	return lengthRules[kind], nil
}

func readLengthRules() (map[model.Kind]*lengthRule, error) {
	raw, err := OpenAPIDocument()
	if err != nil {
		return nil, err
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	b := ruleBuilder{schemas: doc.Components.Schemas, named: map[string]*lengthRule{}}
	rules := map[model.Kind]*lengthRule{}
	for kind, name := range propertiesSchemas {
		if b.schemas[name] == nil {
			return nil, fmt.Errorf("openapi.yaml has no schema %s", name)
		}
		rules[kind] = b.ref(name)
	}
	return rules, nil
}

// ruleBuilder turns schemas into lengthRules; named schemas are built
// once, so that recursive ones end.
type ruleBuilder struct {
	schemas map[string]map[string]any
	named   map[string]*lengthRule
}

func (b *ruleBuilder) ref(name string) *lengthRule {
	if r, ok := b.named[name]; ok {
		return r
	}
	r := &lengthRule{}
	b.named[name] = r
	b.merge(r, b.schemas[name])
	return r
}

// merge adds what schema s says to r.
func (b *ruleBuilder) merge(r *lengthRule, s map[string]any) {
	if ref, ok := s["$ref"].(string); ok {
		if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
			b.merge(r, b.schemas[name])
		}
	}
	if n, ok := s["maxLength"].(float64); ok && (r.max == 0 || int(n) < r.max) {
		r.max = int(n)
	}
	for _, part := range asSchemas(s["allOf"]) {
		b.merge(r, part)
	}
	if props, ok := s["properties"].(map[string]any); ok {
		if r.props == nil {
			r.props = map[string]*lengthRule{}
		}
		for name, p := range props {
			ps, _ := p.(map[string]any)
			if r.props[name] == nil {
				r.props[name] = &lengthRule{}
			}
			b.merge(r.props[name], ps)
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		if r.items == nil {
			r.items = &lengthRule{}
		}
		b.merge(r.items, items)
	}
	if extra, ok := s["additionalProperties"].(map[string]any); ok {
		if r.extra == nil {
			r.extra = &lengthRule{}
		}
		b.merge(r.extra, extra)
	}
}

func asSchemas(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// checkLengths checks every string in raw, the properties of a resource
// of kind, against the maxLength the OpenAPI document gives it. Errors
// are a *model.ValidationError naming each string that is too long.
func checkLengths(kind model.Kind, raw []byte) error {
	rule, err := rulesFor(kind)
	if err != nil || rule == nil {
		return err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("check lengths of %s properties: %w", kind, err)
	}
	var fe []model.FieldError
	rule.check(v, "properties", &fe)
	if len(fe) > 0 {
		return &model.ValidationError{Fields: fe}
	}
	return nil
}

func (r *lengthRule) check(v any, target string, fe *[]model.FieldError) {
	switch x := v.(type) {
	case string:
		if r.max > 0 && len(x) > r.max { // a rune is at least one byte
			if n := utf8.RuneCountInString(x); n > r.max {
				*fe = append(*fe, model.FieldError{Target: target,
					Message: fmt.Sprintf("must be at most %d characters long; it has %d", r.max, n)})
			}
		}
	case []any:
		if r.items != nil {
			for i, item := range x {
				r.items.check(item, fmt.Sprintf("%s[%d]", target, i), fe)
			}
		}
	case map[string]any:
		names := make([]string, 0, len(x))
		for name := range x {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			sub := r.props[name]
			if sub == nil {
				sub = r.extra
			}
			if sub != nil {
				sub.check(x[name], target+"."+name, fe)
			}
		}
	}
}
