package wadl

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// ImportedFrom marks operations imported from a WADL
// (model.Operation.ImportedFrom).
const ImportedFrom = "wadl"

// API is an http API as a WADL describes it.
type API struct {
	// Title is the application's doc title, for the API's displayName.
	Title string
	// Description is the application's doc text.
	Description string
	// ServiceURL is the resources' base URI without a trailing '/'.
	ServiceURL string
	// Operations are the methods as operations, normalised.
	Operations []openapi.Operation
}

// Import reads a WADL as Azure API Management imports it into an http
// API (formats wadl-xml and wadl-link-json): one operation per method of
// every resource. The URL template is the resources' joined paths; the
// template parameters are its {names} (typed by the template params the
// resources declare, "string" otherwise); query and header params, from
// the resources and the method's request, become the request's query
// parameters and headers (matrix params are not kept: APIM's operations
// have no place for them); the request's and each response's
// representations become representations of their media types. An
// operation's id is the method's id attribute with characters other than
// letters, digits, '-' and '_' replaced by '-', or, without one, the
// method and path ("get-orders-id"); its display name is the method's doc
// title, its id attribute, or "GET /orders/{id}". Two methods with one
// explicit id are an error; a derived id that is taken gets a number.
func Import(src []byte) (*API, error) {
	app, err := Read(src)
	if err != nil {
		return nil, err
	}
	api := &API{Title: app.Title, Description: app.Description, ServiceURL: strings.TrimRight(app.Base, "/")}
	ids := map[string]string{}
	var derived []int
	for i, m := range app.Methods {
		op, err := operation(m)
		if err != nil {
			return nil, err
		}
		if m.ID == "" {
			derived = append(derived, i)
		} else {
			id := sanitise(m.ID)
			if other, dup := ids[strings.ToLower(id)]; dup {
				return nil, fmt.Errorf("%w: methods %q and %q have the same id %q", ErrInvalid, other, m.ID, id)
			}
			ids[strings.ToLower(id)] = m.ID
			op.ID = id
		}
		api.Operations = append(api.Operations, op)
	}
	for _, i := range derived {
		m := app.Methods[i]
		base := sanitise(strings.ToLower(m.Name) + "-" + m.Path)
		id := base
		for n := 2; ids[strings.ToLower(id)] != ""; n++ {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		ids[strings.ToLower(id)] = m.Name + " /" + m.Path
		api.Operations[i].ID = id
	}
	return api, nil
}

var templateName = regexp.MustCompile(`\{([^{}]*)\}`)

// operation converts one method; its ID is set by Import.
func operation(m Method) (openapi.Operation, error) {
	p := model.Operation{Method: m.Name, URLTemplate: "/" + m.Path, Description: m.Description, ImportedFrom: ImportedFrom}
	p.DisplayName = m.Title
	if p.DisplayName == "" {
		p.DisplayName = m.ID
	}
	typed := map[string]Param{}
	for _, x := range m.Params {
		if x.Style == "template" {
			typed[x.Name] = x
		}
	}
	seen := map[string]bool{}
	for _, sm := range templateName.FindAllStringSubmatch(m.Path, -1) {
		name := strings.TrimPrefix(sm[1], "*")
		if seen[strings.ToLower(name)] {
			return openapi.Operation{}, fmt.Errorf("%w: resource %q: the parameter {%s} appears twice", ErrInvalid, "/"+m.Path, name)
		}
		seen[strings.ToLower(name)] = true
		tp := parameter(typed[name])
		tp.Name, tp.Required = name, true
		p.TemplateParameters = append(p.TemplateParameters, tp)
	}
	var rq model.Request
	for _, x := range m.Params {
		switch x.Style {
		case "query":
			rq.QueryParameters = append(rq.QueryParameters, parameter(x))
		case "header":
			rq.Headers = append(rq.Headers, parameter(x))
		}
	}
	for _, mt := range m.Request {
		rq.Representations = append(rq.Representations, model.Representation{ContentType: mt})
	}
	if len(rq.QueryParameters)+len(rq.Headers)+len(rq.Representations) > 0 {
		p.Request = &rq
	}
	at := map[int]int{} // status code → index in p.Responses
	for _, r := range m.Responses {
		for _, code := range r.Status {
			i, ok := at[code]
			if !ok {
				i = len(p.Responses)
				at[code] = i
				p.Responses = append(p.Responses, model.Response{StatusCode: code, Description: r.Description})
			}
			for _, mt := range r.MediaTypes {
				if !hasRepresentation(p.Responses[i].Representations, mt) {
					p.Responses[i].Representations = append(p.Responses[i].Representations, model.Representation{ContentType: mt})
				}
			}
		}
	}
	p.Normalize()
	return openapi.Operation{Properties: p}, nil
}

func hasRepresentation(rs []model.Representation, mt string) bool {
	for _, r := range rs {
		if strings.EqualFold(r.ContentType, mt) {
			return true
		}
	}
	return false
}

// parameter converts a WADL param; its XML Schema type becomes APIM's
// parameter type (string, integer, number or boolean).
func parameter(x Param) model.TemplateParameter {
	return model.TemplateParameter{Name: x.Name, Type: paramType(x.Type), Required: x.Required, Description: x.Description,
		Values: x.Options, DefaultValue: x.Default}
}

func paramType(xsd string) string {
	if i := strings.LastIndexByte(xsd, ':'); i >= 0 {
		xsd = xsd[i+1:]
	}
	switch xsd {
	case "int", "integer", "long", "short", "byte", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
		"positiveInteger", "nonNegativeInteger", "negativeInteger", "nonPositiveInteger":
		return "integer"
	case "double", "float", "decimal":
		return "number"
	case "boolean":
		return "boolean"
	}
	return "string"
}

// sanitise makes an operation id: characters other than letters, digits,
// '-' and '_' become '-', runs of '-' one, at most model.MaxIDLength.
func sanitise(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '-'
		}
	}
	out := strings.Trim(dashes.ReplaceAllString(string(b), "-"), "-")
	if out == "" {
		out = "operation"
	}
	if len(out) > model.MaxIDLength-4 {
		out = out[:model.MaxIDLength-4]
	}
	return out
}

var dashes = regexp.MustCompile(`-{2,}`)
