package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/apiops"
	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

// TestApplyFaultAtEveryStep applies the full extraction (with --prune
// semantics) over an instance that holds the older sample and resources
// made by hand (so the plan creates, updates and deletes), once per step
// of the plan, each time making exactly that step fail (Plan.InjectFault):
// every apply must be refused with an error naming the step's file (its
// path for a link or a deletion), and the instance must stay exactly as
// it was: its full export before and after is the same, byte for byte.
// Every position, not a sample.
func TestApplyFaultAtEveryStep(t *testing.T) {
	t.Setenv("GATEHOUSE_SECRET_BACKEND_KEY", "k3y-from-the-environment")
	t.Setenv("EXTRACTION_STARTER_KEY", "starter-key-from-env-0001")
	ca := certtest.NewCA(t, "Extraction CA")
	t.Setenv("EXTRACTION_ROOT_CA", ca.CertPEM())
	t.Run("onto an empty instance", func(t *testing.T) {
		faultAtEveryStep(t, startServe(t, t.TempDir(), ""))
	})
	t.Run("onto a configured instance", func(t *testing.T) {
		in := startServe(t, t.TempDir(), "")
		mustCLI(t, append([]string{"apply", "--dir", "testdata/apiops"}, in.remote()...)...)
		configure(t, in, "http://127.0.0.1:9") // what the folder lacks: pruned
		faultAtEveryStep(t, in)
	})
}

// faultAtEveryStep plans the full extraction onto in and makes each step
// fail in turn; see TestApplyFaultAtEveryStep.
func faultAtEveryStep(t *testing.T, in *instance) {
	before := filepath.Join(t.TempDir(), "before")
	mustCLI(t, append([]string{"export", "--dir", before, "--include-secrets"}, in.remote()...)...)
	want := readTree(t, before)

	overrides, err := apiops.ReadOverrides("testdata/apiops-full-configuration.yaml", os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	desired, err := apiops.Read("testdata/apiops-full", apiops.ReadOptions{LookupEnv: os.LookupEnv, Overrides: overrides})
	if err != nil {
		t.Fatal(err)
	}
	rf := remoteFlags{Endpoint: "http://" + in.addrs.Mgmt, Token: in.token}
	c, err := rf.client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	current, err := apiops.Fetch(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := apiops.NewPlan(desired, current, apiops.PlanOptions{Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	n := len(plan.Steps)
	kinds := map[apiops.Action]int{}
	for _, s := range plan.Steps {
		kinds[s.Action]++
	}
	if n == 0 {
		t.Fatal("the plan is empty")
	}
	for i := range n {
		s := plan.Steps[i]
		name := s.File
		if name == "" {
			name = strings.TrimPrefix(s.Path, "/")
		}
		plan.InjectFault(i)
		err := plan.Apply(ctx, c, false)
		if err == nil {
			t.Errorf("step %d (%s %s) failed and the apply succeeded", i, s.Action, s.Path)
			break // the instance changed: the later positions would test nothing
		}
		if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("step %d (%s %s): the error does not name %s:\n%v", i, s.Action, s.Path, name, err)
		}
		after := filepath.Join(t.TempDir(), "after")
		mustCLI(t, append([]string{"export", "--dir", after, "--include-secrets"}, in.remote()...)...)
		got := readTree(t, after)
		for f, w := range want {
			if got[f] != w {
				t.Errorf("step %d (%s %s) failed, and %s changed:\n%s\n----\n%s", i, s.Action, s.Path, f, w, got[f])
			}
		}
		for f := range got {
			if _, ok := want[f]; !ok {
				t.Errorf("step %d (%s %s) failed, and %s appeared", i, s.Action, s.Path, f)
			}
		}
		if t.Failed() {
			break
		}
	}
	t.Logf("%d steps (%d creations, %d updates, %d deletions), each made to fail in turn", n, kinds[apiops.Create], kinds[apiops.Update], kinds[apiops.Delete])

	// Without a fault the same plan applies.
	plan.InjectFault(-1)
	if err := plan.Apply(ctx, c, false); err != nil {
		t.Fatalf("the plan without a fault: %v", err)
	}
}
