package wsdl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// Namespaces of the elements Read looks at.
const (
	nsWSDL   = "http://schemas.xmlsoap.org/wsdl/"
	nsSOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
	nsSOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
)

// MaxOperations bounds the operations a document may declare.
const MaxOperations = 1000

// ErrInvalid marks a document that Read refuses.
var ErrInvalid = errors.New("invalid WSDL")

// Definitions is what Read found in a document. It is a fresh value the
// caller owns.
type Definitions struct {
	// Name is the definitions element's name attribute; empty if absent.
	Name string
	// Services lists the document's services in document order.
	Services []Service
}

// Service is one wsdl:service.
type Service struct {
	Name  string
	Ports []Port
}

// Port is one wsdl:port of a service with a SOAP address and binding.
type Port struct {
	Name    string
	Address string // soap:address location; empty when absent
	// SOAP12 tells that the port's binding is SOAP 1.2.
	SOAP12     bool
	Operations []Operation
}

// Operation is one operation of a port's binding.
type Operation struct {
	Name       string
	SOAPAction string // soap:operation soapAction; may be empty
}

// wire types: the XML as written, never returned.
type xDefinitions struct {
	XMLName  xml.Name   `xml:"definitions"`
	Name     string     `xml:"name,attr"`
	Bindings []xBinding `xml:"http://schemas.xmlsoap.org/wsdl/ binding"`
	Services []xService `xml:"http://schemas.xmlsoap.org/wsdl/ service"`
}

type xBinding struct {
	XMLName    xml.Name       `xml:"binding"`
	Name       string         `xml:"name,attr"`
	SOAP       []xSOAPBinding `xml:",any"`
	Operations []xBindingOp   `xml:"http://schemas.xmlsoap.org/wsdl/ operation"`
}

type xSOAPBinding struct {
	XMLName   xml.Name
	Transport string `xml:"transport,attr"`
}

type xBindingOp struct {
	Name string    `xml:"name,attr"`
	SOAP []xSOAPOp `xml:",any"`
}

type xSOAPOp struct {
	XMLName    xml.Name
	SOAPAction string `xml:"soapAction,attr"`
}

type xService struct {
	Name  string  `xml:"name,attr"`
	Ports []xPort `xml:"http://schemas.xmlsoap.org/wsdl/ port"`
}

type xPort struct {
	Name    string     `xml:"name,attr"`
	Binding string     `xml:"binding,attr"`
	Address []xAddress `xml:",any"`
}

type xAddress struct {
	XMLName  xml.Name
	Location string `xml:"location,attr"`
}

// Read parses a WSDL 1.1 document and returns its services with the
// operations of their SOAP 1.1 or 1.2 bindings. Ports whose binding is not
// SOAP (HTTP bindings) are left out. It fails, wrapping ErrInvalid, when
// the document is not a WSDL 1.1 definitions element or has no SOAP port.
func Read(src []byte) (*Definitions, error) {
	var x xDefinitions
	dec := xml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if x.XMLName.Space != nsWSDL {
		return nil, fmt.Errorf("%w: the root element must be definitions in namespace %s (WSDL 1.1)", ErrInvalid, nsWSDL)
	}
	bindings := map[string]*xBinding{}
	for i := range x.Bindings {
		bindings[x.Bindings[i].Name] = &x.Bindings[i]
	}
	d := &Definitions{Name: x.Name}
	n := 0
	for _, xs := range x.Services {
		s := Service{Name: xs.Name}
		for _, xp := range xs.Ports {
			b := bindings[localName(xp.Binding)]
			if b == nil {
				return nil, fmt.Errorf("%w: port %q names binding %q, which the document does not declare", ErrInvalid, xp.Name, xp.Binding)
			}
			soap12, ok := soapVersion(b)
			if !ok {
				continue
			}
			p := Port{Name: xp.Name, SOAP12: soap12}
			for _, a := range xp.Address {
				if a.XMLName.Local == "address" && (a.XMLName.Space == nsSOAP11 || a.XMLName.Space == nsSOAP12) {
					p.Address = a.Location
				}
			}
			for _, bo := range b.Operations {
				if bo.Name == "" {
					return nil, fmt.Errorf("%w: binding %q has an operation without a name", ErrInvalid, b.Name)
				}
				op := Operation{Name: bo.Name}
				for _, so := range bo.SOAP {
					if so.XMLName.Local == "operation" && (so.XMLName.Space == nsSOAP11 || so.XMLName.Space == nsSOAP12) {
						op.SOAPAction = so.SOAPAction
					}
				}
				if n++; n > MaxOperations {
					return nil, fmt.Errorf("%w: more than %d operations", ErrInvalid, MaxOperations)
				}
				p.Operations = append(p.Operations, op)
			}
			s.Ports = append(s.Ports, p)
		}
		if len(s.Ports) > 0 {
			d.Services = append(d.Services, s)
		}
	}
	if len(d.Services) == 0 {
		return nil, fmt.Errorf("%w: no service has a port with a SOAP 1.1 or 1.2 binding", ErrInvalid)
	}
	return d, nil
}

// soapVersion tells whether b is a SOAP binding and whether it is SOAP 1.2.
func soapVersion(b *xBinding) (soap12, ok bool) {
	for _, s := range b.SOAP {
		if s.XMLName.Local != "binding" {
			continue
		}
		switch s.XMLName.Space {
		case nsSOAP11:
			return false, true
		case nsSOAP12:
			return true, true
		}
	}
	return false, false
}

// localName returns a QName's local part: "tns:OrdersSoap" → "OrdersSoap".
func localName(qname string) string {
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}
