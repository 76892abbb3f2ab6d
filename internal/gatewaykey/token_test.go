package gatewaykey

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMintAndVerify(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	keys := NewKeys()
	other := NewKeys()
	good := Mint("edge-1", now.Add(24*time.Hour), keys.Secondary)
	if !strings.HasPrefix(good, "GatewayKey edge-1&202611261200&") {
		t.Fatalf("token = %q", good)
	}
	tests := []struct {
		name    string
		token   string
		gateway string
		keys    Keys
		now     time.Time
		want    error
	}{
		{"valid", good, "edge-1", keys, now, nil},
		{"valid, other case of id", good, "EDGE-1", keys, now, nil},
		{"expired", good, "edge-1", keys, now.Add(25 * time.Hour), ErrExpired},
		{"at expiry", good, "edge-1", keys, now.Add(24 * time.Hour), ErrExpired},
		{"another gateway", good, "edge-2", keys, now, ErrGateway},
		{"regenerated key", good, "edge-1", Keys{Primary: keys.Primary, Secondary: other.Secondary}, now, ErrSignature},
		{"forged expiry", strings.Replace(good, "202611261200", "202612261200", 1), "edge-1", keys, now, ErrSignature},
		{"forged gateway", strings.Replace(good, "edge-1", "edge-2", 1), "edge-2", keys, now, ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(tt.token)
			if err != nil {
				t.Fatal(err)
			}
			if err := tok.Verify(tt.gateway, tt.keys, tt.now); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	for _, s := range []string{"", "GatewayKey ", "GatewayKey a&b", "GatewayKey a&202601011200&!!", "GatewayKey &202601011200&AAAA",
		"GatewayKey a&2026010112&" + strings.Repeat("A", 88), "GatewayKey a&202613011200&" + strings.Repeat("A", 88), "Bearer x"} {
		if _, err := Parse(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", s, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Mint("gw", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), []byte("k")))
	f.Add("GatewayKey a&202601011200&AAAA")
	f.Add("a&b&c")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v is not ErrMalformed", err)
			}
			return
		}
		if tok.Verify(tok.Gateway, Keys{Primary: []byte("k")}, time.Time{}) == nil && Mint(tok.Gateway, tok.Expiry, []byte("k")) != Prefix+strings.TrimPrefix(strings.TrimSpace(s), Prefix) {
			t.Fatalf("a token verified that Mint would not make: %q", s)
		}
	})
}
