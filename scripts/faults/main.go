// Command faults injects the faults an operator of Gatehouse meets (a
// process killed, a backend or Redis that hangs or goes away, the
// management plane down, a full disk) into real gatehouse processes on
// loopback, checks that nothing acknowledged is lost and that each fault
// is answered as docs/operations.md says, and prints a table of the
// results. It exits with status 1 when a check fails.
//
//	go run ./scripts/faults [-short] [-rounds N] [-only substring]
//
// PostgreSQL rounds run when GATEHOUSE_TEST_POSTGRES is set; with
// GATEHOUSE_REQUIRE_SERVICES=1 a fault that cannot run is a failure.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	short := flag.Bool("short", false, "run the few rounds CI runs")
	rounds := flag.Int("rounds", 0, "rounds of each fault; 0: each fault's default")
	only := flag.String("only", "", "run only the faults whose name contains this")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, *short, *rounds, *only))
}

func run(ctx context.Context, short bool, rounds int, only string) int {
	dir, err := os.MkdirTemp("", "gatehouse-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	bin, err := buildBinary(ctx, ".", dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 2
	}
	e := &env{bin: bin, dir: dir, postgres: os.Getenv("GATEHOUSE_TEST_POSTGRES"), short: short, rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1)), progress: os.Stderr}
	var rs []result
	for _, f := range faults {
		if only != "" && !strings.Contains(f.name, only) {
			continue
		}
		n := f.rounds
		if short {
			n = f.short
		}
		if rounds > 0 {
			n = rounds
		}
		t0 := time.Now()
		r := runFault(ctx, e, f, n)
		r.figure("took %v", time.Since(t0).Round(100*time.Millisecond))
		if r.skipped != "" && f.service && os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
			r.failf("not run, and GATEHOUSE_REQUIRE_SERVICES=1: %s", r.skipped)
		}
		rs = append(rs, r)
	}
	if !writeTable(os.Stdout, rs) {
		return 1
	}
	if slices.ContainsFunc(rs, func(r result) bool { return r.skipped != "" }) {
		fmt.Println("(each skipped fault says why it did not run)")
	}
	return 0
}
