package helm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/gatehouse/gatehouse/deploy/controller"
)

// examplesDir holds the Kubernetes walkthroughs of docs/kubernetes.md.
const examplesDir = "../../examples/kubernetes"

// valuesSuffix ends the name of a values file in examplesDir: the chart's
// name comes before it, as in gatehouse-gateway.values.yaml.
const valuesSuffix = ".values.yaml"

// TestExamples renders every values file under examples/ with its chart
// (named by the file) and runs the checks of the chart's own examples but
// the golden file, and decodes every other YAML file there strictly as
// Kubernetes manifests, checking the controller's annotations on each
// Service. So the walkthroughs cannot drift from the charts.
func TestExamples(t *testing.T) {
	var files []string
	err := filepath.WalkDir(examplesDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no YAML files under %s", examplesDir)
	}
	for _, f := range files {
		name, _ := filepath.Rel(examplesDir, f)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if base := filepath.Base(f); strings.HasSuffix(base, valuesSuffix) {
				renderExample(t, strings.TrimSuffix(base, valuesSuffix), f)
				return
			}
			checkManifest(t, f)
		})
	}
}

// renderExample renders chart with the values file f and checks it.
func renderExample(t *testing.T, chart, f string) {
	t.Helper()
	if _, ok := releases[chart]; !ok {
		t.Fatalf("%s: no chart %q: name a values file <chart>%s", f, chart, valuesSuffix)
	}
	rel, err := filepath.Rel(chart, f)
	if err != nil {
		t.Fatal(err)
	}
	c := chartCase{chart: chart, values: rel}
	vals := userValues(t, c)
	r, err := render(load(t, chart), vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if err := r.decode(); err != nil {
		t.Fatalf("decode: %v", err)
	}
	checkReferences(t, r, externalNames(vals))
	checkLint(t, chart, vals)
}

// checkManifest decodes the manifest f strictly and checks the
// controller's annotations on its Services.
func checkManifest(t *testing.T, f string) {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	r := rendering{files: map[string]string{f: string(b)}}
	if err := r.decode(); err != nil {
		t.Fatal(err)
	}
	if len(r.objects) == 0 {
		t.Fatal("no objects")
	}
	for _, s := range all[corev1.Service](r) {
		if err := controller.Validate(s); err != nil {
			t.Errorf("Service %s/%s: %v", s.Namespace, s.Name, err)
		}
	}
	for _, in := range all[networkingv1.Ingress](r) {
		if err := controller.ValidateIngress(in); err != nil {
			t.Errorf("Ingress %s/%s: %v", in.Namespace, in.Name, err)
		}
	}
}
