package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Shell completion of flag values and arguments.
//
// Completion runs on every <TAB>, often before the user has decided what
// to do, so it reads local state only: the config file (networks,
// protocols and their contract addresses) and the key registry. It never
// dials an RPC endpoint, opens the OS keyring or looks for a Ledger, and
// it never prompts. Whatever goes wrong completes nothing, not even file
// names (ShellCompDirectiveNoFileComp): a shell must not print an error
// in the middle of a command line. Set BASH_COMP_DEBUG_FILE to see why.

// completionTimeout bounds an adapter's Validators call: the adapter runs
// on a backend that refuses every call, so only a local list can answer.
const completionTimeout = 2 * time.Second

// flagCompletions maps a flag name to its completion wherever it is
// defined; RegisterCompletions applies it to the whole command tree, so a
// new command taking --protocol or --token completes them without a line
// of its own.
var flagCompletions = map[string]func(f *Factory) cobra.CompletionFunc{
	"signer":    CompleteSigners,
	"network":   CompleteNetworks,
	"protocol":  CompleteProtocols,
	"token":     func(f *Factory) cobra.CompletionFunc { return CompleteTokens(f, nil) },
	"validator": CompleteValidators,
}

// RegisterCompletions registers the flag completions on root and every
// command below it: the global --signer and --network, and --protocol,
// --token and --validator wherever a command defines them. The root
// command calls it once, after adding its subcommands.
func RegisterCompletions(root *cobra.Command, f *Factory) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if complete, ok := flagCompletions[fl.Name]; ok {
				// Errors only for an unknown or already registered flag:
				// neither can happen for a command's own flag, visited once.
				_ = c.RegisterFlagCompletionFunc(fl.Name, safe(complete(f)))
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// CompletePositional completes the i-th argument with funcs[i]; arguments
// without a function (nil, or past the end) complete to nothing.
func CompletePositional(funcs ...cobra.CompletionFunc) cobra.CompletionFunc {
	return safe(func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) >= len(funcs) || funcs[len(args)] == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return funcs[len(args)](cmd, args, toComplete)
	})
}

