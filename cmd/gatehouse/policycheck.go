package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/mgmtclient"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
)

func newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Work with policy documents"}
	cmd.AddCommand(newPolicyCheckCommand())
	return cmd
}

// policyCheckConfig is the configuration of `gatehouse policy check`.
type policyCheckConfig struct {
	NamedValue   []string // name=value
	NamedValues  string   // JSON file or APIOps folder
	Backends     string   // JSON file or APIOps folder
	FragmentsDir string
	Mgmt         string // management plane URL
	Token        string
	Format       string // text or json
}

func newPolicyCheckCommand() *cobra.Command {
	cfg := policyCheckConfig{}
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Check policy documents; print FILE:LINE:COL: message for each problem",
		Long: "check parses and compiles each <policies> document (or <fragment>, by its root) the\n" +
			"way the management API does when it is saved, each on its own with <base /> empty.\n" +
			"\n" +
			"A reference to something a file cannot show is opaque: a {{named value}}, a backend-id,\n" +
			"a fragment-id, a certificate-id or thumbprint. An opaque reference is taken to exist,\n" +
			"as written, and reported as a warning. It is resolved for real, and an unknown one is\n" +
			"an error, when what it names is given: --named-values FILE, --backends FILE,\n" +
			"--fragments DIR, or all of them and the certificates from a running instance with\n" +
			"--mgmt URL (and --token or GATEHOUSE_TOKEN).\n" +
			"\n" +
			"Each finding is printed to stderr as FILE:LINE:COL: message, a warning as\n" +
			"FILE:LINE:COL: warning: message; --format json prints them all to stdout as one JSON\n" +
			"object instead. The exit status is 0 when no file has an error (warnings or not),\n" +
			"1 otherwise. See docs/policy-check.md.",
		Example: "  gatehouse policy check apis/*/policy.xml\n" +
			"  gatehouse policy check --named-values nv.json --backends backends.json --fragments fragments policy.xml\n" +
			"  gatehouse policy check --fragments artifacts --named-values artifacts --backends artifacts artifacts/apis/*/policy.xml\n" +
			"  gatehouse policy check --mgmt http://localhost:8090 --format json policy.xml",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if !cmd.Flags().Changed("token") {
				cfg.Token = os.Getenv("GATEHOUSE_TOKEN")
			}
			return runPolicyCheck(cmd, cfg, files)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&cfg.NamedValue, "named-value", nil, "a named value, name=value (repeatable); other {{name}}s stay opaque")
	f.StringVar(&cfg.NamedValues, "named-values", "", "the named values that exist: a JSON object of names to values, or an APIOps folder (named values/<name>/namedValueInformation.json)")
	f.StringVar(&cfg.Backends, "backends", "", "the backends that exist: a JSON object of ids to URLs, or an APIOps folder (backends/<id>/backendInformation.json)")
	f.StringVar(&cfg.FragmentsDir, "fragments", "", "the policy fragments that exist: DIR/<id>.xml, or APIOps's DIR/<id>/policy.xml or DIR/policy fragments/<id>/policy.xml")
	f.StringVar(&cfg.Mgmt, "mgmt", "", "resolve every reference against the management plane at this URL (http://localhost:8090)")
	f.StringVar(&cfg.Token, "token", "", "management API bearer token, with --mgmt (env GATEHOUSE_TOKEN)")
	f.StringVar(&cfg.Format, "format", "text", "text or json")
	return cmd
}

// errPolicyInvalid makes the command exit 1 after it printed the problems.
var errPolicyInvalid = errors.New("invalid policy")

// checkSources is what the documents are checked against.
type checkSources struct {
	env         policy.Env
	fragments   map[string]compile.FragmentSource
	anyFragment bool
}

func runPolicyCheck(cmd *cobra.Command, cfg policyCheckConfig, files []string) error {
	if cfg.Format != "text" && cfg.Format != "json" {
		return fmt.Errorf("--format %q: want text or json", cfg.Format)
	}
	src, err := loadCheckSources(cmd, cfg)
	if err != nil {
		return err
	}
	checker := compile.NewChecker(compile.CheckOptions{Registry: builtin.NewRegistry(), Env: src.env,
		Fragments: src.fragments, AnyFragment: src.anyFragment})
	out := checkOutput{Diagnostics: []checkDiagnostic{}}
	// A fragment's findings are told once, whichever files include it,
	// and not again when the fragment is one of the files checked.
	seen := map[checkDiagnostic]bool{}
	for _, file := range files {
		for _, d := range checkPolicyFile(checker, file) {
			key := d
			key.File, key.IncludedFrom = filepath.Clean(d.File), nil
			if seen[key] && d.IncludedFrom != nil {
				continue
			}
			seen[key] = true
			out.Diagnostics = append(out.Diagnostics, d)
			if d.Severity == compile.SeverityError {
				out.Errors++
			} else {
				out.Warnings++
			}
		}
	}
	if cfg.Format == "json" {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("write the diagnostics: %w", err)
		}
	} else {
		writeCheckText(cmd.ErrOrStderr(), out)
	}
	if out.Errors > 0 {
		return fmt.Errorf("%w: %d error(s), %d warning(s)", errPolicyInvalid, out.Errors, out.Warnings)
	}
	return nil
}

