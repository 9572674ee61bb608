package devnetcmd

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	gethlog "github.com/ethereum/go-ethereum/log"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
)

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	cfg := devnet.Config{
		BondingPeriod: devnet.DefaultBondingPeriod,
		APR:           devnet.DefaultAPR,
	}
	var (
		logLevel string
		chains   = devnet.ChainNames()
	)
	cmd := &cobra.Command{
		Use:   "stakewallet-devnet",
		Short: "Local dev chains (Ethereum, Avalanche, Sonic, BNB) with staking model contracts",
		Long: `stakewallet-devnet runs one go-ethereum dev-mode node per chain, in-process:

  devnet            chain id 1337,  ETH,  http://127.0.0.1:8545
  devnet-avalanche  chain id 43112, AVAX, http://127.0.0.1:8546
  devnet-sonic      chain id 4003,  S,    http://127.0.0.1:8547
  devnet-bsc        chain id 714,   BNB,  http://127.0.0.1:8548

Each chain has the ten accounts of the test mnemonic funded with 10000 coins
each, Multicall3 at 0xcA11bde05977b3631167028862bE2a173976CA11, and the model
contracts of its protocols (Lido and ENS on devnet, …) at the addresses of
stakewallet's built-in network of the same name. An oracle per chain moves
every model along: finalizes withdrawal requests older than --bonding-period,
ends cooldowns, and accrues rewards at --apr.

--chains picks the chains (default: all). Each chain serves HTTP and
WebSocket JSON-RPC on one loopback port. Without --http each chain takes its
own port above; --http HOST:PORT puts the first chain of --chains on PORT and
the next ones on PORT+1, PORT+2, …; port 0 gives every chain a free port.
--ws ADDR gives WebSocket a port of its own and needs a single chain. The
endpoints actually bound are printed. Every key printed is public: never use
them on a real network.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level, err := parseLevel(logLevel)
			if err != nil {
				return err
			}
			cfgs, err := chainConfigs(cfg, chains, cfg.HTTPAddr)
			if err != nil {
				return err
			}
			// The process-wide go-ethereum logger: this command owns the process.
			gethlog.SetDefault(gethlog.NewLogger(gethlog.NewTerminalHandlerWithLevel(stderr, level, false)))
			logger := newLogger(stderr, min(level, slog.LevelInfo))
			for i := range cfgs {
				cfgs[i].Logger = logger
			}

			g, err := devnet.StartChains(cmd.Context(), cfgs)
			if err != nil {
				return err
			}
			printBanner(stdout, g.Devnets())
			<-cmd.Context().Done()
			fmt.Fprintln(stdout, "Shutting down")
			return g.Close()
		},
	}
	f := cmd.Flags()
	f.Var(&chainsValue{&chains}, "chains", "comma-separated chains to run, of "+strings.Join(devnet.ChainNames(), ", "))
	f.StringVar(&cfg.HTTPAddr, "http", "", "HTTP+WS JSON-RPC listen address of the first chain; the next chains take the next ports (loopback only; port 0 = a free port each; default: each chain its own port)")
	f.StringVar(&cfg.WSAddr, "ws", cfg.WSAddr, "WebSocket JSON-RPC listen address on a port of its own, for a single chain (loopback only; default: the HTTP port, shared)")
	f.Var(durationValue{&cfg.BondingPeriod}, "bonding-period", "age a withdrawal request must reach before the oracle finalizes it; scales every model's waiting times (60s, 2m, or seconds)")
	f.Float64Var(&cfg.APR, "apr", cfg.APR, "staking reward rate credited by the oracle, percent per year (0 = none)")
	f.Var(durationValue{&cfg.BlockTime}, "block-time", "block period in whole seconds; 0 mines one block per transaction")
	f.StringVar(&cfg.DataDir, "datadir", "", "keep the chains in this directory, one subdirectory per chain (default: in memory)")
	f.StringVar(&logLevel, "log-level", "warn", "go-ethereum log level on stderr: error, warn, info, debug")

	cmd.AddCommand(newDeployCmd(stdout, stderr), newOracleCmd(stdout, stderr))
	return cmd
}

// chainsValue is the --chains flag: known chain names, comma-separated, no
// repeats, at least one.
type chainsValue struct{ names *[]string }

func (v *chainsValue) String() string {
	if v.names == nil {
		return ""
	}
	return strings.Join(*v.names, ",")
}

func (v *chainsValue) Set(s string) error {
	names, err := parseChains(s)
	if err != nil {
		return err
	}
	*v.names = names
	return nil
}

func (v *chainsValue) Type() string { return "chains" }

// parseChains splits a --chains value and checks every name.
func parseChains(s string) ([]string, error) {
	var names []string
	seen := make(map[string]bool)
	for part := range strings.SplitSeq(s, ",") {
		name := strings.TrimSpace(part)
		if name == "" {
			continue
		}
		ch, err := devnet.LookupChain(name)
		if err != nil {
			return nil, err
		}
		if seen[ch.Name] {
			return nil, fmt.Errorf("chain %s given twice", ch.Name)
		}
		seen[ch.Name] = true
		names = append(names, ch.Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no chain given: choose from %s", strings.Join(devnet.ChainNames(), ", "))
	}
	return names, nil
}

// chainConfigs makes one Config per chain from the shared flags: the HTTP
// address by devnet.HTTPAddrs (httpAddr "" = each chain's default port),
// WS only for a single chain, and a data directory per chain.
func chainConfigs(base devnet.Config, chains []string, httpAddr string) ([]devnet.Config, error) {
	if base.WSAddr != "" && len(chains) > 1 {
		return nil, usagef("--ws gives one chain's WebSocket a port of its own: pick that chain with --chains (WebSocket otherwise shares each chain's HTTP port)")
	}
	addrs, err := devnet.HTTPAddrs(httpAddr, chains)
	if err != nil {
		return nil, usagef("--http: %w", err)
	}
	cfgs := make([]devnet.Config, len(chains))
	for i, name := range chains {
		c := base
		c.Chain, c.HTTPAddr = name, addrs[i]
		if base.DataDir != "" {
			c.DataDir = filepath.Join(base.DataDir, name)
		}
		cfgs[i] = c
	}
	return cfgs, nil
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "error":
		return slog.LevelError, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "info":
		return slog.LevelInfo, nil
	case "debug":
		return slog.LevelDebug, nil
	}
	return 0, usagef("--log-level %q: want error, warn, info or debug", s)
}

// printBanner tells the user what is running, like anvil's start-up
// screen: the shared settings and accounts, then each chain with its
// endpoints and contracts, and last one ready line per chain (the first
// chain's first; scripts wait for it).
func printBanner(w io.Writer, ds []*devnet.Devnet) {
	if len(ds) == 0 {
		return
	}
	cfg := ds[0].Config()
	blockTime := "on demand (one block per transaction)"
	if cfg.BlockTime > 0 {
		blockTime = ((cfg.BlockTime + time.Second - 1) / time.Second * time.Second).String()
	}
	fmt.Fprintf(w, "stakewallet-devnet: go-ethereum dev mode, %d chain(s) with staking models\n\n", len(ds))
	fmt.Fprintf(w, "Block time      %s\n", blockTime)
	fmt.Fprintf(w, "Bonding period  %s\n", cfg.BondingPeriod)
	fmt.Fprintf(w, "APR             %g%%\n", cfg.APR)
	if cfg.DataDir != "" {
		fmt.Fprintf(w, "Data directory  %s\n", filepath.Dir(cfg.DataDir))
	}

	fmt.Fprintf(w, "\nAccounts (10000 of the native coin each, on every chain; mnemonic %q, path %s)\n",
		devkeys.Mnemonic, strings.Replace(devkeys.DerivationPath, "%d", "i", 1))
	accs := ds[0].Accounts()
	for _, a := range accs {
		fmt.Fprintf(w, "(%d) %s\n", a.Index, a.Address.Hex())
	}
	fmt.Fprintf(w, "\nPrivate keys (public test keys: never use them on a real network)\n")
	for _, a := range accs {
		fmt.Fprintf(w, "(%d) %s\n", a.Index, a.KeyHex())
	}
	o := ds[0].Oracle()
	fmt.Fprintf(w, "\nOracle          %s (devnet-only key %s)\n", o.Address.Hex(), o.KeyHex())

	for _, d := range ds {
		printChain(w, d)
	}
	fmt.Fprintln(w)
	for _, d := range ds {
		fmt.Fprintf(w, "stakewallet-devnet ready: http=%s ws=%s chain=%s chain-id=%d\n", d.HTTPEndpoint(), d.WSEndpoint(), d.Chain().Name, d.Chain().ChainID)
	}
	fmt.Fprintln(w, "Ctrl-C to stop")
}

// printChain is one chain's part of the banner.
func printChain(w io.Writer, d *devnet.Devnet) {
	ch := d.Chain()
	fmt.Fprintf(w, "\n== %s ==\n", ch.Name)
	fmt.Fprintf(w, "Chain ID        %d\n", ch.ChainID)
	fmt.Fprintf(w, "Native coin     %s\n", ch.Native)
	fmt.Fprintf(w, "HTTP JSON-RPC   %s\n", d.HTTPEndpoint())
	ws := d.WSEndpoint()
	if d.WSShared() {
		ws += " (shares the HTTP port)"
	}
	fmt.Fprintf(w, "WS JSON-RPC     %s\n", ws)
	fmt.Fprintf(w, "Multicall3      %s\n", devnet.Multicall3Address.Hex())
	if ch.Name == devnet.DefaultChain {
		e := devnet.FixedENS()
		fmt.Fprintf(w, "ENS registry    %s (resolver %s)\n", e.Registry.Hex(), e.Resolver.Hex())
	}
	for _, m := range d.Models() {
		if m.Name() == "lido" {
			// The Lido contracts under their contract names, as before.
			c := d.Contracts()
			fmt.Fprintf(w, "\nLido model contracts\n")
			fmt.Fprintf(w, "stETH (Lido)            %s\n", c.StETH.Hex())
			fmt.Fprintf(w, "wstETH                  %s\n", c.WstETH.Hex())
			fmt.Fprintf(w, "WithdrawalQueueERC721   %s\n", c.WithdrawalQueue.Hex())
			fmt.Fprintf(w, "LidoLocator             %s\n", c.Locator.Hex())
			continue
		}
		dep := d.Deployment(m.Name())
		fmt.Fprintf(w, "\n%s model contracts (by role)\n", m.Name())
		for _, role := range slices.Sorted(maps.Keys(dep)) {
			fmt.Fprintf(w, "%-23s %s\n", role, dep[role].Hex())
		}
	}
}
