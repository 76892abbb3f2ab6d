package helm

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
)

// mainModule is the root of the main module, whose binaries the charts
// run.
const mainModule = "../.."

// binaries builds gatehouse and gatehouse-gateway once per test run. They
// are built with -race where cgo is available, so that they reuse what
// the main module's `go test -race ./...` (run first by make test) has
// compiled.
var binaries = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "gatehouse-chart-bin-")
	if err != nil {
		return "", err
	}
	args := []string{"build", "-o", dir + "/"}
	if out, err := exec.Command("go", "env", "CGO_ENABLED").Output(); err == nil && strings.TrimSpace(string(out)) == "1" {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/gatehouse", "./cmd/gatehouse-gateway")...)
	cmd.Dir = mainModule
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", &buildError{err: err, out: out}
	}
	return dir, nil
})

// controllerBinary builds gatehouse-controller, of this module, once per
// test run.
var controllerBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "gatehouse-chart-bin-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", dir+"/", "./cmd/gatehouse-controller")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", &buildError{err: err, out: out}
	}
	return filepath.Join(dir, "gatehouse-controller"), nil
})

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + string(e.out) }

func binary(t *testing.T, name string) string {
	t.Helper()
	dir, err := binaries()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

var helpEnv = regexp.MustCompile(`\(env ([A-Z0-9_]+)\)`)

// readEnv returns the variables a command reads: the environment twins
// its --help names, and those that the main module's source reads by a
// literal name (os.Getenv("...") and the like), which the test confirms.
func readEnv(t *testing.T, direct []string, command ...string) map[string]bool {
	t.Helper()
	out, err := exec.Command(command[0], append(command[1:], "--help")...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s --help: %v\n%s", command, err, out)
	}
	names := map[string]bool{}
	for _, m := range helpEnv.FindAllStringSubmatch(string(out), -1) {
		names[m[1]] = true
	}
	if len(names) < 10 {
		t.Fatalf("%s --help names %d variables", command, len(names))
	}
	for _, name := range direct {
		if !sourceMentions(t, `"`+name+`"`) {
			t.Errorf("the main module does not read %s", name)
		}
		names[name] = true
	}
	return names
}

// sourceMentions reports whether a non-test Go file of the main module's
// cmd and internal trees contains s.
func sourceMentions(t *testing.T, s string) bool {
	t.Helper()
	found := false
	for _, tree := range []string{"cmd", "internal"} {
		filepath.WalkDir(filepath.Join(mainModule, tree), func(path string, d os.DirEntry, err error) error {
			if err != nil || found || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			found = err == nil && strings.Contains(string(b), s)
			return nil
		})
	}
	return found
}

// otelEnv are the OpenTelemetry variables both binaries read
// (cmd/internal/tracing).
var otelEnv = []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS",
	"OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"}

// TestChartsSetWhatTheBinariesRead: every variable a chart gives a
// container is one its binary reads (an environment twin of a flag, or a
// variable read by name, OpenTelemetry's included), in every rendering of
// both charts.
func TestChartsSetWhatTheBinariesRead(t *testing.T) {
	gatewayEnv := readEnv(t, append([]string{"GATEHOUSE_BACKUP_KEY", "config.service.endpoint", "config.service.auth", "gateway.name"}, otelEnv...),
		binary(t, "gatehouse-gateway"))
	serveEnv := readEnv(t, append([]string{"GATEHOUSE_MASTER_KEY", "GATEHOUSE_ADMIN_TOKEN"}, otelEnv...), binary(t, "gatehouse"), "serve")
	ctl, err := controllerBinary()
	if err != nil {
		t.Fatal(err)
	}
	controllerEnv := readEnv(t, nil, ctl)
	for _, tc := range []struct {
		chart, container string
		base             map[string]any
		reads            map[string]bool
	}{
		{gatewayChart, "gateway", gatewayBase, gatewayEnv},
		{planeChart, "gatehouse", planeBase, serveEnv},
		{planeChart, "controller", planeBase, controllerEnv},
	} {
		for _, c := range cases(t, tc.chart, tc.base) {
			t.Run(c.name(), func(t *testing.T) {
				r := renderOnly(t, c)
				if tc.container == "controller" && find[appsv1.Deployment](r, "gatehouse-controller") == nil {
					return
				}
				env := containerEnv(t, r, deploymentWith(t, r, tc.container), tc.container)
				for name := range env {
					if !tc.reads[name] {
						t.Errorf("the chart sets %s, which the binary does not read", name)
					}
				}
			})
		}
	}
}