// checkOutput is what --format json prints.
type checkOutput struct {
	Errors      int               `json:"errors"`
	Warnings    int               `json:"warnings"`
	Diagnostics []checkDiagnostic `json:"diagnostics"`
}

// checkDiagnostic is one finding of `policy check` as --format json
// prints it.
type checkDiagnostic struct {
	File      string           `json:"file"`
	Line      int              `json:"line"`
	Column    int              `json:"column"`
	Element   string           `json:"element,omitempty"`
	Attribute string           `json:"attribute,omitempty"`
	Path      string           `json:"path,omitempty"`
	Severity  compile.Severity `json:"severity"`
	Message   string           `json:"message"`
	// IncludedFrom is, for a finding in a fragment, where the file
	// checked (or a fragment it includes) includes that fragment.
	IncludedFrom *checkPlace `json:"includedFrom,omitempty"`
}

// checkPlace is a place in a file.
type checkPlace struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

func writeCheckText(w io.Writer, out checkOutput) {
	for _, d := range out.Diagnostics {
		prefix := ""
		if d.Severity == compile.SeverityWarning {
			prefix = "warning: "
		}
		fmt.Fprintf(w, "%s:%d:%d: %s%s", d.File, d.Line, d.Column, prefix, d.Message)
		if d.IncludedFrom != nil {
			fmt.Fprintf(w, " (included at %s:%d:%d)", d.IncludedFrom.File, d.IncludedFrom.Line, d.IncludedFrom.Column)
		}
		fmt.Fprintln(w)
	}
	if out.Warnings > 0 {
		fmt.Fprintf(w, "%d opaque reference(s) taken as written: give --named-values, --backends, --fragments or --mgmt to check them\n", out.Warnings)
	}
}

// checkPolicyFile returns the findings of one file, located in it or in
// the fragment that has them.
func checkPolicyFile(c *compile.Checker, file string) []checkDiagnostic {
	src, err := os.ReadFile(file)
	if err != nil {
		return []checkDiagnostic{{File: file, Line: 1, Column: 1, Severity: compile.SeverityError, Message: err.Error()}}
	}
	findings := c.Check(string(src))
	out := make([]checkDiagnostic, len(findings))
	where := func(source string) string {
		if source == "" {
			return file
		}
		return source
	}
	for i, f := range findings {
		out[i] = checkDiagnostic{File: where(f.Source), Line: f.Pos.Line, Column: f.Pos.Col, Element: f.Element,
			Attribute: f.Attr, Path: f.Path, Severity: f.Severity, Message: f.Message}
		if f.Via != nil {
			out[i].IncludedFrom = &checkPlace{File: where(f.Via.Resource), Line: f.Via.Line, Column: f.Via.Column}
		}
	}
	return out
}

// loadCheckSources reads what the flags give: what is given is checked
// for real, the rest is opaque.
func loadCheckSources(cmd *cobra.Command, cfg policyCheckConfig) (*checkSources, error) {
	src := &checkSources{
		env: policy.Env{NamedValues: map[string]string{}, Backends: map[string]string{}, Certificates: map[string]*policy.Certificate{},
			AnyNamedValue: true, AnyBackend: true, AnyCertificate: true, AnySchema: true, AnyPlaceholder: true},
		fragments:   map[string]compile.FragmentSource{},
		anyFragment: true,
	}
	if cfg.Mgmt != "" {
		c, err := mgmtclient.New(mgmtclient.Options{Endpoint: cfg.Mgmt, Token: cfg.Token})
		if err != nil {
			return nil, fmt.Errorf("--mgmt: %w", err)
		}
		if err := fetchCheckSources(cmd.Context(), c, cfg.Mgmt, src); err != nil {
			return nil, fmt.Errorf("--mgmt %s: %w", cfg.Mgmt, err)
		}
		src.env.AnyNamedValue, src.env.AnyBackend, src.env.AnyCertificate, src.env.AnySchema, src.anyFragment = false, false, false, false, false
	}
	if cfg.NamedValues != "" {
		if err := readNamedValues(cfg.NamedValues, src.env.NamedValues); err != nil {
			return nil, fmt.Errorf("--named-values: %w", err)
		}
		src.env.AnyNamedValue = false
	}
	for _, nv := range cfg.NamedValue {
		k, v, ok := strings.Cut(nv, "=")
		if !ok {
			return nil, fmt.Errorf("--named-value %q: want name=value", nv)
		}
		src.env.NamedValues[strings.ToLower(strings.TrimSpace(k))] = v
	}
	if cfg.Backends != "" {
		if err := readBackends(cfg.Backends, src.env.Backends); err != nil {
			return nil, fmt.Errorf("--backends: %w", err)
		}
		src.env.AnyBackend = false
	}
	if cfg.FragmentsDir != "" {
		if err := readFragments(cfg.FragmentsDir, src.fragments); err != nil {
			return nil, fmt.Errorf("--fragments: %w", err)
		}
		src.anyFragment = false
	}
	return src, nil
}
