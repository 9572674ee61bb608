package devnetcmd

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	gethlog "github.com/ethereum/go-ethereum/log"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
)

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	cfg := devnet.Config{
		HTTPAddr:      devnet.DefaultHTTPAddr,
		BondingPeriod: devnet.DefaultBondingPeriod,
		APR:           devnet.DefaultAPR,
	}
	var logLevel string
	cmd := &cobra.Command{
		Use:   "stakewallet-devnet",
		Short: "Local Ethereum dev chain with Lido model contracts",
		Long: `stakewallet-devnet runs go-ethereum in dev mode in-process: chain id 1337,
JSON-RPC over HTTP and WebSocket on loopback, the ten accounts of the test
mnemonic funded with 10000 ETH each, the Lido model contracts (stETH, wstETH,
the unstETH withdrawal queue, the locator) at the addresses of stakewallet's
built-in "devnet" network, and an oracle that finalizes withdrawal requests
older than --bonding-period and accrues rewards at --apr.

WebSocket is served on the HTTP port (ws://127.0.0.1:8545 by default), so
--http alone moves both and a second devnet or a local geth never collides on
another port; --ws ADDR gives WebSocket a port of its own. Port 0 picks a free
port; the endpoints actually bound are printed. Every key printed is public:
never use them on a real network.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level, err := parseLevel(logLevel)
			if err != nil {
				return err
			}
			// The process-wide go-ethereum logger: this command owns the process.
			gethlog.SetDefault(gethlog.NewLogger(gethlog.NewTerminalHandlerWithLevel(stderr, level, false)))
			cfg.Logger = newLogger(stderr, min(level, slog.LevelInfo))

			d, err := devnet.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			printBanner(stdout, d)
			<-cmd.Context().Done()
			fmt.Fprintln(stdout, "Shutting down")
			return d.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.HTTPAddr, "http", cfg.HTTPAddr, "HTTP JSON-RPC listen address (loopback only; port 0 = any free port)")
	f.StringVar(&cfg.WSAddr, "ws", cfg.WSAddr, "WebSocket JSON-RPC listen address on a port of its own (loopback only; default: the HTTP port, shared)")
	f.Var(durationValue{&cfg.BondingPeriod}, "bonding-period", "age a withdrawal request must reach before the oracle finalizes it (60s, 2m, or seconds)")
	f.Float64Var(&cfg.APR, "apr", cfg.APR, "staking reward rate credited by the oracle, percent per year (0 = none)")
	f.Var(durationValue{&cfg.BlockTime}, "block-time", "block period in whole seconds; 0 mines one block per transaction")
	f.StringVar(&cfg.DataDir, "datadir", "", "keep the chain in this directory (default: in memory)")
	f.StringVar(&logLevel, "log-level", "warn", "go-ethereum log level on stderr: error, warn, info, debug")

	cmd.AddCommand(newDeployCmd(stdout, stderr), newOracleCmd(stdout, stderr))
	return cmd
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

// printBanner tells the user what is running, like anvil's start-up screen.
func printBanner(w io.Writer, d *devnet.Devnet) {
	cfg := d.Config()
	blockTime := "on demand (one block per transaction)"
	if cfg.BlockTime > 0 {
		blockTime = ((cfg.BlockTime + time.Second - 1) / time.Second * time.Second).String()
	}
	fmt.Fprintf(w, "stakewallet-devnet: go-ethereum dev mode with the Lido model\n\n")
	fmt.Fprintf(w, "Chain ID        %d\n", devnet.ChainID)
	fmt.Fprintf(w, "HTTP JSON-RPC   %s\n", d.HTTPEndpoint())
	ws := d.WSEndpoint()
	if d.WSShared() {
		ws += " (shares the HTTP port)"
	}
	fmt.Fprintf(w, "WS JSON-RPC     %s\n", ws)
	fmt.Fprintf(w, "Block time      %s\n", blockTime)
	fmt.Fprintf(w, "Bonding period  %s\n", cfg.BondingPeriod)
	fmt.Fprintf(w, "APR             %g%%\n", cfg.APR)
	if cfg.DataDir != "" {
		fmt.Fprintf(w, "Data directory  %s\n", cfg.DataDir)
	}

	fmt.Fprintf(w, "\nAccounts (10000 ETH each; mnemonic %q, path %s)\n",
		devkeys.Mnemonic, strings.Replace(devkeys.DerivationPath, "%d", "i", 1))
	for _, a := range d.Accounts() {
		fmt.Fprintf(w, "(%d) %s\n", a.Index, a.Address.Hex())
	}
	fmt.Fprintf(w, "\nPrivate keys (public test keys: never use them on a real network)\n")
	for _, a := range d.Accounts() {
		fmt.Fprintf(w, "(%d) %s\n", a.Index, a.KeyHex())
	}
	o := d.Oracle()
	fmt.Fprintf(w, "\nOracle          %s (devnet-only key %s)\n", o.Address.Hex(), o.KeyHex())

	c := d.Contracts()
	fmt.Fprintf(w, "\nLido model contracts\n")
	fmt.Fprintf(w, "stETH (Lido)            %s\n", c.StETH.Hex())
	fmt.Fprintf(w, "wstETH                  %s\n", c.WstETH.Hex())
	fmt.Fprintf(w, "WithdrawalQueueERC721   %s\n", c.WithdrawalQueue.Hex())
	fmt.Fprintf(w, "LidoLocator             %s\n", c.Locator.Hex())

	fmt.Fprintf(w, "\nstakewallet-devnet ready: http=%s ws=%s (Ctrl-C to stop)\n", d.HTTPEndpoint(), d.WSEndpoint())
}
