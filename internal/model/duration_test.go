package model

import (
	"testing"
	"time"
)

func TestParseISODuration(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"PT30S": 30 * time.Second, "PT1M": time.Minute, "PT1H": time.Hour, "P1D": 24 * time.Hour,
		"P1DT2H30M": 26*time.Hour + 30*time.Minute, "PT0.5S": 500 * time.Millisecond, "P1W": 7 * 24 * time.Hour,
		"P1Y": 365 * 24 * time.Hour, "P1M": 30 * 24 * time.Hour, "P1MT1M": 30*24*time.Hour + time.Minute,
		"PT0.05S": 50 * time.Millisecond, "PT90S": 90 * time.Second,
	} {
		got, err := ParseISODuration(s)
		if err != nil || got != want {
			t.Errorf("ParseISODuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "P", "PT", "1M", "PT1", "PTM", "PT1M1H", "P1H", "PT1.5M", "P-1D", "PT1S2", "pt1m",
		"PT.5S", "PT5.S", "P1D T1H", "P99999Y", "PT1e3S", "P1DT"} {
		if d, err := ParseISODuration(s); err == nil {
			t.Errorf("ParseISODuration(%q) = %v, want an error", s, d)
		}
	}
}

func TestFormatISODuration(t *testing.T) {
	for _, d := range []time.Duration{time.Minute, 90 * time.Second, 26*time.Hour + 30*time.Minute, 24 * time.Hour, 1500 * time.Millisecond} {
		s := FormatISODuration(d)
		back, err := ParseISODuration(s)
		if err != nil || back != d {
			t.Errorf("FormatISODuration(%v) = %q, reads back as %v, %v", d, s, back, err)
		}
	}
}

func FuzzParseISODuration(f *testing.F) {
	for _, s := range []string{"PT30S", "P1DT2H30M", "PT0.5S", "P1W", "P", "PT", "P1Y2M3W4DT5H6M7.5S", "PT1.5M", "P99999999999999999999Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISODuration(s)
		if err != nil {
			return
		}
		if d < 0 || d > maxISODuration {
			t.Fatalf("ParseISODuration(%q) = %v: out of range", s, d)
		}
		if d%time.Millisecond == 0 {
			back, err := ParseISODuration(FormatISODuration(d))
			if err != nil || back != d {
				t.Fatalf("%q → %v → %q → %v, %v", s, d, FormatISODuration(d), back, err)
			}
		}
	})
}
