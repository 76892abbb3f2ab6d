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

// envAnnotation is the flag annotation that holds a twin named by
// SetEnvName.
const envAnnotation = "gatehouse-env"

// SetEnvName makes env, rather than EnvName(flag), the environment twin of
// the flag called flag in fs, for a secret whose flag shares its name with
// another command's: the self-hosted gateway's --token is
// GATEHOUSE_GATEWAY_TOKEN, so that the CLI's GATEHOUSE_TOKEN is never sent
// to a configuration endpoint. Call it before BindEnv. It does nothing
// when fs has no such flag.
func SetEnvName(fs *pflag.FlagSet, flag, env string) {
	fs.SetAnnotation(flag, envAnnotation, []string{env}) // fails only for a missing flag
}

// FlagEnv returns the environment twin of f: the name given to
// SetEnvName, else EnvName(f.Name).
func FlagEnv(f *pflag.Flag) string {
	if v := f.Annotations[envAnnotation]; len(v) == 1 {
		return v[0]
	}
	return EnvName(f.Name)
}

// BindEnv gives every flag of cmd its GATEHOUSE_* twin (FlagEnv): a flag
// not set on the command line takes the variable's value when it is set.
// It also names the variable in the flag's help. Call it after defining
// the flags.
func BindEnv(cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		f.Usage += " (env " + FlagEnv(f) + ")"
	})
	prev := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		var err error
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			v, ok := os.LookupEnv(FlagEnv(f))
			if err != nil || f.Changed || !ok {
				return
			}
			if serr := cmd.Flags().Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", FlagEnv(f), v, serr)
			}
		})
		if err == nil && prev != nil {
			err = prev(cmd, args)
		}
		return err
	}
}
