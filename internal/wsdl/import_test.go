package wsdl

import (
	"errors"
	"os"
	"testing"
)

func TestImport(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/orders.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	api, err := Import(src)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if api.Name != "OrdersService" || api.ServiceURL != "http://orders.example.com/soap" || len(api.Operations) != 2 {
		t.Fatalf("Import = %+v", api)
	}
	op := api.Operations[0]
	if op.ID != "GetOrder" || op.Properties.Method != "POST" || op.Properties.URLTemplate != "/?soapAction=http://example.com/orders/GetOrder" {
		t.Errorf("operation = %+v", op)
	}
}

func TestImportRefusesClashingIDs(t *testing.T) {
	t.Parallel()
	src := `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">
<wsdl:binding name="B"><soap:binding/><wsdl:operation name="Get.Order"/><wsdl:operation name="Get:Order"/></wsdl:binding>
<wsdl:service name="S"><wsdl:port name="P" binding="B"/></wsdl:service></wsdl:definitions>`
	if api, err := Import([]byte(src)); !errors.Is(err, ErrInvalid) {
		t.Errorf("Import = %+v, %v; want ErrInvalid", api, err)
	}
}
