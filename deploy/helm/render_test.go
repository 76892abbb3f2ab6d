package helm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/lint"
	"helm.sh/helm/v4/pkg/chart/v2/lint/support"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/engine"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"
)

// kinds maps each apiVersion and kind a chart may render to its Go type.
// A kind not listed fails the test: a new kind needs a type to be checked
// against.
var kinds = map[string]func() metav1.Object{
	"v1/Namespace":                                    func() metav1.Object { return &corev1.Namespace{} },
	"v1/ConfigMap":                                    func() metav1.Object { return &corev1.ConfigMap{} },
	"v1/Secret":                                       func() metav1.Object { return &corev1.Secret{} },
	"v1/Service":                                      func() metav1.Object { return &corev1.Service{} },
	"v1/ServiceAccount":                               func() metav1.Object { return &corev1.ServiceAccount{} },
	"v1/PersistentVolumeClaim":                        func() metav1.Object { return &corev1.PersistentVolumeClaim{} },
	"apps/v1/Deployment":                              func() metav1.Object { return &appsv1.Deployment{} },
	"policy/v1/PodDisruptionBudget":                   func() metav1.Object { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler":          func() metav1.Object { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"networking.k8s.io/v1/Ingress":                    func() metav1.Object { return &networkingv1.Ingress{} },
	"gateway.networking.k8s.io/v1/HTTPRoute":          func() metav1.Object { return &gatewayv1.HTTPRoute{} },
	"monitoring.coreos.com/v1/ServiceMonitor":         func() metav1.Object { return &monitoringv1.ServiceMonitor{} },
	"rbac.authorization.k8s.io/v1/ClusterRole":        func() metav1.Object { return &rbacv1.ClusterRole{} },
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding": func() metav1.Object { return &rbacv1.ClusterRoleBinding{} },
	"rbac.authorization.k8s.io/v1/Role":               func() metav1.Object { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding":        func() metav1.Object { return &rbacv1.RoleBinding{} },
}

// A chartCase is one chart rendered with one values file.
type chartCase struct {
	chart  string // directory under deploy/helm
	values string // values file relative to the chart, or "" for the defaults
	// base holds what the defaults lack, such as a required endpoint: the
	// least a user gives with --set. Examples are rendered as they are.
	base map[string]any
}

// name is the case's name in test output and its golden file.
func (c chartCase) name() string {
	if c.values == "" {
		return c.chart + "/defaults"
	}
	return c.chart + "/" + strings.TrimSuffix(filepath.Base(c.values), filepath.Ext(c.values))
}

// golden is the path of the case's golden file.
func (c chartCase) golden() string { return filepath.Join("testdata", c.name()+".golden.yaml") }

// cases returns the defaults case of chart, with base, and one case for
// each values file in its examples folder.
func cases(t *testing.T, chartDir string, base map[string]any) []chartCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir, "examples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("%s has no examples", chartDir)
	}
	cs := []chartCase{{chart: chartDir, base: base}}
	for _, f := range files {
		rel, _ := filepath.Rel(chartDir, f)
		cs = append(cs, chartCase{chart: chartDir, values: rel})
	}
	return cs
}

// releases are the releases the charts are rendered as, by chart.
var releases = map[string]common.ReleaseOptions{
	"gatehouse-gateway": {Name: "edge", Namespace: "gatehouse", Revision: 1, IsInstall: true},
	"gatehouse":         {Name: "gatehouse", Namespace: "gatehouse", Revision: 1, IsInstall: true},
}

// A rendering is a chart's output: the files as helm template prints them,
// and the objects decoded from them.
type rendering struct {
	files   map[string]string // template path → manifest
	objects []object
	values  common.Values // the merged values, under "Values"
}

// An object is one rendered Kubernetes object.
type object struct {
	file string
	kind string // apiVersion/kind
	obj  metav1.Object
}

