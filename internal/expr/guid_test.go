package expr

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseGuid(t *testing.T) {
	const want = "0123abcd-4567-89ef-0123-456789abcdef"
	tests := []struct {
		name, in string
		wantOK   bool
	}{
		{name: "hyphens", in: want, wantOK: true},
		{name: "upper case", in: strings.ToUpper(want), wantOK: true},
		{name: "braces and spaces", in: " {" + want + "} ", wantOK: true},
		{name: "no hyphens", in: strings.ReplaceAll(want, "-", ""), wantOK: true},
		{name: "hyphens elsewhere", in: "0123-abcd4567-89ef-0123-456789abcdef", wantOK: true},
		{name: "too short", in: want[:35]},
		{name: "not hex", in: "g" + want[1:]},
		{name: "five hyphens", in: "0123abcd-4567-89ef-0123-456789abcde-"},
		{name: "empty", in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := ParseGuid(tt.in)
			if (err == nil) != tt.wantOK {
				t.Fatalf("ParseGuid(%q) error %v, want ok %v", tt.in, err, tt.wantOK)
			}
			if tt.wantOK && g.String() != want {
				t.Errorf("ParseGuid(%q) = %s, want %s", tt.in, g, want)
			}
		})
	}
}

// parseGuidByReplace is ParseGuid as it was written first: the hyphens
// removed, then 32 hex digits read.
func parseGuidByReplace(s string) (Guid, error) {
	var g Guid
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}")
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 || len(s) != 32 && len(s) != 36 {
		return g, fmt.Errorf("guid %q: unrecognized format", s)
	}
	for i := 0; i < 16; i++ {
		if !isHex(h[2*i]) || !isHex(h[2*i+1]) {
			return g, fmt.Errorf("guid %q: unrecognized format", s)
		}
		g[i] = byte(hexVal(h[2*i])<<4 | hexVal(h[2*i+1]))
	}
	return g, nil
}

// FuzzParseGuid: ParseGuid, which reads the digits in place, accepts and
// refuses what removing the hyphens first does, with the same Guid and
// the same message.
func FuzzParseGuid(f *testing.F) {
	for _, s := range []string{"0123abcd-4567-89ef-0123-456789abcdef", "{0123ABCD-4567-89EF-0123-456789ABCDEF}",
		"0123abcd456789ef0123456789abcdef", "--0123abcd456789ef0123456789abcd", "0123abcd-4567-89ef-0123-456789abcde-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGuid(s)
		wg, werr := parseGuidByReplace(s)
		if (err == nil) != (werr == nil) || err == nil && g != wg || err != nil && err.Error() != werr.Error() {
			t.Fatalf("ParseGuid(%q) = %v, %v; want %v, %v", s, g, err, wg, werr)
		}
	})
}
