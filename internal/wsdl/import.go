package wsdl

import (
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/model"
	"github.com/gatehouse/gatehouse/internal/openapi"
)

// ImportedFrom marks operations imported from a WSDL
// (model.Operation.ImportedFrom).
const ImportedFrom = "wsdl"

// escapeAction writes a SOAP action as the value of an operation URL
// template's soapAction query parameter. As APIM writes them, the action
// is kept as it is ("/?soapAction=http://tempuri.org/Add"); only bytes
// that would end the value or change how it reads ('%', '&', '#', '+',
// '{', '}', spaces and control characters) are percent-encoded.
func escapeAction(action string) string {
	var b strings.Builder
	for i := 0; i < len(action); i++ {
		c := action[i]
		if c <= ' ' || c == 0x7f || strings.IndexByte("%&#+{}", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// API is a pass-through SOAP API as a WSDL describes it.
type API struct {
	// Name is the first SOAP service's name, for the API's displayName.
	Name string
	// ServiceURL is its first SOAP port's address; may be empty.
	ServiceURL string
	// Operations are the operations of that port's binding, normalised.
	Operations []openapi.Operation
}

// Import reads a WSDL as Azure API Management imports a pass-through SOAP
// API: one operation per operation of the first SOAP port's binding, a
// POST whose URL template names its SOAP action ("/?soapAction=urn:Get",
// see escapeAction), which the gateway matches with the
// request's SOAPAction header (SOAP 1.1) or Content-Type action (SOAP
// 1.2). An operation's id is its name with characters other than
// letters, digits, '-' and '_' replaced by '-'; two operations with one id
// are an error.
func Import(src []byte) (*API, error) {
	d, err := Read(src)
	if err != nil {
		return nil, err
	}
	svc := d.Services[0]
	port := svc.Ports[0]
	api := &API{Name: svc.Name, ServiceURL: port.Address}
	seen := map[string]string{}
	for _, o := range port.Operations {
		id := operationID(o.Name)
		if other, dup := seen[strings.ToLower(id)]; dup {
			return nil, fmt.Errorf("%w: operations %q and %q have the same id %q", ErrInvalid, other, o.Name, id)
		}
		seen[strings.ToLower(id)] = o.Name
		p := model.Operation{DisplayName: o.Name, Method: "POST", URLTemplate: "/?soapAction=" + escapeAction(o.SOAPAction), ImportedFrom: ImportedFrom}
		p.Normalize()
		api.Operations = append(api.Operations, openapi.Operation{ID: id, Properties: p})
	}
	return api, nil
}

// operationID makes an operation id of a WSDL operation name.
func operationID(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '-'
		}
	}
	if len(b) > 80 {
		b = b[:80]
	}
	return string(b)
}
