package urlpath

import (
	"errors"
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, path, want string
		err              error
	}{
		{name: "empty", path: "", want: ""},
		{name: "root", path: "/", want: "/"},
		{name: "plain", path: "/docs/a/b", want: "/docs/a/b"},
		{name: "other escapes kept", path: "/docs/a%20b/%41", want: "/docs/a%20b/%41"},
		{name: "dot", path: "/docs/./b", want: "/docs/b"},
		{name: "trailing dot", path: "/docs/a/.", want: "/docs/a/"},
		{name: "dot dot", path: "/docs/a/../b", want: "/docs/b"},
		{name: "trailing dot dot", path: "/docs/a/b/..", want: "/docs/a/"},
		{name: "dot dot to root", path: "/docs/..", want: "/"},
		{name: "dot dot above root", path: "/docs/../../x", err: ErrAboveRoot},
		{name: "dot dot at root", path: "/../x", err: ErrAboveRoot},
		{name: "encoded dot dot", path: "/docs/a/%2e%2e/b", want: "/docs/b"},
		{name: "encoded dot dot, upper case", path: "/docs/a/%2E%2E/b", want: "/docs/b"},
		{name: "half encoded dot dot", path: "/docs/a/%2E./b", want: "/docs/b"},
		{name: "other half encoded", path: "/docs/a/.%2e/b", want: "/docs/b"},
		{name: "encoded dot", path: "/docs/%2e/b", want: "/docs/b"},
		{name: "encoded dot dot above root", path: "/%2e%2e/%2E%2E/etc/passwd", err: ErrAboveRoot},
		{name: "three dots are a name", path: "/docs/.../b", want: "/docs/.../b"},
		{name: "dots in a name", path: "/docs/a..b/.x/..y", want: "/docs/a..b/.x/..y"},
		{name: "encoded three dots are a name", path: "/docs/%2e%2e%2e", want: "/docs/%2e%2e%2e"},
		{name: "dot dot then encoded slash", path: "/pub/..%2f..%2fadmin", err: ErrSeparator},
		{name: "encoded slash, upper case", path: "/pub/a%2Fb", err: ErrSeparator},
		{name: "dot dot backslash", path: `/pub/..\..\admin`, err: ErrSeparator},
		{name: "encoded backslash", path: "/pub/..%5c..%5Cadmin", err: ErrSeparator},
		{name: "double slash kept", path: "/docs//a", want: "/docs//a"},
		{name: "double slash at the start kept", path: "//docs/a", want: "//docs/a"},
		{name: "double slash is a segment for dot dot", path: "/docs//../a", want: "/docs/a"},
		{name: "double slash cannot help climb", path: "/docs/..//../..", err: ErrAboveRoot},
		{name: "empty segments climb back to root", path: "//..", want: "/"},
		{name: "trailing encoded NUL", path: "/docs/a%00", err: ErrControl},
		{name: "encoded NUL in a dot segment", path: "/docs/.%00./x", err: ErrControl},
		{name: "literal NUL", path: "/docs/a\x00", err: ErrControl},
		{name: "encoded newline", path: "/docs/a%0d%0aSet-Cookie:x", err: ErrControl},
		{name: "encoded DEL", path: "/docs/%7f", err: ErrControl},
		{name: "literal tab", path: "/docs/a\tb", err: ErrControl},
		{name: "invalid escape", path: "/docs/%zz", err: ErrEscape},
		{name: "truncated escape", path: "/docs/%2", err: ErrEscape},
		{name: "relative", path: "docs/a", err: ErrNotAbsolute},
		{name: "asterisk", path: "*", err: ErrNotAbsolute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Clean(tt.path)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("Clean(%q) = %q, %v; want %q, %v", tt.path, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestCleanDecoded(t *testing.T) {
	tests := []struct {
		name, path, want string
		err              error
	}{
		{name: "plain", path: "/v2/items/42", want: "/v2/items/42"},
		{name: "dot dot inside", path: "/v2/items/../orders", want: "/v2/orders"},
		{name: "dot dot above root", path: "/items/../../admin", err: ErrAboveRoot},
		{name: "percent is a character", path: "/items/%2e%2e/x", want: "/items/%2e%2e/x"},
		{name: "percent anywhere", path: "/items/100%", want: "/items/100%"},
		{name: "backslash", path: `/items/..\admin`, err: ErrSeparator},
		{name: "NUL", path: "/items/a\x00", err: ErrControl},
		{name: "double slash kept", path: "/items//x", want: "/items//x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CleanDecoded(tt.path)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("CleanDecoded(%q) = %q, %v; want %q, %v", tt.path, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestCleanDoesNotAllocateWithoutDots(t *testing.T) {
	p := "/shop/orders/42/lines%20x"
	if n := testing.AllocsPerRun(100, func() { Clean(p) }); n != 0 {
		t.Errorf("Clean allocates %v times for a path without dot segments", n)
	}
}

// FuzzClean checks that Clean never panics, that what it returns has no
// dot segments, begins as its input did and is returned unchanged by a
// second Clean, and that a path without dot segments is kept as it is.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"/", "/docs/a/../b", "/docs/%2e%2e/x", "/%2E./x", "/pub/..%2f..%2fadmin", `/a/..\b`,
		"/docs//../a", "/a%00", "/a/./b/.", "//..", "/a/%2e%2e%2e", "/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		for _, encoded := range []bool{true, false} {
			got, err := clean(p, encoded)
			if err != nil {
				if got != "" {
					t.Fatalf("clean(%q, %v) = %q with error %v", p, encoded, got, err)
				}
				continue
			}
			if p != "" && !strings.HasPrefix(got, "/") {
				t.Fatalf("clean(%q, %v) = %q: not absolute", p, encoded, got)
			}
			for _, seg := range strings.Split(got, "/") {
				if dotSegment(seg, encoded) != 0 {
					t.Fatalf("clean(%q, %v) = %q: a dot segment is left", p, encoded, got)
				}
			}
			if again, err := clean(got, encoded); again != got || err != nil {
				t.Fatalf("clean(%q, %v) = %q, but clean(%q) = %q, %v", p, encoded, got, got, again, err)
			}
			dots := false
			for _, seg := range strings.Split(p, "/") {
				dots = dots || dotSegment(seg, encoded) != 0
			}
			if !dots && got != p {
				t.Fatalf("clean(%q, %v) = %q: changed a path without dot segments", p, encoded, got)
			}
		}
	})
}
