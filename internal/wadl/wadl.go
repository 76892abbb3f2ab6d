package wadl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// Namespaces of a WADL application: the 2009 submission's and the
// earlier draft's that older JAX-RS stacks still write.
const (
	nsWADL     = "http://wadl.dev.java.net/2009/02"
	nsWADL2006 = "http://research.sun.com/wadl/2006/10"
)

// Limits of a document Read accepts.
const (
	// MaxMethods bounds the methods a document may declare.
	MaxMethods = 1000
	// MaxDepth bounds how deeply resources nest.
	MaxDepth = 32
)

// ErrInvalid marks a document that Read refuses.
var ErrInvalid = errors.New("invalid WADL")

// Application is what Read found in a document. It is a fresh value the
// caller owns.
type Application struct {
	// Title is the application's doc title; empty if absent.
	Title string
	// Description is the text of the application's doc elements.
	Description string
	// Base is the first resources element's base URI; may be empty.
	Base string
	// Methods lists every method of every resource in document order.
	Methods []Method
}

// Method is one method of a resource, with the resource's full path.
type Method struct {
	// ID is the method's id attribute; may be empty.
	ID string
	// Name is the HTTP method, upper case.
	Name string
	// Path is the resource's path below Base: the paths of the
	// enclosing resources joined with '/', without a leading '/', with
	// JAX-RS regular expressions dropped from its {parameters}.
	Path string
	// Title and Description come from the method's doc elements.
	Title, Description string
	// Params are the parameters of the enclosing resources and of the
	// method's request, in that order.
	Params []Param
	// Request lists the media types of the request representations.
	Request []string
	// Responses lists the method's responses in document order.
	Responses []Response
}

// Param is one parameter.
type Param struct {
	Name string
	// Style is template, query, header or matrix.
	Style       string
	Type        string // the XML Schema type, as written ("xs:int")
	Required    bool
	Default     string
	Options     []string
	Description string
}

// Response is one response element: its status codes (200 when the
// element names none) and media types.
type Response struct {
	Status      []int
	MediaTypes  []string
	Description string
}

// wire types: the XML as written, never returned.
type xApplication struct {
	XMLName   xml.Name     `xml:"application"`
	Docs      []xDoc       `xml:"doc"`
	Grammars  []xAny       `xml:"grammars"`
	Resources []xResources `xml:"resources"`
	Methods   []xMethod    `xml:"method"`
	Types     []xAny       `xml:"resource_type"`
}

type xAny struct {
	XMLName xml.Name
}

type xDoc struct {
	Title string `xml:"title,attr"`
	Text  string `xml:",chardata"`
}

type xResources struct {
	Base      string      `xml:"base,attr"`
	Resources []xResource `xml:"resource"`
}

type xResource struct {
	Path      string      `xml:"path,attr"`
	Type      string      `xml:"type,attr"`
	Params    []xParam    `xml:"param"`
	Methods   []xMethod   `xml:"method"`
	Resources []xResource `xml:"resource"`
}

type xMethod struct {
	ID        string      `xml:"id,attr"`
	Name      string      `xml:"name,attr"`
	Href      string      `xml:"href,attr"`
	Docs      []xDoc      `xml:"doc"`
	Request   *xRequest   `xml:"request"`
	Responses []xResponse `xml:"response"`
}

type xRequest struct {
	Params []xParam `xml:"param"`
	Reps   []xRep   `xml:"representation"`
}

type xResponse struct {
	Status string   `xml:"status,attr"`
	Docs   []xDoc   `xml:"doc"`
	Reps   []xRep   `xml:"representation"`
	Params []xParam `xml:"param"`
}

type xRep struct {
	MediaType string `xml:"mediaType,attr"`
	Href      string `xml:"href,attr"`
}

type xParam struct {
	Name     string    `xml:"name,attr"`
	Style    string    `xml:"style,attr"`
	Type     string    `xml:"type,attr"`
	Required string    `xml:"required,attr"`
	Default  string    `xml:"default,attr"`
	Href     string    `xml:"href,attr"`
	Docs     []xDoc    `xml:"doc"`
	Options  []xOption `xml:"option"`
}

type xOption struct {
	Value string `xml:"value,attr"`
}

// Read parses a WADL document. It fails, wrapping ErrInvalid, when the
// document is not a WADL application, declares no method, or uses what
// Read does not follow (resource types, references to methods,
// parameters or representations by href), naming the element.
func Read(src []byte) (*Application, error) {
	var x xApplication
	dec := xml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if x.XMLName.Space != nsWADL && x.XMLName.Space != nsWADL2006 {
		return nil, fmt.Errorf("%w: the root element must be application in namespace %s", ErrInvalid, nsWADL)
	}
	if len(x.Types) > 0 {
		return nil, fmt.Errorf("%w: resource_type is not supported: write the methods into the resources", ErrInvalid)
	}
	app := &Application{}
	app.Title, app.Description = docs(x.Docs)
	for _, rs := range x.Resources {
		if app.Base == "" {
			app.Base = strings.TrimSpace(rs.Base)
		}
		for i := range rs.Resources {
			if err := app.resource(&rs.Resources[i], "", nil, 1); err != nil {
				return nil, err
			}
		}
	}
	if len(app.Methods) == 0 {
		return nil, fmt.Errorf("%w: the application has no resource with a method", ErrInvalid)
	}
	return app, nil
}

