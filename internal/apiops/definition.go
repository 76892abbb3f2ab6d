package apiops

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/gatehouse/gatehouse/internal/graphql"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
	"github.com/gatehouse/gatehouse/internal/wadl"
	"github.com/gatehouse/gatehouse/internal/wsdl"
)

// definitionSpec reads the specification file of a SOAP API
// (specification.wsdl), a GraphQL API (specification.graphql) or an http
// API described by a WADL (specification.wadl) in the
// API folder rel into api, with the operations the management plane makes
// of it, and fills a's empty fields from a WSDL or WADL as an import does. It adds
// the file to known, and reports false when the file is refused (the
// failure is recorded). Another type's file is left to skipOthers.
func (r *reader) definitionSpec(rel string, a *model.API, api *API, known *[]string) bool {
	format := map[string]string{model.TypeSOAP: "wsdl", model.TypeGraphQL: "graphql", model.TypeHTTP: "wadl", "": "wadl"}[a.Type]
	if format == "" {
		return true
	}
	name := specFiles[format]
	file := path.Join(rel, name)
	b, err := os.ReadFile(filepath.Join(r.dir, rel, name))
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	*known = append(*known, name)
	if err != nil {
		r.fail(file, "%v", err)
		return false
	}
	var ops []openapi.Operation
	if format == "wsdl" {
		def, err := wsdl.Import(b)
		if err != nil {
			r.fail(file, "%v", err)
			return false
		}
		if (a.DisplayName == "" || a.DisplayName == a.Path) && def.Name != "" {
			a.DisplayName = def.Name
		}
		if a.ServiceURL == "" {
			a.ServiceURL = def.ServiceURL
		}
		ops = def.Operations
	} else if format == "wadl" {
		def, err := wadl.Import(b)
		if err != nil {
			r.fail(file, "%v", err)
			return false
		}
		if (a.DisplayName == "" || a.DisplayName == a.Path) && def.Title != "" {
			a.DisplayName = def.Title
		}
		if a.Description == "" {
			a.Description = def.Description
		}
		if a.ServiceURL == "" {
			a.ServiceURL = def.ServiceURL
		}
		ops = def.Operations
	} else if ops, err = graphql.Import(b); err != nil {
		r.fail(file, "%v", err)
		return false
	}
	api.Spec, api.SpecFormat, api.SpecFile, api.Operations = b, format, file, ops
	return true
}
