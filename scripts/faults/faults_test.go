package main

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

// TestFaultsShort runs every fault of `make faults` with the few rounds
// of its short form, against a gatehouse binary built from this tree.
func TestFaultsShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills gatehouse processes; run without -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin, err := buildBinary(ctx, "../..", dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{bin: bin, dir: dir, postgres: os.Getenv("GATEHOUSE_TEST_POSTGRES"), short: true, rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))}
	for _, f := range faults {
		t.Run(strings.NewReplacer(" ", "_", ",", "").Replace(f.name), func(t *testing.T) {
			r := runFault(ctx, e, f, f.short)
			if r.skipped != "" {
				if f.service && os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
					t.Fatalf("not run, and GATEHOUSE_REQUIRE_SERVICES=1: %s", r.skipped)
				}
				t.Skip(r.skipped)
			}
			for _, f := range r.failures {
				t.Error(f)
			}
			t.Log(strings.Join(r.figures, "; "))
		})
	}
}