// resource adds the methods of r and of the resources it holds; parent
// is the enclosing resources' path and params their parameters.
func (app *Application) resource(r *xResource, parent string, params []Param, depth int) error {
	p := joinPath(parent, r.Path)
	if depth > MaxDepth {
		return fmt.Errorf("%w: resource %s: resources nest deeper than %d", ErrInvalid, quote(p), MaxDepth)
	}
	if r.Type != "" {
		return fmt.Errorf("%w: resource %s: type (a resource_type) is not supported", ErrInvalid, quote(p))
	}
	own, err := readParams(r.Params, "resource "+quote(p))
	if err != nil {
		return err
	}
	params = append(params[:len(params):len(params)], own...)
	for _, xm := range r.Methods {
		m, err := readMethod(&xm, p, params)
		if err != nil {
			return err
		}
		if len(app.Methods) >= MaxMethods {
			return fmt.Errorf("%w: more than %d methods", ErrInvalid, MaxMethods)
		}
		app.Methods = append(app.Methods, m)
	}
	for i := range r.Resources {
		if err := app.resource(&r.Resources[i], p, params, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func readMethod(xm *xMethod, path string, params []Param) (Method, error) {
	at := "resource " + quote(path) + " method"
	if xm.Href != "" {
		return Method{}, fmt.Errorf("%w: %s href %q: references to methods are not supported", ErrInvalid, at, xm.Href)
	}
	name := strings.ToUpper(strings.TrimSpace(xm.Name))
	if name == "" || strings.ContainsFunc(name, func(c rune) bool { return c <= ' ' || c > '~' || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) }) {
		return Method{}, fmt.Errorf("%w: %s %q: name must be an HTTP method", ErrInvalid, at, xm.Name)
	}
	at += " " + name
	m := Method{ID: strings.TrimSpace(xm.ID), Name: name, Path: path, Params: params}
	m.Title, m.Description = docs(xm.Docs)
	if rq := xm.Request; rq != nil {
		own, err := readParams(rq.Params, at+" request")
		if err != nil {
			return Method{}, err
		}
		m.Params = append(m.Params[:len(m.Params):len(m.Params)], own...)
		if m.Request, err = mediaTypes(rq.Reps, at+" request"); err != nil {
			return Method{}, err
		}
	}
	for _, xr := range xm.Responses {
		r := Response{}
		_, r.Description = docs(xr.Docs)
		for _, f := range strings.Fields(xr.Status) {
			var code int
			if _, err := fmt.Sscanf(f, "%d", &code); err != nil || code < 100 || code > 599 || fmt.Sprint(code) != f {
				return Method{}, fmt.Errorf("%w: %s response status %q: want HTTP status codes (100-599) separated by spaces", ErrInvalid, at, xr.Status)
			}
			r.Status = append(r.Status, code)
		}
		if len(r.Status) == 0 {
			r.Status = []int{200}
		}
		var err error
		if r.MediaTypes, err = mediaTypes(xr.Reps, at+" response"); err != nil {
			return Method{}, err
		}
		m.Responses = append(m.Responses, r)
	}
	return m, nil
}

func readParams(xs []xParam, at string) ([]Param, error) {
	var out []Param
	for _, x := range xs {
		if x.Href != "" {
			return nil, fmt.Errorf("%w: %s param href %q: references to parameters are not supported", ErrInvalid, at, x.Href)
		}
		name := strings.TrimSpace(x.Name)
		if name == "" {
			return nil, fmt.Errorf("%w: %s: a param has no name", ErrInvalid, at)
		}
		p := Param{Name: name, Style: strings.TrimSpace(x.Style), Type: strings.TrimSpace(x.Type), Default: x.Default}
		switch p.Style {
		case "template", "query", "header", "matrix":
		case "plain":
			continue // a representation's field: not a parameter of the URL
		default:
			return nil, fmt.Errorf("%w: %s param %q: style %q: want template, query, header or matrix", ErrInvalid, at, name, x.Style)
		}
		switch strings.TrimSpace(x.Required) {
		case "true", "1":
			p.Required = true
		case "", "false", "0":
		default:
			return nil, fmt.Errorf("%w: %s param %q: required %q: want true or false", ErrInvalid, at, name, x.Required)
		}
		_, p.Description = docs(x.Docs)
		for _, o := range x.Options {
			p.Options = append(p.Options, o.Value)
		}
		out = append(out, p)
	}
	return out, nil
}

func mediaTypes(reps []xRep, at string) ([]string, error) {
	var out []string
	for _, r := range reps {
		if r.Href != "" {
			return nil, fmt.Errorf("%w: %s representation href %q: references to representations are not supported", ErrInvalid, at, r.Href)
		}
		mt := strings.TrimSpace(r.MediaType)
		if mt == "" {
			continue // a representation without a media type says nothing APIM keeps
		}
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, mt)
		}
		if !dup {
			out = append(out, mt)
		}
	}
	return out, nil
}

// docs returns the first doc title and the doc texts joined.
func docs(ds []xDoc) (title, text string) {
	var parts []string
	for _, d := range ds {
		if title == "" {
			title = strings.TrimSpace(d.Title)
		}
		if t := strings.Join(strings.Fields(d.Text), " "); t != "" {
			parts = append(parts, t)
		}
	}
	return title, strings.Join(parts, "\n")
}

// joinPath joins a parent path and a resource's path, dropping the
// JAX-RS regular expression of a "{name: regex}" segment.
func joinPath(parent, p string) string {
	var segs []string
	for _, s := range strings.Split(parent+"/"+p, "/") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if name, _, ok := strings.Cut(s[1:len(s)-1], ":"); ok {
				s = "{" + strings.TrimSpace(name) + "}"
			}
		}
		segs = append(segs, s)
	}
	return strings.Join(segs, "/")
}

func quote(p string) string { return "\"/" + p + "\"" }
