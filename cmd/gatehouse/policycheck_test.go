package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/certificate/certtest"
)

// buildGatehouse builds the gatehouse command into a temporary folder
// and returns its path.
func buildGatehouse(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gatehouse")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// checkRun is what one run of `gatehouse policy check` did.
type checkRun struct {
	exit           int
	stdout, stderr string
}

// runCheck runs `gatehouse policy check args...` in dir, with env added
// to an environment without GATEHOUSE_TOKEN.
func runCheck(t *testing.T, bin, dir string, env []string, args ...string) checkRun {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"policy", "check"}, args...)...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEHOUSE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	run := checkRun{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		run.exit = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %v: %v", args, err)
	}
	return run
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// referringPolicy refers to a named value, a secret one, two fragments
// (inside <choose> and <retry>), a backend and a certificate.
const referringPolicy = `<policies>
  <inbound>
    <base />
    <set-header name="X-Env" exists-action="override"><value>{{env-name}}</value></set-header>
    <set-header name="X-Key" exists-action="override"><value>{{api-key}}</value></set-header>
    <choose>
      <when condition="@(context.Request.Method == &quot;GET&quot;)"><include-fragment fragment-id="common" /></when>
    </choose>
    <set-backend-service backend-id="orders" />
    <authentication-certificate certificate-id="client" />
  </inbound>
  <backend>
    <retry condition="@(context.Response.StatusCode >= 500)" count="2" interval="1">
      <include-fragment fragment-id="forwarding" />
    </retry>
  </backend>
</policies>`

const (
	commonFragment     = "<fragment>\n  <set-header name=\"X-Common\" exists-action=\"override\"><value>1</value></set-header>\n</fragment>"
	forwardingFragment = "<fragment>\n  <forward-request timeout=\"20\" />\n</fragment>"
)

