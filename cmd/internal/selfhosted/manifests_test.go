package selfhosted

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/gatehouse/gatehouse/internal/gateway"
)

// TestKubernetesManifests checks the example manifests against what the
// gateway reads: the ConfigMap keys, the token variable, the probe path.
func TestKubernetesManifests(t *testing.T) {
	files, _ := filepath.Glob("../../../deploy/kubernetes/*.yaml")
	if len(files) < 2 {
		t.Fatalf("found %d manifests", len(files))
	}
	known := map[string]bool{"gateway.name": true, "config.service.endpoint": true, "config.service.auth": true}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var probe bool
		for _, doc := range bytes.Split(src, []byte("\n---\n")) {
			var obj struct {
				Kind string
				Data map[string]string
				Spec struct {
					Template struct {
						Spec struct {
							Containers []struct {
								Env            []struct{ Name string }
								ReadinessProbe struct {
									HTTPGet struct{ Path string } `json:"httpGet"`
								} `json:"readinessProbe"`
							}
						}
					}
				}
			}
			if err := yaml.Unmarshal(doc, &obj); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			switch obj.Kind {
			case "ConfigMap":
				for k := range obj.Data {
					if !known[k] {
						t.Errorf("%s: the gateway does not read ConfigMap key %q", f, k)
					}
				}
			case "Deployment":
				for _, c := range obj.Spec.Template.Spec.Containers {
					probe = c.ReadinessProbe.HTTPGet.Path == gateway.ReadinessPath
					for _, e := range c.Env {
						if !known[e.Name] && !strings.HasPrefix(e.Name, "GATEHOUSE_") {
							t.Errorf("%s: the gateway does not read variable %q", f, e.Name)
						}
					}
				}
			}
		}
		if !probe {
			t.Errorf("%s: no readiness probe on %s", f, gateway.ReadinessPath)
		}
	}
}
