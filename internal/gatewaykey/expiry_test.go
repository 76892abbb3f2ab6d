package gatewaykey

import (
	"errors"
	"testing"
	"time"
)

func TestCheckExpiry(t *testing.T) {
	on := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // on the minute
	mid := on.Add(30 * time.Second)                      // half a minute past it
	tests := []struct {
		name        string
		now, expiry time.Time
		want        time.Time
		err         error
	}{
		{"a minute ahead", on, on.Add(time.Minute), on.Add(time.Minute), nil},
		{"59 seconds ahead", on, on.Add(59 * time.Second), on, ErrExpirySoon},
		{"a minute ahead less a nanosecond", on, on.Add(time.Minute - 1), on, ErrExpirySoon},
		{"89 seconds ahead, 30 seconds once kept to the minute", mid, mid.Add(89 * time.Second), on.Add(time.Minute), ErrExpirySoon},
		{"90 seconds ahead, a minute once kept to the minute", mid, mid.Add(90 * time.Second), on.Add(2 * time.Minute), nil},
		{"15 seconds ahead, already past once kept to the minute", mid, mid.Add(15 * time.Second), on, ErrExpirySoon},
		{"now", on, on, on, ErrExpirySoon},
		{"in the past", on, on.Add(-time.Hour), on.Add(-time.Hour), ErrExpirySoon},
		{"30 days ahead", on, on.Add(MaxLifetime), on.Add(MaxLifetime), nil},
		{"30 days and 59 seconds ahead, 30 days once kept to the minute", on, on.Add(MaxLifetime + 59*time.Second), on.Add(MaxLifetime), nil},
		{"30 days and a minute ahead", on, on.Add(MaxLifetime + time.Minute), on.Add(MaxLifetime + time.Minute), ErrExpiryLate},
		{"30 days ahead, one second after the minute", on.Add(-time.Second), on.Add(MaxLifetime), on.Add(MaxLifetime), ErrExpiryLate},
		{"another time zone", on, on.Add(time.Hour).In(time.FixedZone("CET", 3600)), on.Add(time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := CheckExpiry(tt.expiry, tt.now)
			if !got.Equal(tt.want) || got.Location() != time.UTC || !errors.Is(err, tt.err) {
				t.Errorf("CheckExpiry(%v, now %v) = %v, %v; want %v, %v", tt.expiry, tt.now, got, err, tt.want, tt.err)
			}
			if err != nil {
				return
			}
			tok, err := Parse(Mint("gw", tt.expiry, []byte("k")))
			if err != nil {
				t.Fatal(err)
			}
			if !tok.Expiry.Equal(got) {
				t.Errorf("the token minted for %v expires at %v, not %v", tt.expiry, tok.Expiry, got)
			}
			keys := Keys{Primary: []byte("k")}
			if err := tok.Verify("gw", keys, got.Add(-time.Second)); err != nil {
				t.Errorf("a second before its expiry: %v", err)
			}
			if err := tok.Verify("gw", keys, got); !errors.Is(err, ErrExpired) {
				t.Errorf("at its expiry: %v, want ErrExpired", err)
			}
		})
	}
}
