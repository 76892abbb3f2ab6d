// Command gatehouse-gateway is the lean self-hosted gateway binary for
// container images: the `gatehouse gateway` command alone, linking no
// store, SQL driver or management code.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"

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
	cmd := selfhosted.NewCommand(version, routeLibraryLogs)
	cmd.Use = "gatehouse-gateway"
	cmd.Version = buildinfo.String("gatehouse-gateway", version, commit)
	cmd.SetVersionTemplate("{{.Version}}\n")
	if err := cmd.ExecuteContext(ctx); err != nil {
		if processLog != nil { // in the log's format, as every other line
			processLog.Error("gatehouse-gateway stopped", "err", err)
		} else {
			fmt.Fprintln(os.Stderr, "gatehouse-gateway:", err)
		}
		os.Exit(1)
	}
}

// processLog is the logger the command made, once it has made one.
var processLog *slog.Logger

// routeLibraryLogs makes what libraries log on their own go through log,
// so that every line is in the log's format: go-redis's messages, and
// anything written with the standard library's log package.
func routeLibraryLogs(log *slog.Logger) {
	processLog = log
	redis.SetLogger(cli.PrintfLogger{Logger: log.With("component", "redis")})
	slog.SetDefault(log)
}
