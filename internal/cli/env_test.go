package cli

import (
	"io"
	"testing"

	"github.com/spf13/cobra"
)

func TestEnvTwins(t *testing.T) {
	var token, endpoint string
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	cmd.Flags().StringVar(&token, "token", "", "a secret")
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "a URL")
	SetEnvName(cmd.Flags(), "token", "GATEHOUSE_GATEWAY_TOKEN")
	SetEnvName(cmd.Flags(), "missing", "IGNORED")
	BindEnv(cmd)
	t.Setenv("GATEHOUSE_TOKEN", "the CLI's")
	t.Setenv("GATEHOUSE_GATEWAY_TOKEN", "the gateway's")
	t.Setenv("GATEHOUSE_ENDPOINT", "http://plane")
	cmd.SetArgs(nil)
	cmd.SetOut(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if token != "the gateway's" || endpoint != "http://plane" {
		t.Errorf("token %q, endpoint %q", token, endpoint)
	}
	if got := FlagEnv(cmd.Flags().Lookup("token")); got != "GATEHOUSE_GATEWAY_TOKEN" {
		t.Errorf("FlagEnv(token) = %q", got)
	}
	if u := cmd.Flags().Lookup("token").Usage; u != "a secret (env GATEHOUSE_GATEWAY_TOKEN)" {
		t.Errorf("usage %q", u)
	}
}
