package wsdl

import (
	"errors"
	"os"
	"reflect"
	"testing"
)

func TestRead(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/orders.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Read(src)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	want := &Definitions{Name: "Orders", Services: []Service{{Name: "OrdersService", Ports: []Port{{
		Name: "OrdersSoap", Address: "http://orders.example.com/soap",
		Operations: []Operation{
			{Name: "GetOrder", SOAPAction: "http://example.com/orders/GetOrder"},
			{Name: "PlaceOrder", SOAPAction: "http://example.com/orders/PlaceOrder"},
		},
	}}}}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Read = %+v\nwant %+v", d, want)
	}
}

func TestReadRefuses(t *testing.T) {
	t.Parallel()
	const ns = `xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"`
	tests := []struct{ name, src string }{
		{"not XML", `{"openapi": "3.0.1"}`},
		{"WSDL 2.0", `<description xmlns="http://www.w3.org/ns/wsdl"/>`},
		{"no service", `<wsdl:definitions ` + ns + `/>`},
		{"unknown binding", `<wsdl:definitions ` + ns + `><wsdl:service name="S"><wsdl:port name="P" binding="tns:Nope"/></wsdl:service></wsdl:definitions>`},
		{"unnamed operation", `<wsdl:definitions ` + ns + `><wsdl:binding name="B"><soap:binding/><wsdl:operation/></wsdl:binding>` +
			`<wsdl:service name="S"><wsdl:port name="P" binding="B"/></wsdl:service></wsdl:definitions>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if d, err := Read([]byte(tt.src)); !errors.Is(err, ErrInvalid) {
				t.Errorf("Read = %+v, %v; want ErrInvalid", d, err)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	if src, err := os.ReadFile("testdata/orders.wsdl"); err == nil {
		f.Add(src)
	}
	f.Add([]byte(`<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>`))
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := Read(src)
		if (d == nil) == (err == nil) {
			t.Fatalf("Read = %v, %v: want a result or an error", d, err)
		}
		if d != nil && len(d.Services) == 0 {
			t.Fatal("Read returned no services without an error")
		}
	})
}
