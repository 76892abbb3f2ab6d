// Command gatehouse is the Gatehouse API management platform: the
// management plane with an embedded gateway (serve) and the CLI verbs.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/cmd/internal/buildinfo"
	"github.com/gatehouse/gatehouse/cmd/internal/selfhosted"
	"github.com/gatehouse/gatehouse/internal/cli"
)

// version and commit are set at build time with -ldflags
// "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCommand().ExecuteContext(ctx); err != nil {
		if processLog != nil { // in the log's format, as every other line
			processLog.Error("gatehouse stopped", "err", err)
		} else {
			fmt.Fprintln(os.Stderr, "gatehouse:", err)
		}
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "gatehouse",
		Short: "Gatehouse publishes your services as managed APIs",
		Long: "Gatehouse is an API management platform: a management API, an API gateway\n" +
			"enforcing subscription keys and policies, and self-hosted gateways.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildinfo.String("gatehouse", version, commit),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(newServeCommand(), selfhosted.NewCommand(version, routeLibraryLogs), newPolicyCommand(), newVersionCommand())
	root.AddCommand(newImportCommand(), newExportCommand(), newApplyCommand())
	return root
}

// processLog is the logger the command made, once it has made one.
var processLog *slog.Logger

// routeLibraryLogs makes what libraries log on their own go through log,
// so that every line is in the log's format (JSON with --log-format
// json): go-redis's messages, and anything written with the standard
// library's log package.
func routeLibraryLogs(log *slog.Logger) {
	processLog = log
	redis.SetLogger(cli.PrintfLogger{Logger: log.With("component", "redis")})
	slog.SetDefault(log)
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit and the Go release",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), buildinfo.String("gatehouse", version, commit))
			return err
		},
	}
}
