package archtest

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gatehouse/gatehouse/"

// allowed lists, per package (a prefix ending in "/..." covers its
// subpackages), the packages of this module it may import. Packages not
// listed may import nothing of ours.
var allowed = map[string][]string{
	"internal/model":               {},
	"internal/secret":              {},
	"internal/store/...":           {"internal/model", "internal/secret", "internal/store/..."},
	"internal/compile":             {"internal/model", "internal/snapshot", "internal/policy", "internal/expr"},
	"internal/control":             {"internal/model", "internal/store", "internal/configsync/source", "internal/compile", "internal/policy/...", "internal/certificate", "internal/gateway/route", "internal/gatewaykey", "internal/openapi", "internal/wsdl", "internal/wadl", "internal/graphql"},
	"internal/gateway/...":         {"internal/model", "internal/snapshot", "internal/compile", "internal/certificate", "internal/gateway/...", "internal/policy/...", "internal/expr", "internal/analytics/...", "internal/limits/...", "internal/cache", "internal/urlpath", "internal/lockout"},
	"internal/snapshot":            {},
	"internal/configsync/source":   {"internal/model", "internal/store", "internal/snapshot", "internal/compile", "internal/policy/..."},
	"internal/mgmt":                {"internal/control", "internal/model", "internal/policy/...", "internal/gatewaykey", "internal/openapi", "internal/lockout"},
	"internal/gatewaykey":          {},
	"internal/configsync":          {"internal/model", "internal/snapshot", "internal/compile", "internal/gatewaykey", "internal/secret"},
	"internal/configsync/endpoint": {"internal/configsync", "internal/configsync/source", "internal/model", "internal/store", "internal/snapshot", "internal/gatewaykey", "internal/lockout"},
	"internal/cli":                 {"internal/h1server"},
	"internal/h1server":            {"internal/urlpath"},
	"internal/heapfloor":           {},
	"internal/oidctest":            {},
	"internal/oauthtest":           {},
	"internal/otlptest":            {},
	"internal/managedidentity":     {},
	"internal/cache":               {},
	"internal/analytics":           {},
	"internal/certificate/...":     {},
	"internal/expr":                {},
	"internal/expr/dotnet":         {"internal/expr"},
	"internal/urlpath":             {},
	"internal/lockout":             {},
	"internal/policy/...":          {"internal/expr", "internal/expr/dotnet", "internal/certificate", "internal/policy/...", "internal/limits", "internal/cache", "internal/urlpath", "internal/xslt", "internal/graphql/query"},
	"internal/xslt":                {},
	"internal/graphql/query":       {},
	"internal/limits/...":          {"internal/limits/..."},
	"internal/openapi":             {"internal/model"},
	"internal/wsdl":                {"internal/model", "internal/openapi"},
	"internal/wadl":                {"internal/model", "internal/openapi"},
	"internal/graphql":             {"internal/model", "internal/openapi"},
	"internal/mgmtclient":          {},
	"internal/apiops":              {"internal/compile", "internal/model", "internal/openapi", "internal/wsdl", "internal/wadl", "internal/graphql", "internal/mgmtclient", "internal/policy/...", "internal/certificate"},
	"internal/archtest":            {},
	"cmd/...":                      {"..."},
	"scripts/...":                  {},
}

var junkNames = map[string]bool{"util": true, "utils": true, "common": true, "helpers": true, "misc": true, "types": true, "base": true}

type pkg struct {
	ImportPath   string
	Name         string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func TestImportsFollowTheDataFlow(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "github.com/gatehouse/gatehouse/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		rel := strings.TrimPrefix(p.ImportPath, module)
		if junkNames[p.Name] || junkNames[path.Base(rel)] {
			t.Errorf("package %s has a junk-drawer name", rel)
		}
		rule, ok := ruleFor(rel)
		if !ok {
			t.Errorf("package %s has no import rule in archtest; add one", rel)
			continue
		}
		for _, imp := range p.Imports {
			dep, ours := strings.CutPrefix(imp, module)
			if ours && dep != rel && !permitted(rule, dep) {
				t.Errorf("%s imports %s, which the architecture forbids", rel, dep)
			}
		}
	}
	if n < 8 {
		t.Fatalf("go list found only %d packages", n)
	}
}

// ruleFor returns the allowed imports of the most specific matching entry.
func ruleFor(rel string) ([]string, bool) {
	best, found := "", false
	var rule []string
	for k, v := range allowed {
		if matches(k, rel) && len(k) >= len(best) {
			best, rule, found = k, v, true
		}
	}
	return rule, found
}

func permitted(rule []string, dep string) bool {
	for _, r := range rule {
		if r == "..." || matches(r, dep) {
			return true
		}
	}
	return false
}

func matches(pattern, rel string) bool {
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == p || strings.HasPrefix(rel, p+"/")
	}
	return rel == pattern
}

// TestGatewayBinaryIsLean proves the self-hosted gateway binary links no
// store (not even its interfaces), SQL driver, snapshot builder,
// configuration endpoint, control layer or management code.
func TestGatewayBinaryIsLean(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"cmd/gatehouse-gateway").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list -deps found only %d packages", len(deps))
	}
	for _, dep := range deps {
		for _, banned := range []string{module + "internal/store", module + "internal/mgmt", module + "internal/control",
			module + "internal/configsync/endpoint", module + "internal/configsync/source", "modernc.org/", "github.com/jackc/pgx"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("cmd/gatehouse-gateway links %s", dep)
			}
		}
	}
}

// composition lists the calls that build a process's dependencies: they
// belong in cmd (the composition root), which hands the results down.
var composition = []string{
	"os.Getenv(", "os.LookupEnv(", "os.Environ(",
	"redis.NewClient(", "redis.NewUniversalClient(", "redis.NewFailoverClient(", "redis.NewClusterClient(",
	"limits.NewRedis(", "limits.NewClient(",
	"prometheus.NewRegistry(", "analytics.NewRegistry(",
}

// composers are the files under internal/ allowed to make those calls:
// the constructors themselves, the flag/environment twins and test helper
// packages (named *test). The composition of both programs, including the
// gateway settings they share, is under cmd/.
var composers = []string{
	"internal/limits/redis.go",      // NewClient is the Redis client constructor
	"internal/analytics/metrics.go", // NewRegistry is the registry constructor
	"internal/cli/env.go",           // flags' GATEHOUSE_* twins
}

// TestCompositionInCmd fails when a package under internal/ reads the
// environment, builds a Redis client or a metrics registry on its own.
func TestCompositionInCmd(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}} {{.ImportPath}} {{join .GoFiles \" \"}}", module+"internal/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		dir, rel := fields[0], strings.TrimPrefix(fields[1], module)
		if strings.HasSuffix(rel, "test") {
			continue
		}
		for _, name := range fields[2:] {
			file := rel + "/" + name
			if slices.ContainsFunc(composers, func(c string) bool { return file == c || strings.HasPrefix(file, c) }) {
				continue
			}
			src, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			for _, call := range composition {
				if strings.Contains(string(src), call) {
					t.Errorf("%s calls %s: build dependencies in cmd and hand them down", file, strings.TrimSuffix(call, "("))
				}
			}
		}
	}
}
