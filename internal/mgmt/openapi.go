package mgmt

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

	"sigs.k8s.io/yaml"
)

// openAPIYAML is the management API's own OpenAPI document. A test keeps
// it true: every registered route must be in it, and nothing else.
//
//go:embed openapi.yaml
var openAPIYAML []byte

// OpenAPIDocument returns the management API's OpenAPI document as JSON.
func OpenAPIDocument() (json.RawMessage, error) {
	b, err := yaml.YAMLToJSON(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return b, nil
}

func (s *Server) openAPI(*http.Request) (response, error) {
	doc, err := OpenAPIDocument()
	if err != nil {
		return response{}, err
	}
	return response{status: http.StatusOK, body: doc}, nil
}
