// Command gatehouse-gateway is the lean self-hosted gateway binary for
// container images: the `gatehouse gateway` command alone, linking no
// store, SQL driver or management code.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gatehouse/gatehouse/cmd/internal/selfhosted"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := selfhosted.NewCommand(version)
	cmd.Use = "gatehouse-gateway"
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse-gateway:", err)
		os.Exit(1)
	}
}
