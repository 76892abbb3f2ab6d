package control

import (
	"github.com/gatehouse/gatehouse/internal/graphql"
	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
	"github.com/gatehouse/gatehouse/internal/wadl"
	"github.com/gatehouse/gatehouse/internal/wsdl"
)

// readDefinition turns an imported document into the API's operations,
// filling a's empty fields from it; a WSDL, WADL or GraphQL schema is kept in
// a.Definition so that export writes it back.
func readDefinition(data []byte, base string, a *model.API) ([]openapi.Operation, error) {
	switch {
	case model.IsWSDLFormat(a.Format):
		def, err := wsdl.Import(data)
		if err != nil {
			return nil, err
		}
		if (a.DisplayName == "" || a.DisplayName == a.Path) && def.Name != "" {
			a.DisplayName = def.Name
		}
		if a.ServiceURL == "" {
			a.ServiceURL = def.ServiceURL
		}
		a.Definition = string(data)
		return def.Operations, nil
	case model.IsWADLFormat(a.Format):
		def, err := wadl.Import(data)
		if err != nil {
			return nil, err
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
		a.Definition = string(data)
		return def.Operations, nil
	case model.IsGraphQLFormat(a.Format):
		ops, err := graphql.Import(data)
		if err != nil {
			return nil, err
		}
		a.Definition = string(data)
		return ops, nil
	}
	def, err := openapi.Import(data, openapi.ImportOptions{BaseURL: base})
	if err != nil {
		return nil, err
	}
	def.Fill(a)
	a.Definition = ""
	return def.Operations, nil
}