func TestPolicyCheckFiles(t *testing.T) {
	bin := buildGatehouse(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"policy.xml":               referringPolicy,
		"values.json":              `{"env-name": "prod", "API-Key": "k"}`,
		"no-values.json":           `{}`,
		"backends.json":            `{"orders": "http://orders.internal/v1"}`,
		"fragments/common.xml":     commonFragment,
		"fragments/forwarding.xml": forwardingFragment,
		"fragments/broken.xml":     "<fragment>\n  <set-header name=\"y\" exists-action=\"sometimes\"><value>v</value></set-header>\n</fragment>",
		"uses-broken.xml":          "<policies>\n  <inbound>\n    <choose><otherwise><include-fragment fragment-id=\"broken\" /></otherwise></choose>\n  </inbound>\n</policies>",
		"uses-broken-too.xml":      "<policies><inbound><include-fragment fragment-id=\"broken\" /></inbound></policies>",
		"bad-comment.xml":          "<policies>\n  <!-- do -- not -->\n  <inbound />\n</policies>",
		"templated.xml":            "<policies>\n  <inbound>\n    <rate-limit calls=\"{calls}\" renewal-period=\"60\" />\n  </inbound>\n</policies>",
		// APIOps's extracted-artifact layout.
		"artifacts/policy fragments/common/policy.xml":                     commonFragment,
		"artifacts/policy fragments/common/policyFragmentInformation.json": `{"properties": {"format": "rawxml"}}`,
		"artifacts/policy fragments/forwarding/policy.xml":                 forwardingFragment,
		"artifacts/named values/env/namedValueInformation.json":            `{"properties": {"displayName": "env-name", "value": "prod"}}`,
		"artifacts/named values/key/namedValueInformation.json":            `{"properties": {"displayName": "api-key", "secret": true}}`,
		"artifacts/backends/orders/backendInformation.json":                `{"properties": {"url": "http://orders.internal/v1", "protocol": "http"}}`,
		"artifacts/apis/echo/apiInformation.json":                          `{"properties": {"displayName": "Echo", "path": "echo"}}`,
		"artifacts/apis/echo/policy.xml":                                   referringPolicy,
		"artifacts/named values/README.md":                                 "not a resource folder",
	})
	const hint = "opaque reference(s) taken as written: give --named-values, --backends, --fragments or --mgmt to check them\n"
	const certWarning = `policy.xml:10:49: warning: <authentication-certificate> certificate-id: certificate "client" is opaque: not known here, not checked` + "\n"
	tests := []struct {
		name       string
		args       []string
		exit       int
		stderr     string   // the whole of stderr, when set
		stderrHas  []string // what stderr holds
		stderrLack string
		once       string // what stderr holds exactly once
	}{
		{name: "opaque references are warnings", args: []string{"policy.xml"}, exit: 0, stderr: "" +
			`policy.xml:4:62: warning: <value>: named value {{env-name}} is opaque: not known here, left as written` + "\n" +
			`policy.xml:5:62: warning: <value>: named value {{api-key}} is opaque: not known here, left as written` + "\n" +
			`policy.xml:7:101: warning: <include-fragment> fragment-id: policy fragment "common" is opaque: not known here, its elements are not checked` + "\n" +
			`policy.xml:9:38: warning: <set-backend-service> backend-id: backend "orders" is opaque: not known here, not checked` + "\n" +
			certWarning +
			`policy.xml:14:38: warning: <include-fragment> fragment-id: policy fragment "forwarding" is opaque: not known here, its elements are not checked` + "\n" +
			"6 " + hint},
		{name: "deployment placeholders are warnings", args: []string{"templated.xml"}, exit: 0, stderr: "" +
			`templated.xml:3:24: warning: <rate-limit> calls: deployment placeholder {calls} is opaque: replaced when deployed, taken here as any valid value` + "\n" +
			"1 " + hint},
		{name: "given files resolve references", args: []string{"--named-values", "values.json", "--backends", "backends.json", "--fragments", "fragments", "policy.xml"},
			exit: 0, stderr: certWarning + "1 " + hint},
		{name: "a name the given values lack is an error", args: []string{"--named-values", "no-values.json", "--named-value", "API-KEY=k", "policy.xml"}, exit: 1,
			stderrHas:  []string{"policy.xml:4:62: <value>: named value {{env-name}} does not exist", "gatehouse: invalid policy: 1 error(s), 4 warning(s)"},
			stderrLack: "{{api-key}}"},
		{name: "a backend the given backends lack is an error", args: []string{"--backends", "no-values.json", "policy.xml"}, exit: 1,
			stderrHas: []string{`policy.xml:9:38: <set-backend-service> backend-id: there is no backend "orders"`}},
		{name: "a fragment the given folder lacks is an error", args: []string{"--fragments", "artifacts", "uses-broken.xml"}, exit: 1,
			stderrHas: []string{`uses-broken.xml:3:55: <include-fragment> fragment-id: there is no policy fragment "broken"`}},
		{name: "APIOps folders", args: []string{"--named-values", "artifacts", "--backends", "artifacts", "--fragments", "artifacts", "artifacts/apis/echo/policy.xml"},
			exit: 0, stderr: "artifacts/apis/echo/" + certWarning + "1 " + hint},
		{name: "a problem in a fragment is located there", args: []string{"--fragments", "fragments", "uses-broken.xml", "policy.xml"}, exit: 1,
			stderrHas: []string{`fragments/broken.xml:2:39: <set-header> exists-action: "sometimes": want override, skip, append or delete (included at uses-broken.xml:3:55)`}},
		{name: "a problem in a fragment is told once", args: []string{"--fragments", "fragments", "uses-broken.xml", "uses-broken-too.xml"}, exit: 1,
			once: `fragments/broken.xml:2:39: <set-header> exists-action: "sometimes"`},
		{name: "a fragment checked and included is told once", args: []string{"--fragments", "fragments", "./fragments/broken.xml", "uses-broken.xml"}, exit: 1,
			once: `broken.xml:2:39: <set-header> exists-action: "sometimes"`},
		{name: "a malformed comment", args: []string{"bad-comment.xml"}, exit: 1,
			stderr: "bad-comment.xml:2:11: a comment may not contain '--' nor end with '-'\ngatehouse: invalid policy: 1 error(s), 0 warning(s)\n"},
		{name: "a file that cannot be read", args: []string{"missing.xml"}, exit: 1, stderrHas: []string{"missing.xml:1:1: open missing.xml: no such file or directory"}},
		{name: "an unknown format", args: []string{"--format", "yaml", "policy.xml"}, exit: 1, stderr: "gatehouse: --format \"yaml\": want text or json\n"},
		{name: "named values that cannot be read", args: []string{"--named-values", "nowhere.json", "policy.xml"}, exit: 1,
			stderrHas: []string{"gatehouse: --named-values: stat nowhere.json: no such file or directory"}},
		{name: "named values that are not an object", args: []string{"--named-values", "fragments/common.xml", "policy.xml"}, exit: 1,
			stderrHas: []string{"gatehouse: --named-values: fragments/common.xml: want a JSON object of names to values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCheck(t, bin, dir, nil, tt.args...)
			if r.exit != tt.exit {
				t.Errorf("exit status %d, want %d\n%s", r.exit, tt.exit, r.stderr)
			}
			if tt.stderr != "" && r.stderr != tt.stderr {
				t.Errorf("stderr:\n%s\nwant\n%s", r.stderr, tt.stderr)
			}
			for _, want := range tt.stderrHas {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if tt.stderrLack != "" && strings.Contains(r.stderr, tt.stderrLack) {
				t.Errorf("stderr holds %q:\n%s", tt.stderrLack, r.stderr)
			}
			if tt.once != "" && strings.Count(r.stderr, tt.once) != 1 {
				t.Errorf("stderr holds %q %d times:\n%s", tt.once, strings.Count(r.stderr, tt.once), r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %s", r.stdout)
			}
		})
	}
}

// checkJSON is what --format json prints.
type checkJSON struct {
	Errors, Warnings int
	Diagnostics      []struct {
		File, Element, Attribute, Path, Severity, Message string
		Line, Column                                      int
		IncludedFrom                                      *struct {
			File         string
			Line, Column int
		}
	}
}

func TestPolicyCheckJSON(t *testing.T) {
	bin := buildGatehouse(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"policy.xml":               referringPolicy,
		"bad.xml":                  "<policies>\n  <inbound>\n    <include-fragment fragment-id=\"broken\" />\n    <nope />\n  </inbound>\n</policies>",
		"fragments/broken.xml":     "<fragment>\n  <set-header name=\"y\" exists-action=\"sometimes\"><value>v</value></set-header>\n</fragment>",
		"fragments/common.xml":     commonFragment,
		"fragments/forwarding.xml": forwardingFragment,
	})
	r := runCheck(t, bin, dir, nil, "--format", "json", "policy.xml")
	var out checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.exit != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stdout %s (%v), stderr %s", r.exit, r.stdout, err, r.stderr)
	}
	if out.Errors != 0 || out.Warnings != 6 || len(out.Diagnostics) != 6 {
		t.Fatalf("counts: %+v", out)
	}
	d := out.Diagnostics[3]
	if d.File != "policy.xml" || d.Line != 9 || d.Column != 38 || d.Element != "set-backend-service" || d.Attribute != "backend-id" ||
		d.Path != "inbound/set-backend-service[1]" || d.Severity != "warning" ||
		d.Message != `<set-backend-service> backend-id: backend "orders" is opaque: not known here, not checked` {
		t.Errorf("backend warning: %+v", d)
	}

	r = runCheck(t, bin, dir, nil, "--format", "json", "--fragments", "fragments", "bad.xml", "policy.xml")
	out = checkJSON{}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.exit != 1 {
		t.Fatalf("exit %d, stdout %s (%v), stderr %s", r.exit, r.stdout, err, r.stderr)
	}
	if out.Errors != 2 || out.Warnings != 4 || len(out.Diagnostics) != 6 {
		t.Errorf("counts: %+v", out)
	}
	var inFragment, unknown bool
	for _, d := range out.Diagnostics {
		switch {
		case d.File == filepath.Join("fragments", "broken.xml"):
			inFragment = d.Severity == "error" && d.Line == 2 && d.Column == 39 && d.Element == "set-header" &&
				d.IncludedFrom != nil && d.IncludedFrom.File == "bad.xml" && d.IncludedFrom.Line == 3 && d.IncludedFrom.Column == 36
		case d.Element == "nope":
			unknown = d.File == "bad.xml" && d.Severity == "error" && d.Line == 4 && d.Column == 5 && d.Message == "<nope>: unknown or unsupported policy element"
		case d.File == "policy.xml" && d.Element == "include-fragment":
			t.Errorf("a fragment --fragments holds is not opaque: %+v", d)
		}
	}
	if !inFragment || !unknown {
		t.Errorf("diagnostics: %+v", out.Diagnostics)
	}
}

