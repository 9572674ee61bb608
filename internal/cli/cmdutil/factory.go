// Package cmdutil holds what every command shares: the dependency factory,
// the global and transaction flags and the exit-code errors. Commands copy
// the factory functions they need into their options struct (as gh does),
// so a test can hand a command exactly the dependencies it exercises.
package cmdutil

import (
	"context"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// Chain is the chain access commands use: reads, sends and receipts.
// *chain.Client implements it; command tests dial one to the fake node of
// internal/testutil/chaintest.
type Chain interface {
	txflow.Backend
	protocol.Backend
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
	CodeAt(ctx context.Context, account common.Address, blockNumber *big.Int) ([]byte, error)
	TransactionByHash(ctx context.Context, hash common.Hash) (*types.Transaction, bool, error)
	SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (ethereum.Subscription, error)
	// Endpoint is the URL in use (credentials redacted); Endpoints all of them.
	Endpoint() string
	Endpoints() []string
}

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
	Chain func(ctx context.Context) (Chain, error)
	// Protocol binds the named protocol ("" = the network's default) to the
	// network's addresses.
	Protocol func(ctx context.Context, name string) (protocol.Protocol, error)
	// Keys opens the key registry and backends.
	Keys func() (*keys.Store, error)
	// Account is the selected signer (--signer or the config default)
	// with its address known and its key still closed: the keystore
	// passphrase is asked, the keyring read, only at the first signature,
	// after the user confirmed. The caller closes it.
	Account func(ctx context.Context) (*signer.Lazy, error)
	// Address is the selected signer's account, found without unlocking
	// it, for read-only commands.
	Address func(ctx context.Context) (common.Address, error)
	// TraceSummary is the --trace-rpc closing line (round trips, calls,
	// bytes, time in RPC), "" when tracing is off; nil in test factories.
	TraceSummary func() string
}
