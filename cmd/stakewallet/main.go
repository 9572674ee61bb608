// Command stakewallet is a command-line liquid-staking wallet.
package main

import (
	"os"

	"github.com/stakewallet/stakewallet/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(cli.Main(version, os.Args[1:]))
}
