package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// env is what every fault runs with: the built binary, a scratch
// directory, the services the environment offers, and the clean-ups of
// the fault running now.
type env struct {
	bin      string // the gatehouse binary
	dir      string // scratch directory, removed by the caller
	postgres string // GATEHOUSE_TEST_POSTGRES; empty: PostgreSQL rounds skipped
	short    bool   // the short form: faults last less long
	rnd      *rand.Rand
	progress io.Writer
	cleanups []func()
	seq      int
}

// tempDir returns a new directory under the scratch directory.
func (e *env) tempDir() (string, error) {
	e.seq++
	d := filepath.Join(e.dir, fmt.Sprintf("d%03d", e.seq))
	return d, os.MkdirAll(d, 0o700)
}

func (e *env) onCleanup(f func()) { e.cleanups = append(e.cleanups, f) }

// cleanup runs the clean-ups in reverse order and forgets them.
func (e *env) cleanup() {
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	e.cleanups = nil
}

func (e *env) logf(format string, args ...any) {
	if e.progress != nil {
		fmt.Fprintf(e.progress, format+"\n", args...)
	}
}

// result is the outcome of one fault.
type result struct {
	fault    string
	rounds   int
	failures []string // each failed check; none: passed
	skipped  string   // why the fault did not run; empty: it ran
	figures  []string
}

func (r *result) failf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *result) figure(format string, args ...any) {
	r.figures = append(r.figures, fmt.Sprintf(format, args...))
}

// fault is one kind of fault the suite injects.
type fault struct {
	name          string
	rounds, short int  // rounds of `make faults` and of the short form
	service       bool // a skip means a service (PostgreSQL, Redis) is missing
	run           func(ctx context.Context, e *env, rounds int, r *result)
}

// faults are the suite, in order.
var faults = []fault{
	{name: "serve kill -9 during writes (sqlite)", rounds: 10, short: 2, run: killServeSQLite},
	{name: "serve kill -9 during writes (postgres)", rounds: 10, short: 2, service: true, run: killServePostgres},
	{name: "backend hangs, resets, trickles", rounds: 10, short: 3, run: badBackends},
	{name: "redis killed, hung, restarted", rounds: 2, short: 1, service: true, run: redisOutages},
	{name: "gateway kill -9 while writing its backup", rounds: 10, short: 3, run: killGatewayBackup},
	{name: "management plane down, 2 gateways", rounds: 1, short: 1, run: planeDown},
	{name: "disk full for the data directory", rounds: 3, short: 1, run: diskFull},
	{name: "disk full for a gateway's backup", rounds: 3, short: 1, run: backupDiskFull},
}

// runFault runs f for rounds and cleans up after it.
func runFault(ctx context.Context, e *env, f fault, rounds int) result {
	r := result{fault: f.name, rounds: rounds}
	defer e.cleanup()
	e.logf("--- %s (%d rounds)", f.name, rounds)
	f.run(ctx, e, rounds, &r)
	return r
}

// buildBinary builds ./cmd/gatehouse into dir and returns its path.
func buildBinary(ctx context.Context, moduleDir, dir string) (string, error) {
	bin := filepath.Join(dir, "gatehouse")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/gatehouse")
	cmd.Dir = moduleDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/gatehouse: %w\n%s", err, out)
	}
	return bin, nil
}

// writeTable prints one row per result and returns whether every check
// passed.
func writeTable(w io.Writer, rs []result) bool {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tROUNDS\tRESULT\tFIGURES")
	ok := true
	for _, r := range rs {
		status := "ok"
		switch {
		case r.skipped != "":
			status = "skipped"
		case len(r.failures) > 0:
			status, ok = "FAIL", false
		}
		figs := strings.Join(r.figures, "; ")
		if r.skipped != "" {
			figs = r.skipped
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", r.fault, r.rounds, status, figs)
	}
	tw.Flush()
	for _, r := range rs {
		for _, f := range r.failures {
			fmt.Fprintf(w, "FAIL %s: %s\n", r.fault, f)
		}
	}
	return ok
}

// percentile returns the p-th percentile (0 < p <= 100) of ds, which it
// sorts.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(float64(len(ds))*p/100+0.999999) - 1
	return ds[max(0, min(i, len(ds)-1))]
}
