package urlpath

import (
	"net/url"
	"testing"
)

// FuzzPlain: a path Plain takes is one url.URL's EscapedPath writes as
// it is; the seeds hold both answers.
func FuzzPlain(f *testing.F) {
	for _, p := range []string{"/", "/shop/orders/42", "/a;b=c/d:e@f", "/a b", "/a%20b", "/a#b", "/a?b", "/ü", ""} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if Plain(p) {
			if got := (&url.URL{Path: p}).EscapedPath(); got != p {
				t.Fatalf("Plain(%q), but EscapedPath writes %q", p, got)
			}
		}
	})
}

func TestPlain(t *testing.T) {
	for p, want := range map[string]bool{"/shop/orders/42": true, "/a;b=c/d:e@f~$&+,": true, "/a b": false, "/a%20b": false, "/a#b": false, "/ü": false} {
		if got := Plain(p); got != want {
			t.Errorf("Plain(%q) = %v, want %v", p, got, want)
		}
	}
}
