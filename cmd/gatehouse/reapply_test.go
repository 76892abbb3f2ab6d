package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

// TestReapplyExportIsNoChange applies a folder, exports the instance and
// applies that export back onto the same instance: the plan must be
// empty for every resource (no API, operation, policy, link or
// subscription change). An empty response description used to come back
// from export as its status text ("OK"), and an operation made by hand
// came back stamped with importedFrom: both showed as operation changes.
func TestReapplyExportIsNoChange(t *testing.T) {
	t.Setenv("GATEHOUSE_SECRET_BACKEND_KEY", "k3y-from-the-environment")
	t.Setenv("EXTRACTION_STARTER_KEY", "starter-key-from-env-0001")
	ca := certtest.NewCA(t, "Extraction CA")
	t.Setenv("EXTRACTION_ROOT_CA", ca.CertPEM())
	for _, tc := range []struct{ dir, conf string }{
		{"testdata/apiops", ""},
		{"testdata/apiops-full", "testdata/apiops-full-configuration.yaml"},
	} {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			in := startServe(t, t.TempDir(), "")
			apply := []string{"apply", "--dir", tc.dir}
			if tc.conf != "" {
				apply = append(apply, "--configuration", tc.conf)
			}
			mustCLI(t, append(apply, in.remote()...)...)
			exp := filepath.Join(t.TempDir(), "export")
			mustCLI(t, append([]string{"export", "--dir", exp, "--include-secrets"}, in.remote()...)...)
			out := mustCLI(t, append([]string{"apply", "--dir", exp, "--dry-run"}, in.remote()...)...)
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "+ ") || strings.HasPrefix(line, "~ ") || strings.HasPrefix(line, "- ") {
					t.Errorf("re-applying the export changes %s", line)
				}
			}
			expectContains(t, out, "no changes")
			if t.Failed() {
				t.Logf("plan:\n%s", out)
			}
		})
	}
	// Operations made by hand export as an OpenAPI document that imports
	// back to the same operations: the import stamps importedFrom, which
	// is no change to an operation it describes as it is.
	t.Run("made by hand", func(t *testing.T) {
		in := startServe(t, t.TempDir(), "")
		configure(t, in, "http://127.0.0.1:9")
		exp := filepath.Join(t.TempDir(), "export")
		mustCLI(t, append([]string{"export", "--dir", exp, "--include-secrets"}, in.remote()...)...)
		out := mustCLI(t, append([]string{"apply", "--dir", exp, "--dry-run"}, in.remote()...)...)
		expectContains(t, out, "no changes")
	})
}
