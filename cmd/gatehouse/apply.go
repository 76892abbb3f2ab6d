package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/internal/apiops"
	"github.com/gatehouse/gatehouse/internal/cli"
)

// applyConfig is the configuration of `gatehouse apply`.
type applyConfig struct {
	remote remoteFlags
	Dir    string
	// Configuration is the APIOps publisher's per-environment file.
	Configuration string
	DryRun        bool
	Prune         bool
	Strict        bool
	// AllowRemoteRefs lets specifications' $refs name http(s) URLs.
	AllowRemoteRefs bool
}

func newApplyCommand() *cobra.Command {
	cfg := applyConfig{}
	cmd := &cobra.Command{
		Use:   "apply --dir DIR",
		Short: "Make a management plane's configuration equal to an APIOps folder",
		Long: "apply reads a folder in APIOps's extracted-artifact layout (as `gatehouse export --dir`\n" +
			"or the APIOps extractor writes it), compares it with the management plane and makes the\n" +
			"changes, in dependency order, printing each one (+ create, ~ update, - delete), in one\n" +
			"transaction: every change is made or none is. A second apply changes nothing and says so.\n" +
			"An invalid folder, including a policy.xml or policy fragment that does not compile\n" +
			"(reported as FILE:LINE:COL: message), is refused and nothing changes. --dry-run has the\n" +
			"management plane check the whole change, compile included, and keep nothing.\n" +
			"Resources and policies the folder lacks stay unless --prune is given. --configuration\n" +
			"takes the APIOps publisher's per-environment file, so one folder goes to several\n" +
			"environments.\n" +
			"Parts that Gatehouse does not support yet (diagnostics, loggers, ...)\n" +
			"are listed as skipped; with --strict they are an error. Secret named values read their\n" +
			"value from GATEHOUSE_SECRET_<NAME> (or the ${VAR} their value names).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runApply(cmd, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Dir, "dir", "", "the folder to apply (required)")
	f.StringVar(&cfg.Configuration, "configuration", "", "the APIOps publisher's configuration file (configuration.prod.yaml): properties merged into the folder's resources for one environment; ${VAR} in its values reads the environment")
	f.BoolVar(&cfg.DryRun, "dry-run", false, "print the changes, have the management plane check them, and make none")
	f.BoolVar(&cfg.Prune, "prune", false, "delete resources the folder lacks")
	f.BoolVar(&cfg.Strict, "strict", false, "refuse a folder with parts Gatehouse does not support")
	f.BoolVar(&cfg.AllowRemoteRefs, "allow-remote-refs", false, "follow $refs to http(s) URLs in specifications (off: only the specification and files in its API's folder)")
	cfg.remote.add(cmd)
	cmd.MarkFlagRequired("dir")
	cli.BindEnv(cmd)
	return cmd
}

func runApply(cmd *cobra.Command, cfg applyConfig) error {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	var overrides *apiops.Overrides
	if cfg.Configuration != "" {
		o, err := apiops.ReadOverrides(cfg.Configuration, os.LookupEnv)
		if err != nil {
			return err
		}
		overrides = o
	}
	desired, err := apiops.Read(cfg.Dir, apiops.ReadOptions{LookupEnv: os.LookupEnv, Overrides: overrides,
		FetchRef: refFetcher(ctx, cfg.AllowRemoteRefs)})
	if err != nil {
		return err
	}
	if cfg.Strict && len(desired.Unsupported) > 0 {
		msg := "the folder has parts Gatehouse does not support yet (--strict):"
		for _, u := range desired.Unsupported {
			msg += "\n  " + u.String()
		}
		return errors.New(msg)
	}
	c, err := cfg.remote.client()
	if err != nil {
		return err
	}
	current, err := apiops.Fetch(ctx, c)
	if err != nil {
		return err
	}
	plan, err := apiops.NewPlan(desired, current, apiops.PlanOptions{Prune: cfg.Prune})
	if err != nil {
		return err
	}
	plan.Print(out)
	switch {
	case plan.Empty():
		fmt.Fprintln(out, "no changes: the management plane already matches", cfg.Dir)
		return nil
	}
	if err := plan.Apply(ctx, c, cfg.DryRun); err != nil {
		return err
	}
	if cfg.DryRun {
		fmt.Fprintf(out, "dry run: the management plane accepts these %d changes; nothing changed\n", len(plan.Steps))
		return nil
	}
	fmt.Fprintf(out, "applied %d changes\n", len(plan.Steps))
	return nil
}