// load loads the chart in dir.
func load(t *testing.T, dir string) *chart.Chart {
	t.Helper()
	c, err := loader.LoadDir(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return c
}

// userValues returns the values a case gives: base, overlaid by its file.
func userValues(t *testing.T, c chartCase) map[string]any {
	t.Helper()
	vals := map[string]any{}
	if c.base != nil {
		vals = util.MergeTables(map[string]any{}, c.base)
	}
	if c.values != "" {
		fromFile, err := common.ReadValuesFile(filepath.Join(c.chart, c.values))
		if err != nil {
			t.Fatalf("%s: %v", c.values, err)
		}
		vals = util.MergeTables(fromFile.AsMap(), vals)
	}
	return vals
}

// render renders chart ch with user values vals, validated against the
// chart's schema, in strict mode (a template naming a value that does not
// exist fails).
func render(ch *chart.Chart, vals map[string]any) (rendering, error) {
	top, err := util.ToRenderValuesWithSchemaValidation(ch, vals, releases[ch.Name()], common.DefaultCapabilities, false)
	if err != nil {
		return rendering{}, err
	}
	out, err := engine.Engine{Strict: true}.Render(ch, top)
	if err != nil {
		return rendering{}, err
	}
	r := rendering{files: map[string]string{}, values: top}
	for path, text := range out {
		if strings.HasSuffix(path, "NOTES.txt") {
			continue
		}
		if strings.TrimSpace(text) != "" {
			r.files[path] = text
		}
	}
	return r, nil
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// decode decodes every object of r strictly: a field its Go type does not
// have, or a key given twice, fails.
func (r *rendering) decode() error {
	for _, path := range sortedKeys(r.files) {
		for _, doc := range docSeparator.Split(r.files[path], -1) {
			if isBlank(doc) {
				continue
			}
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			newObj, ok := kinds[head.APIVersion+"/"+head.Kind]
			if !ok {
				return fmt.Errorf("%s: no Go type for %s %s", path, head.APIVersion, head.Kind)
			}
			obj := newObj()
			if err := decodeStrict(doc, obj); err != nil {
				return fmt.Errorf("%s: %s: %w", path, head.Kind, err)
			}
			r.objects = append(r.objects, object{file: path, kind: head.APIVersion + "/" + head.Kind, obj: obj})
		}
	}
	return nil
}

// decodeStrict decodes a YAML document into obj as the API server would
// receive it: converted to JSON on its own (so 8080 stays a number where a
// string is wanted), with no key twice and no field obj does not have.
func decodeStrict(doc string, obj any) error {
	js, err := yaml.YAMLToJSONStrict([]byte(doc))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(obj); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one object in a document")
	}
	return nil
}

// isBlank reports whether a YAML document holds only comments.
func isBlank(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// manifest returns r as helm template prints it: each file under a
// "# Source:" line, in path order.
func (r rendering) manifest() []byte {
	var b bytes.Buffer
	for _, path := range sortedKeys(r.files) {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", path, strings.TrimSpace(r.files[path]))
	}
	return b.Bytes()
}

// all returns the objects of type T in r.
func all[T any](r rendering) []*T {
	var out []*T
	for _, o := range r.objects {
		if v, ok := o.obj.(any).(*T); ok {
			out = append(out, v)
		}
	}
	return out
}

// find returns the object of type T named name, or nil.
func find[T any](r rendering, name string) *T {
	for _, o := range r.objects {
		if v, ok := o.obj.(any).(*T); ok && o.obj.GetName() == name {
			return v
		}
	}
	return nil
}

// one returns the only object of type T in r.
func one[T any](t *testing.T, r rendering) *T {
	t.Helper()
	objs := all[T](r)
	if len(objs) != 1 {
		var zero T
		t.Fatalf("%d objects of type %T, want 1", len(objs), &zero)
	}
	return objs[0]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// renderCase renders, decodes and checks one case, compares it with its
// golden file, and runs helm lint's rules with its values.
func renderCase(t *testing.T, c chartCase) rendering {
	t.Helper()
	vals := userValues(t, c)
	r, err := render(load(t, c.chart), vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if err := r.decode(); err != nil {
		t.Fatalf("decode: %v", err)
	}
	checkReferences(t, r, externalNames(vals))
	checkGolden(t, c.golden(), r.manifest())
	checkLint(t, c.chart, vals)
	return r
}

// checkGolden compares got with the golden file, or rewrites the file when
// GATEHOUSE_UPDATE_GOLDEN=1.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if os.Getenv("GATEHOUSE_UPDATE_GOLDEN") == "1" {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (GATEHOUSE_UPDATE_GOLDEN=1 writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the rendered chart differs from %s (GATEHOUSE_UPDATE_GOLDEN=1 rewrites it):\n%s", golden, diff(want, got))
	}
}

// diff returns the first lines where want and got differ.
func diff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, wl, gl)
		}
	}
	return ""
}

// checkLint runs helm lint's rules (chart file, values and schema,
// templates, dependencies) on the chart with vals; a warning or an error
// fails.
func checkLint(t *testing.T, dir string, vals map[string]any) {
	t.Helper()
	l := lint.RunAll(dir, vals, releases[filepath.Base(dir)].Namespace)
	for _, m := range l.Messages {
		if m.Severity >= support.WarningSev {
			t.Errorf("helm lint: %s", m.Error())
		} else {
			t.Logf("helm lint: %s", m.Error())
		}
	}
}

// externalNames returns the names of objects the values say exist
// outside the chart: any string under a key named existingSecretName,
// existingName, secretName, caSecretName, or name under existingSecret.
func externalNames(vals map[string]any) map[string]bool {
	names := map[string]bool{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, sub := range v {
				if key == "existingSecret" && k == "name" {
					k = "existingSecretName"
				}
				walk(k, sub)
			}
		case []any:
			for _, sub := range v {
				walk(key, sub)
			}
		case string:
			switch key {
			case "existingSecretName", "existingName", "secretName", "caSecretName", "existingClaim":
				if v != "" {
					names[v] = true
				}
			}
		}
	}
	walk("", vals)
	return names
}

// TestDecodeStrict: the decoding the chart tests rely on refuses a field
// the Kubernetes type does not have, a key given twice, and a kind with no
// Go type.
func TestDecodeStrict(t *testing.T) {
	tests := map[string]string{
		"unknown field": "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  selectr: {a: b}\n",
		"duplicate key": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: x\n  a: y\n",
		"unknown kind":  "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
		"wrong type":    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  port: 8080\n",
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			r := rendering{files: map[string]string{"t.yaml": doc}}
			if err := r.decode(); err == nil {
				t.Errorf("decoded %q", doc)
			}
		})
	}
}