func TestPolicyCheckAgainstManagementPlane(t *testing.T) {
	bin := buildGatehouse(t)
	in := startServe(t, t.TempDir(), "")
	client := certtest.NewCA(t, "Client").Issue(t, certtest.Options{CommonName: "gatehouse-client"})
	upload, _ := json.Marshal(map[string]any{"properties": map[string]string{"data": client.PFXBase64(t, "pfx"), "password": "pfx"}})
	in.must("PUT", "/certificates/client", string(upload))
	in.must("PUT", "/namedValues/env", `{"properties": {"displayName": "env-name", "value": "prod"}}`)
	in.must("PUT", "/namedValues/key", `{"properties": {"displayName": "api-key", "value": "s3cr3t", "secret": true}}`)
	in.must("PUT", "/backends/orders", `{"properties": {"url": "http://orders.internal/v1", "protocol": "http"}}`)
	in.must("PUT", "/schemas/address", `{"properties": {"schemaType": "json", "document": {"type": "object"}}}`)
	for id, xml := range map[string]string{"common": commonFragment, "forwarding": forwardingFragment} {
		body, _ := json.Marshal(map[string]any{"properties": map[string]string{"format": "rawxml", "value": xml}})
		in.must("PUT", "/policyFragments/"+id, string(body))
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"policy.xml": referringPolicy,
		"elsewhere.xml": `<policies><inbound><set-backend-service backend-id="payments" /><include-fragment fragment-id="nope" />` +
			`<authentication-certificate thumbprint="0000" /><set-header name="x"><value>{{nobody}}</value></set-header>` +
			`<validate-content unspecified-content-type-action="ignore" max-size="10" size-exceeded-action="prevent">` +
			`<content type="application/json" validate-as="json" action="prevent" schema-id="address" />` +
			`<content type="text/json" validate-as="json" action="prevent" schema-id="nowhere" /></validate-content></inbound></policies>`,
	})
	mgmt := in.scheme + "://" + in.addrs.Mgmt
	token := []string{"GATEHOUSE_TOKEN=" + in.token}

	if r := runCheck(t, bin, dir, token, "--mgmt", mgmt, "policy.xml"); r.exit != 0 || r.stderr != "" || r.stdout != "" {
		t.Errorf("every reference exists there: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	r := runCheck(t, bin, dir, nil, "--mgmt", mgmt, "--token", in.token, "elsewhere.xml")
	for _, want := range []string{
		`elsewhere.xml:1:53: <set-backend-service> backend-id: there is no backend "payments"`,
		`elsewhere.xml:1:96: <include-fragment> fragment-id: there is no policy fragment "nope"`,
		`elsewhere.xml:1:144: <authentication-certificate> thumbprint: there is no certificate with thumbprint "0000"`,
		`elsewhere.xml:1:180: <value>: named value {{nobody}} does not exist`,
		`elsewhere.xml:1:479: <content> schema-id: schema "nowhere" does not exist`,
	} {
		if !strings.Contains(r.stderr, want+"\n") {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.exit != 1 || strings.Contains(r.stderr, ": warning: ") {
		t.Errorf("exit %d with %s", r.exit, r.stderr)
	}
	r = runCheck(t, bin, dir, []string{"GATEHOUSE_TOKEN=wrong"}, "--mgmt", mgmt, "policy.xml")
	if r.exit != 1 || !strings.Contains(r.stderr, "gatehouse: --mgmt "+mgmt+": GET /mgmt/namedValues: 401") {
		t.Errorf("a wrong token: exit %d\n%s", r.exit, r.stderr)
	}
	if r := runCheck(t, bin, dir, nil, "--mgmt", mgmt, "policy.xml"); r.exit != 1 || !strings.Contains(r.stderr, "no token: give --token or GATEHOUSE_TOKEN") {
		t.Errorf("no token: exit %d\n%s", r.exit, r.stderr)
	}
}