// CompleteSigners offers the key registry's names, with backend and
// address, and "ledger". It reads the registry file only: no keystore is
// decrypted, the keyring is not asked, no Ledger is looked for.
func CompleteSigners(f *Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		out, err := keyNames(f)
		if err != nil {
			return failed("--signer", err)
		}
		out = append(out, cobra.CompletionWithDesc("ledger", "Ledger Live account 0 (ledger:N for account N)"))
		return filter(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteKeyNames offers the names in the key registry, for `keys show`,
// `keys delete` and `keys export`.
func CompleteKeyNames(f *Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		out, err := keyNames(f)
		if err != nil {
			return failed("a key name", err)
		}
		return filter(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// keyNames reads registry.json, and nothing else, for its names.
func keyNames(f *Factory) ([]cobra.Completion, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	// A store of its own, without prompter, keyring or Ledger backend:
	// Entries reads registry.json and nothing else.
	store, err := keys.Open(keys.Options{Dir: cfg.KeysDir()})
	if err != nil {
		return nil, err
	}
	entries, err := store.Entries()
	if err != nil {
		return nil, err
	}
	out := make([]cobra.Completion, 0, len(entries))
	for _, e := range entries {
		out = append(out, cobra.CompletionWithDesc(e.Name, e.Backend+" "+e.Address.Hex()))
	}
	return out, nil
}

// CompleteNetworks offers the built-in networks and the config file's.
func CompleteNetworks(f *Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, err := f.Config()
		if err != nil {
			return failed("--network", err)
		}
		var out []cobra.Completion
		for _, n := range cfg.Networks() {
			out = append(out, cobra.CompletionWithDesc(n.Name, fmt.Sprintf("chain ID %d", n.ChainID)))
		}
		return filter(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteProtocols offers the protocols deployed on the selected network.
func CompleteProtocols(f *Factory) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, n, err := network(f)
		if err != nil {
			return failed("--protocol", err)
		}
		var out []cobra.Completion
		for _, name := range sortedProtocols(n) {
			p, err := bindOffline(cfg, n, name)
			if err != nil {
				continue
			}
			out = append(out, cobra.CompletionWithDesc(name, p.DisplayName()))
		}
		return filter(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// Transferable keeps the tokens transfer can move: ERC-20s their contract
// lets change hands.
func Transferable(t protocol.Token) bool { return !t.NotTransferable }

// CompleteTokens offers token symbols from the adapters' Tokens (fixed per
// deployment: no chain read), the native coin left out, keep (nil = every
// token) applied. A command with a --protocol flag gets that protocol's
// tokens (the network's default when unset); one without gets every
// protocol's on the network.
func CompleteTokens(f *Factory, keep func(protocol.Token) bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, n, err := network(f)
		if err != nil {
			return failed("token", err)
		}
		names := sortedProtocols(n)
		if cmd.Flags().Lookup("protocol") != nil {
			names = []string{selectedProtocol(cmd, n)}
		}
		var out []cobra.Completion
		seen := map[string]bool{}
		for _, name := range names {
			p, err := bindOffline(cfg, n, name)
			if err != nil {
				continue
			}
			for _, t := range p.Tokens() {
				if t.IsNative() || (keep != nil && !keep(t)) || seen[t.Symbol] {
					continue
				}
				seen[t.Symbol] = true
				out = append(out, cobra.CompletionWithDesc(output.Safe(t.Symbol), fmt.Sprintf("%s %s token %s", p.DisplayName(), t.Role, t.Address.Hex())))
			}
		}
		return filter(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteValidators offers the validators of the selected protocol
// (--protocol, or the network's default) when its adapter has the
// Validators capability. The adapter runs on a backend that refuses every
// call: an adapter that knows its validators without the chain answers,
// one that must read them completes nothing rather than reach the network.
func CompleteValidators(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		cfg, n, err := network(f)
		if err != nil {
			return failed("--validator", err)
		}
		p, err := bindOffline(cfg, n, selectedProtocol(cmd, n))
		if err != nil {
			return failed("--validator", err)
		}
		vp, ok := p.(protocol.Validators)
		if !ok {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		ctx, cancel := context.WithTimeout(ctx, completionTimeout)
		defer cancel()
		vals, err := vp.Validators(ctx)
		if err != nil {
			return failed("--validator", err)
		}
		var out []cobra.Completion
		for _, v := range vals {
			// The moniker is read from the chain: a newline or tab in it
			// would forge completions, an escape would reach the terminal.
			out = append(out, cobra.CompletionWithDesc(v.ID, output.Safe(v.Moniker)))
		}
		return filter(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// network is the config and the network selected by --network, the
// environment or the config file's default.
func network(f *Factory) (*config.Config, *config.Network, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, nil, err
	}
	n, err := f.Network()
	if err != nil {
		return nil, nil, err
	}
	return cfg, n, nil
}

// selectedProtocol is cmd's --protocol, or the network's default.
func selectedProtocol(cmd *cobra.Command, n *config.Network) string {
	if fl := cmd.Flags().Lookup("protocol"); fl != nil && fl.Value.String() != "" {
		return fl.Value.String()
	}
	return n.DefaultProtocol
}

func sortedProtocols(n *config.Network) []string {
	names := make([]string, 0, len(n.Protocols))
	for name := range n.Protocols {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// bindOffline binds a protocol to n's addresses over offlineBackend:
// Descriptor.New must not touch the chain, and whatever the adapter tries
// later fails instead of dialing.
func bindOffline(cfg *config.Config, n *config.Network, name string) (protocol.Protocol, error) {
	d, ok := cfg.Protocol(name)
	if !ok {
		return nil, fmt.Errorf("unknown protocol %q", name)
	}
	addrs, ok := n.Protocols[name]
	if !ok {
		return nil, fmt.Errorf("protocol %s has no contracts on network %s", name, n.Name)
	}
	return d.New(protocol.Env{Network: n.Name, Addresses: addrs, Backend: offlineBackend{}, Native: n.Native()})
}

// errOffline is what an adapter gets when it tries to read the chain
// during completion.
var errOffline = errors.New("shell completion does not read the chain")

// offlineBackend is a protocol.Backend that refuses every call.
type offlineBackend struct{}

func (offlineBackend) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return nil, errOffline
}

func (offlineBackend) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errOffline
}

func (offlineBackend) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errOffline
}

// filter keeps the completions starting with prefix, ignoring case (the
// shells filter too; fish and zsh may match case-insensitively).
func filter(cs []cobra.Completion, prefix string) []cobra.Completion {
	var out []cobra.Completion
	for _, c := range cs {
		value, _, _ := strings.Cut(c, "\t")
		if strings.HasPrefix(strings.ToLower(value), strings.ToLower(prefix)) {
			out = append(out, c)
		}
	}
	return out
}

// failed completes nothing and leaves the reason in cobra's debug log
// (BASH_COMP_DEBUG_FILE), never on the terminal.
func failed(what string, err error) ([]cobra.Completion, cobra.ShellCompDirective) {
	cobra.CompDebugln(fmt.Sprintf("stakewallet: cannot complete %s: %v", what, err), false)
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// safe turns a panic in a completion (an adapter's bug) into no completion.
func safe(fn cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) (out []cobra.Completion, dir cobra.ShellCompDirective) {
		defer func() {
			if r := recover(); r != nil {
				out, dir = failed("this", fmt.Errorf("panic: %v", r))
			}
		}()
		return fn(cmd, args, toComplete)
	}
}
