// Package cmdutil holds what every command shares: the dependency factory,
// the global flags and the exit-code errors. Commands receive a *Factory and
// call its functions lazily, so a command that needs no RPC never dials one.
package cmdutil

import (
	"context"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

// Factory builds the dependencies of commands. Each function is memoised
// by its implementation (see internal/cli/factory).
type Factory struct {
	IO    *iostreams.IOStreams
	Flags *GlobalFlags
	// Version is the build's version string.
	Version string

	// Config loads the configuration (built-in networks + config file).
	Config func() (*config.Config, error)
	// Network resolves the network selected by --network, the environment
	// or the config file's default.
	Network func() (*config.Network, error)
	// Chain dials the network's RPC endpoints (or --rpc-url) and verifies
	// the chain ID against the network.
	Chain func(ctx context.Context) (*chain.Client, error)
	// Protocol binds the named protocol ("" = the network's default) to the
	// network's addresses.
	Protocol func(ctx context.Context, name string) (protocol.Protocol, error)
	// Keys opens the key registry and backends.
	Keys func() (*keys.Store, error)
	// Signer opens the signer selected by --signer (or the config default).
	Signer func(ctx context.Context) (signer.Signer, error)
	// Address is the selected signer's account, found without unlocking
	// it, for read-only commands.
	Address func(ctx context.Context) (common.Address, error)
}
