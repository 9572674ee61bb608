package cmdutil

import (
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// GlobalFlags are the flags every command takes (SPEC "Global flags"):
// where to connect, who signs, and how to print.
type GlobalFlags struct {
	Network         string
	RPCURLs         []string
	Signer          string
	JSON            bool
	ConfigFile      string
	NoColor         bool
	PasswordFile    string
	LedgerTransport string
	// TraceRPC prints each JSON-RPC round trip, and a summary, on stderr.
	TraceRPC bool
}

// Register adds the global flags to fs, with defaults from the environment.
func (g *GlobalFlags) Register(fs *pflag.FlagSet) {
	fs.StringVar(&g.Network, "network", os.Getenv("STAKEWALLET_NETWORK"), "network name: mainnet, hoodi, holesky, sepolia, bsc, bsc-testnet, avalanche, sonic, devnet, devnet-avalanche, devnet-sonic, or one from the config file (env STAKEWALLET_NETWORK)")
	fs.StringArrayVar(&g.RPCURLs, "rpc-url", splitEnvList("ETH_RPC_URL"), "JSON-RPC endpoint, http(s) or ws(s); repeat for failover in order (env ETH_RPC_URL, comma-separated)")
	fs.StringVar(&g.Signer, "signer", os.Getenv("STAKEWALLET_SIGNER"), "who signs: NAME, keystore:NAME|FILE, keyring:NAME, ledger[:N|:PATH] (env STAKEWALLET_SIGNER)")
	fs.BoolVar(&g.JSON, "json", false, "print exactly one JSON document on stdout")
	fs.StringVar(&g.ConfigFile, "config", os.Getenv("STAKEWALLET_CONFIG"), "config file (default <UserConfigDir>/stakewallet/config.toml; env STAKEWALLET_CONFIG)")
	fs.BoolVar(&g.NoColor, "no-color", os.Getenv("NO_COLOR") != "", "plain output (env NO_COLOR)")
	fs.StringVar(&g.PasswordFile, "password-file", os.Getenv("STAKEWALLET_PASSWORD_FILE"), "file whose first line is the keystore passphrase (env STAKEWALLET_PASSWORD_FILE)")
	ledgerDefault := os.Getenv("STAKEWALLET_LEDGER_TRANSPORT")
	if ledgerDefault == "" {
		ledgerDefault = "hid"
	}
	fs.BoolVar(&g.TraceRPC, "trace-rpc", envBool("STAKEWALLET_TRACE_RPC"), "print each JSON-RPC round trip (methods, sizes, time) and a summary on stderr (env STAKEWALLET_TRACE_RPC=1)")
	fs.StringVar(&g.LedgerTransport, "ledger-transport", ledgerDefault, "Ledger transport: hid (USB) or tcp://HOST:PORT (Speculos) (env STAKEWALLET_LEDGER_TRANSPORT)")
}

// TxFlags are the flags of commands that sign and send: only those
// commands register them, so `balance --nonce 3` is a usage error.
type TxFlags struct {
	Yes           bool
	DryRun        bool
	Timeout       time.Duration
	Confirmations uint64
	MaxFee        string // gwei
	PriorityFee   string // gwei
	GasLimit      uint64
	Nonce         int64 // -1: take the pending nonce
	// YesHighFee signs a plan whose max fee is more than 10 × the value
	// it moves (refused otherwise, even with --max-fee).
	YesHighFee bool
	// Unsigned builds, fills, simulates and previews, then writes an
	// unsigned transaction document (pkg/txdoc) instead of signing: to Out
	// (a new file, 0600), or stdout when Out is "".
	Unsigned bool
	Out      string
	// From is an account without a key (--from ADDR or ENS name), for
	// --unsigned and --dry-run only.
	From string
}

// Offline reports whether the command signs nothing: a dry run or an
// unsigned document.
func (t TxFlags) Offline() bool { return t.DryRun || t.Unsigned }

// DefaultTxFlags are the values of TxFlags when no flag is given.
func DefaultTxFlags() TxFlags {
	return TxFlags{Timeout: 5 * time.Minute, Confirmations: 1, Nonce: -1}
}

// AddTxFlags registers the transaction flags on cmd.
func AddTxFlags(cmd *cobra.Command, t *TxFlags) {
	fs := cmd.Flags()
	fs.BoolVarP(&t.Yes, "yes", "y", false, "do not ask for confirmation")
	fs.BoolVar(&t.DryRun, "dry-run", false, "build, fill and simulate; print the preview; sign and send nothing")
	fs.DurationVar(&t.Timeout, "timeout", 5*time.Minute, "how long to wait for inclusion")
	fs.Uint64Var(&t.Confirmations, "confirmations", 1, "blocks to wait for after inclusion (1 = included)")
	fs.StringVar(&t.MaxFee, "max-fee", "", "max fee per gas in gwei (default: 2 × base fee + priority fee, refused above the network's max-fee-cap)")
	fs.StringVar(&t.PriorityFee, "priority-fee", "", "priority fee per gas in gwei (default: the node's suggestion)")
	fs.Uint64Var(&t.GasLimit, "gas-limit", 0, "gas limit (default: estimate + 20%)")
	fs.Int64Var(&t.Nonce, "nonce", -1, "nonce (default: the account's pending nonce)")
	fs.BoolVar(&t.YesHighFee, "yes-high-fee", false, "sign even when the max fee is more than 10 × the value moved")
	fs.BoolVar(&t.Unsigned, "unsigned", false, "build, fill, simulate and preview, then write an unsigned transaction document (sign it with `stakewallet tx sign`) instead of signing")
	fs.StringVar(&t.Out, "out", "", "with --unsigned: write the document to `FILE` (created 0600, never overwritten) instead of stdout")
	fs.StringVar(&t.From, "from", "", "with --unsigned or --dry-run: the sending account (`ADDR` or ENS name) when no --signer holds its key")
}

// RefuseUnsigned makes cmd, which registered AddTxFlags, refuse --unsigned,
// --out and --from before it runs (exit 2), saying why: a command whose
// later transactions depend on what earlier ones did cannot be written
// down in advance.
func RefuseUnsigned(cmd *cobra.Command, why string) {
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		for _, name := range []string{"unsigned", "out", "from"} {
			if c.Flags().Changed(name) {
				return BadInputf("--%s cannot be used with %s: %s", name, c.CommandPath(), why)
			}
		}
		if prev != nil {
			return prev(c, args)
		}
		return nil
	}
}

// envBool reads a boolean environment variable: 1, true, yes or on.
func envBool(name string) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(name))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func splitEnvList(name string) []string {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
