package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/compile"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/policy/builtin"
)

func newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Work with policy documents"}
	cmd.AddCommand(newPolicyCheckCommand())
	return cmd
}

func newPolicyCheckCommand() *cobra.Command {
	var namedValues []string
	var fragmentsDir string
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Check policy documents; print FILE:LINE:COL: message for each problem",
		Long: "check parses and compiles each <policies> document (or <fragment>, by its root) the\n" +
			"way the management API does when it is saved. It exits 0 when every file is\n" +
			"valid and 1 otherwise. Named values used as {{name}} may be given with\n" +
			"--named-value name=value; any other {{name}} is accepted as it is, and so is\n" +
			"any backend-id and certificate, which the management plane checks when the\n" +
			"policy is saved. Fragments are read from --fragments DIR (DIR/<id>.xml).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			env := policy.Env{NamedValues: map[string]string{}, AnyNamedValue: true, AnyCertificate: true, AnyBackend: true}
			for _, nv := range namedValues {
				k, v, ok := strings.Cut(nv, "=")
				if !ok {
					return fmt.Errorf("--named-value %q: want name=value", nv)
				}
				env.NamedValues[strings.ToLower(k)] = v
			}
			fragments, err := readFragments(fragmentsDir)
			if err != nil {
				return err
			}
			reg := builtin.NewRegistry()
			bad := 0
			for _, f := range files {
				for _, problem := range checkPolicyFile(reg, env, fragments, f) {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s:%s\n", f, problem)
					bad++
				}
			}
			if bad > 0 {
				return errPolicyInvalid
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&namedValues, "named-value", nil, "a named value, name=value (repeatable)")
	cmd.Flags().StringVar(&fragmentsDir, "fragments", "", "directory of policy fragments, <id>.xml each")
	return cmd
}

// errPolicyInvalid makes the command exit 1 after it printed the problems.
var errPolicyInvalid = errors.New("invalid policy")

func readFragments(dir string) (map[string][]*policy.Node, error) {
	out := map[string][]*policy.Node{}
	if dir == "" {
		return out, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		nodes, err := policy.ParseFragment(string(src))
		if err != nil {
			return nil, fmt.Errorf("%s:%v", f, err)
		}
		out[strings.ToLower(strings.TrimSuffix(filepath.Base(f), ".xml"))] = nodes
	}
	return out, nil
}

// checkPolicyFile returns "LINE:COL: message" for every problem in file.
func checkPolicyFile(reg *policy.Registry, env policy.Env, fragments map[string][]*policy.Node, file string) []string {
	src, err := os.ReadFile(file)
	if err != nil {
		return []string{"1:1: " + err.Error()}
	}
	var diags policy.Diagnostics
	if root, rerr := policy.ReadXML(string(src)); rerr == nil && root.Name == "fragment" {
		diags = compile.Fragment(reg, env, fragments, string(src))
	} else {
		diags = compile.Document(reg, env, fragments, string(src))
	}
	out := make([]string, len(diags))
	for i, d := range diags {
		out[i] = d.Error()
	}
	return out
}
