package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// EnvName returns the environment twin of a flag: --gateway-http is
// GATEHOUSE_GATEWAY_HTTP.
func EnvName(flag string) string {
	return "GATEHOUSE_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// BindEnv gives every flag of cmd its GATEHOUSE_* twin: a flag not set on
// the command line takes the variable's value when it is set. It also
// names the variable in the flag's help. Call it after defining the flags.
func BindEnv(cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		f.Usage += " (env " + EnvName(f.Name) + ")"
	})
	prev := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		var err error
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			v, ok := os.LookupEnv(EnvName(f.Name))
			if err != nil || f.Changed || !ok {
				return
			}
			if serr := cmd.Flags().Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", EnvName(f.Name), v, serr)
			}
		})
		if err == nil && prev != nil {
			err = prev(cmd, args)
		}
		return err
	}
}
