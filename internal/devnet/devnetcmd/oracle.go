package devnetcmd

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/oracle"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

func newOracleCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		rpcURL    string
		locator   string
		bonding   time.Duration
		apr       float64
		once      bool
		wallClock bool
		asJSON    bool
		keys      keyFlags
	)
	cmd := &cobra.Command{
		Use:   "oracle --rpc-url URL --bonding-period D",
		Short: "Run the model oracle against a node",
		Long: `oracle finalizes withdrawal requests older than --bonding-period and credits
rewards at --apr, on any node where the model is deployed (the devnet runs
the same loop in-process). Time is the latest block's timestamp; on anvil,
move it with evm_increaseTime followed by evm_mine. --wall-clock also counts
the wall clock, for nodes that only mine when a transaction arrives.

--once sends a single report (rewards since the last report; finalization of
every request old enough at the report block) and prints what it finalized.

The key defaults to whichever well-known key the deployment trusts: the
devnet oracle or one of the test accounts.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			loc, err := parseAddress("locator", locator)
			if err != nil {
				return err
			}
			if apr < 0 {
				return usagef("--apr must not be negative")
			}
			key, explicit, err := keys.key(cmd)
			if err != nil {
				return err
			}
			client, _, err := dial(cmd.Context(), rpcURL)
			if err != nil {
				return err
			}
			defer client.Close()
			if !cmd.Flags().Changed("locator") {
				if loc, err = defaultLocator(cmd.Context(), client, stderr); err != nil {
					return err
				}
			}
			if !explicit {
				if key, err = trustedWellKnownKey(cmd.Context(), client, loc); err != nil {
					return err
				}
			}
			orc, err := oracle.New(cmd.Context(), client, key, loc, oracle.Config{
				BondingPeriod: bonding,
				APR:           apr,
				WallClock:     wallClock,
				Logger:        newLogger(stderr, slog.LevelInfo),
			})
			if err != nil {
				return err
			}
			if once {
				rep, err := orc.ReportOnce(cmd.Context())
				if err != nil {
					return err
				}
				return printReport(stdout, rep, asJSON)
			}
			fmt.Fprintf(stderr, "Oracle %s running against %s (bonding period %s, APR %g%%); Ctrl-C to stop\n",
				crypto.PubkeyToAddress(key.PublicKey).Hex(), rpcURL, bonding, apr)
			return orc.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&rpcURL, "rpc-url", "", "JSON-RPC endpoint of the node (required)")
	f.StringVar(&locator, "locator", lido.DevnetLocator.Hex(), "LidoLocator of the deployment, printed by deploy (default: the devnet's, else test account 0's deployment on a fresh node)")
	f.Var(durationValue{&bonding}, "bonding-period", "age a request must reach before it is finalized (required)")
	f.Float64Var(&apr, "apr", 0, "reward rate in percent per year (0 = none)")
	f.BoolVar(&once, "once", false, "send one report, print what it finalized, and exit")
	f.BoolVar(&wallClock, "wall-clock", false, "treat max(latest block time, now) as the current time")
	f.BoolVar(&asJSON, "json", false, "with --once: print the report as JSON")
	keys.register(cmd, "test-mnemonic account index that signs the reports (0-9)")
	_ = cmd.MarkFlagRequired("rpc-url")
	_ = cmd.MarkFlagRequired("bonding-period")
	return cmd
}

// defaultLocator finds the model without --locator: the devnet's fixed
// address, or else where `deploy` puts it on a fresh node (test account 0's
// first five transactions, the locator being the fourth contract).
func defaultLocator(ctx context.Context, client *ethclient.Client, stderr io.Writer) (common.Address, error) {
	ctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	acc0, err := devkeys.TestAccount(0)
	if err != nil {
		return common.Address{}, err
	}
	fresh := crypto.CreateAddress(acc0.Address, 3)
	for _, loc := range []common.Address{lido.DevnetLocator, fresh} {
		code, err := client.CodeAt(ctx, loc, nil)
		if err != nil {
			return common.Address{}, fmt.Errorf("read code at %s: %w", loc.Hex(), err)
		}
		if len(code) > 0 {
			if loc != lido.DevnetLocator {
				fmt.Fprintf(stderr, "Using the locator deployed by test account 0 on a fresh node: %s\n", loc.Hex())
			}
			return loc, nil
		}
	}
	return common.Address{}, usagef("no model contracts at the devnet locator %s: pass --locator (deploy prints it)", lido.DevnetLocator.Hex())
}

// trustedWellKnownKey returns the devnet oracle's or a test account's key,
// whichever the deployment's Lido trusts.
func trustedWellKnownKey(ctx context.Context, client *ethclient.Client, locator common.Address) (*ecdsa.PrivateKey, error) {
	ctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	lidoAddr, err := devtx.CallAddress(ctx, client, &contracts.Locator().ABI, locator, "lido")
	if err != nil {
		return nil, fmt.Errorf("is the model deployed at locator %s? %w", locator.Hex(), err)
	}
	trusted, err := devtx.CallAddress(ctx, client, &contracts.Lido().ABI, lidoAddr, "getOracle")
	if err != nil {
		return nil, err
	}
	for _, acc := range append([]devkeys.Account{devkeys.Oracle()}, devkeys.TestAccounts()...) {
		if acc.Address == trusted {
			return acc.PrivateKey, nil
		}
	}
	return nil, usagef("the oracle of this deployment is %s, not a well-known key: pass --private-key-file", trusted.Hex())
}

// reportJSON is the --once --json output.
type reportJSON struct {
	TxHash           string  `json:"txHash"`
	BlockNumber      uint64  `json:"blockNumber"`
	Timestamp        string  `json:"timestamp"`
	Rewards          string  `json:"rewards"`
	FinalizedFrom    *uint64 `json:"finalizedFrom"`
	FinalizedTo      *uint64 `json:"finalizedTo"`
	EthLocked        string  `json:"ethLocked"`
	SharesBurnt      string  `json:"sharesBurnt"`
	TotalPooledEther string  `json:"totalPooledEther"`
	TotalShares      string  `json:"totalShares"`
}

func printReport(w io.Writer, rep *oracle.Report, asJSON bool) error {
	if asJSON {
		out := reportJSON{
			TxHash:           rep.TxHash.Hex(),
			BlockNumber:      rep.BlockNumber,
			Timestamp:        time.Unix(int64(rep.Timestamp), 0).UTC().Format(time.RFC3339),
			Rewards:          bigString(rep.Rewards),
			EthLocked:        bigString(rep.EthLocked),
			SharesBurnt:      bigString(rep.SharesBurnt),
			TotalPooledEther: bigString(rep.TotalPooledEther),
			TotalShares:      bigString(rep.TotalShares),
		}
		if rep.Finalized() {
			out.FinalizedFrom, out.FinalizedTo = &rep.FinalizedFrom, &rep.FinalizedTo
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if rep.Finalized() {
		fmt.Fprintf(w, "finalized requests %d..%d: %s wei locked, %s shares burnt\n",
			rep.FinalizedFrom, rep.FinalizedTo, bigString(rep.EthLocked), bigString(rep.SharesBurnt))
	} else {
		fmt.Fprintln(w, "finalized nothing")
	}
	fmt.Fprintf(w, "rewards %s wei; tx %s in block %d\n", bigString(rep.Rewards), rep.TxHash.Hex(), rep.BlockNumber)
	return nil
}

func bigString(v *big.Int) string {
	if v == nil {
		return "0"
	}
	return v.String()
}

func testKey(i int) (*ecdsa.PrivateKey, error) {
	acc, err := devkeys.TestAccount(i)
	if err != nil {
		return nil, usageError{err}
	}
	return acc.PrivateKey, nil
}