// renderOnly renders and decodes a case without the other checks.
func renderOnly(t *testing.T, c chartCase) rendering {
	t.Helper()
	r, err := render(load(t, c.chart), userValues(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.decode(); err != nil {
		t.Fatal(err)
	}
	return r
}

// processEnv turns a rendered container environment into a process's,
// with paths and addresses moved to ones a test may use.
func processEnv(r rendering, env map[string]envSource, moved map[string]string) []string {
	vals := resolve(r, env)
	for k, v := range moved {
		vals[k] = v
	}
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range vals {
		out = append(out, k+"="+v)
	}
	return out
}

// TestGatewayRunsFromTheChart runs gatehouse-gateway with the environment
// the chart gives it in the APIM form (config.service.endpoint and
// config.service.auth, no gateway.name) and checks that it asks the
// configuration endpoint for the gateway its token names, with the token.
func TestGatewayRunsFromTheChart(t *testing.T) {
	r := renderOnly(t, chartCase{chart: gatewayChart, values: "examples/token.yaml"})
	env := containerEnv(t, r, deploymentWith(t, r, "gateway"), "gateway")
	type call struct{ path, auth string }
	calls := make(chan call, 16)
	plane := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case calls <- call{req.URL.Path, req.Header.Get("Authorization")}:
		default:
		}
		http.Error(w, `{"error":{"code":"Unauthorized","message":"no"}}`, http.StatusUnauthorized)
	}))
	t.Cleanup(plane.Close)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t, "gatehouse-gateway"))
	cmd.Env = processEnv(r, env, map[string]string{
		"config.service.endpoint": plane.URL,
		"GATEHOUSE_GATEWAY_HTTP":  "127.0.0.1:0",
		"GATEHOUSE_METRICS_ADDR":  "127.0.0.1:0",
		"GATEHOUSE_BACKUP":        filepath.Join(dir, "backup.json"),
	})
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	select {
	case c := <-calls:
		if !strings.HasPrefix(c.path, "/configuration/gateways/edge/") || c.auth != testToken {
			t.Errorf("the gateway called %s with %q, want gateway edge with the chart's token", c.path, c.auth)
		}
	case <-time.After(60 * time.Second):
		cancel()
		cmd.Wait()
		t.Fatalf("the gateway did not call the configuration endpoint; it logged:\n%s", logs.String())
	}
}

// TestServeRunsFromTheChart runs gatehouse serve with the environment the
// chart's defaults give it and calls the management API with the chart's
// admin token.
func TestServeRunsFromTheChart(t *testing.T) {
	r := renderOnly(t, chartCase{chart: planeChart, base: planeBase})
	env := containerEnv(t, r, deploymentWith(t, r, "gatehouse"), "gatehouse")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t, "gatehouse"), "serve")
	cmd.Env = processEnv(r, env, map[string]string{
		"GATEHOUSE_DATA":         t.TempDir(),
		"GATEHOUSE_MGMT":         "127.0.0.1:0",
		"GATEHOUSE_GATEWAY_HTTP": "127.0.0.1:0",
	})
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct{ Msg, Mgmt string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "gatehouse serving" {
				addr <- line.Mgmt
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	var mgmt string
	select {
	case mgmt = <-addr:
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start with the chart's environment")
	}
	req, _ := http.NewRequest("GET", "http://"+mgmt+"/mgmt/apis", nil)
	req.Header.Set("Authorization", "Bearer test-admin-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /mgmt/apis with the chart's admin token: %s", resp.Status)
	}
}
