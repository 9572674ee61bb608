// Command stakewallet-devnet runs a local Ethereum dev chain with the Lido
// model contracts; see internal/devnet/devnetcmd.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/stakewallet/stakewallet/internal/devnet/devnetcmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := devnetcmd.Execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
