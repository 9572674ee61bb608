package devnetcmd

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/deploy"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/internal/devnet/models"
	lidomodel "github.com/stakewallet/stakewallet/internal/devnet/models/lido"
	devoracle "github.com/stakewallet/stakewallet/internal/devnet/oracle"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

func newOracleCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		rpcURL     string
		chainName  string
		deployment string
		locator    string
		bonding    time.Duration
		apr        float64
		once       bool
		wallClock  bool
		asJSON     bool
		keys       keyFlags
	)
	cmd := &cobra.Command{
		Use:   "oracle --rpc-url URL --bonding-period D [--chain NAME]",
		Short: "Run the model oracle of a devnet chain against a node",
		Long: `oracle moves every model of one devnet chain (--chain, default devnet) along
on any node where they are deployed, as the devnet does in-process: Lido's
reports finalize withdrawal requests older than --bonding-period and credit
rewards at --apr; the other models end their cooldowns, windows and delays,
all scaled by --bonding-period. Time is the latest block's timestamp; on
anvil, move it with evm_increaseTime followed by evm_mine. --wall-clock also
counts the wall clock, for nodes that only mine when a transaction arrives.

The models' addresses come from --deployment (the JSON "deploy --json"
printed); without it, from the devnet genesis when the node is that devnet
chain, and for Lido alone from --locator or, on a fresh node, where deploy
puts it from test account 0.

--once steps every model once; for Lido it sends one report unconditionally
(rewards since the last report; finalization of every request old enough at
the report block) and prints what it finalized.

The key defaults to whichever well-known key the deployment trusts: the
devnet oracle or one of the test accounts.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			chain, err := devnet.LookupChain(chainName)
			if err != nil {
				return usageError{err}
			}
			loc, err := parseAddress("locator", locator)
			if err != nil {
				return err
			}
			if apr < 0 {
				return usagef("--apr must not be negative")
			}
			var file *deploy.Network
			if deployment != "" {
				raw, err := os.ReadFile(deployment)
				if err != nil {
					return usagef("--deployment: %w", err)
				}
				n, err := deploy.ParseJSON(raw)
				if err != nil {
					return usagef("--deployment %s: %w", deployment, err)
				}
				file = &n
			}
			key, explicit, err := keys.key(cmd)
			if err != nil {
				return err
			}
			client, chainID, err := dial(cmd.Context(), rpcURL)
			if err != nil {
				return err
			}
			defer client.Close()

			chainModels := models.ForChain(chain.Name)
			addrs, err := modelAddresses(cmd.Context(), client, chain, chainID, chainModels, file, cmd.Flags().Changed("locator"), loc, stderr)
			if err != nil {
				return err
			}
			var ms []model.Model
			for _, m := range chainModels {
				if addrs[m.Name()] != nil {
					ms = append(ms, m)
				}
			}
			if len(ms) == 0 {
				return usagef("no model of %s to run on chain %d: pass --deployment FILE (the JSON deploy --json printed)", chain.Name, chainID)
			}
			if !explicit {
				if key, err = defaultOracleKey(cmd.Context(), client, chain, chainID, addrs, file); err != nil {
					return err
				}
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), rpcTimeout)
			sender, err := devtx.NewSender(ctx, client, key)
			cancel()
			if err != nil {
				return err
			}
			logger := newLogger(stderr, slog.LevelInfo)
			steppers, err := devoracle.Bind(cmd.Context(), ms, model.StepEnv{
				Sender:        sender,
				BondingPeriod: bonding,
				APR:           apr,
				WallClock:     wallClock,
				Logger:        logger,
			}, addrs)
			if err != nil {
				return err
			}
			if once {
				return stepOnce(cmd.Context(), stdout, steppers, asJSON)
			}
			names := make([]string, len(steppers))
			for i, s := range steppers {
				names[i] = s.Name
			}
			fmt.Fprintf(stderr, "Oracle %s running the %s models (%s) against %s (bonding period %s, APR %g%%); Ctrl-C to stop\n",
				sender.From().Hex(), chain.Name, strings.Join(names, ", "), rpcURL, bonding, apr)
			devoracle.Loop(cmd.Context(), steppers, devoracle.DefaultInterval, logger)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&rpcURL, "rpc-url", "", "JSON-RPC endpoint of the node (required)")
	f.StringVar(&chainName, "chain", devnet.DefaultChain, "devnet chain whose models to run: "+strings.Join(devnet.ChainNames(), ", "))
	f.StringVar(&deployment, "deployment", "", "file with the network entry deploy --json printed (every model's addresses)")
	f.StringVar(&locator, "locator", lido.DevnetLocator.Hex(), "LidoLocator of the deployment, printed by deploy (default: the devnet's, else test account 0's deployment on a fresh node)")
	f.Var(durationValue{&bonding}, "bonding-period", "age a request must reach before it is finalized; scales every model's waiting times (required)")
	f.Float64Var(&apr, "apr", 0, "reward rate in percent per year (0 = none)")
	f.BoolVar(&once, "once", false, "step every model once (Lido: send one report, print what it finalized) and exit")
	f.BoolVar(&wallClock, "wall-clock", false, "treat max(latest block time, now) as the current time")
	f.BoolVar(&asJSON, "json", false, "with --once: print Lido's report as JSON")
	keys.register(cmd, "test-mnemonic account index that signs the reports (0-9)")
	_ = cmd.MarkFlagRequired("rpc-url")
	_ = cmd.MarkFlagRequired("bonding-period")
	return cmd
}

// modelAddresses finds each model's addresses by role: from the deploy
// file, else the devnet genesis when the node is that devnet chain, else
// (Lido only) the locator given or found on a fresh node. A model found
// nowhere else is left out, with a note on stderr.
func modelAddresses(ctx context.Context, client *ethclient.Client, chain devnet.Chain, chainID uint64, ms []model.Model,
	file *deploy.Network, locatorGiven bool, loc common.Address, stderr io.Writer) (map[string]map[string]common.Address, error) {
	out := make(map[string]map[string]common.Address, len(ms))
	if file != nil {
		fromFile, err := file.Addresses()
		if err != nil {
			return nil, usageError{err}
		}
		for _, m := range ms {
			a, ok := fromFile[m.Name()]
			if !ok {
				return nil, usagef("--deployment has no addresses for the %s model of %s", m.Name(), chain.Name)
			}
			out[m.Name()] = a
		}
	} else if chainID == chain.ChainID {
		cg, err := devnet.GenesisFor(chain.Name)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			dep := cg.Deployments[m.Name()]
			if err := requireCode(ctx, client, dep); err != nil {
				return nil, usagef("chain %d is %s's chain id, but the %s model is not at its genesis addresses (%v): pass --deployment FILE", chainID, chain.Name, m.Name(), err)
			}
			out[m.Name()] = dep
		}
	}
	for _, m := range ms {
		if m.Name() != lido.Descriptor.Name {
			if out[m.Name()] == nil {
				// Lido alone can be found without a file: run it, say so.
				fmt.Fprintf(stderr, "Skipping the %s model: where it is on chain %d is unknown (pass --deployment FILE, the JSON deploy --json printed)\n", m.Name(), chainID)
				delete(out, m.Name())
			}
			continue
		}
		if locatorGiven {
			out[m.Name()] = map[string]common.Address{lido.RoleLocator: loc}
			continue
		}
		if out[m.Name()] != nil {
			continue
		}
		found, err := defaultLocator(ctx, client, stderr)
		if err != nil {
			return nil, err
		}
		out[m.Name()] = map[string]common.Address{lido.RoleLocator: found}
	}
	return out, nil
}

// requireCode checks that every address holds code.
func requireCode(ctx context.Context, client *ethclient.Client, addrs map[string]common.Address) error {
	ctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	for role, a := range addrs {
		code, err := client.CodeAt(ctx, a, nil)
		if err != nil {
			return fmt.Errorf("read code at %s: %w", a.Hex(), err)
		}
		if len(code) == 0 {
			return fmt.Errorf("no code for %s at %s", role, a.Hex())
		}
	}
	return nil
}

// defaultOracleKey is the well-known key the deployment trusts: Lido's
// oracle when Lido is among the models; else the oracle the deploy file
// names; else the devnet oracle on a devnet chain; else test account 0,
// deploy's default.
func defaultOracleKey(ctx context.Context, client *ethclient.Client, chain devnet.Chain, chainID uint64,
	addrs map[string]map[string]common.Address, file *deploy.Network) (*ecdsa.PrivateKey, error) {
	if l, ok := addrs[lido.Descriptor.Name]; ok {
		return trustedWellKnownKey(ctx, client, l[lido.RoleLocator])
	}
	var trusted common.Address
	switch {
	case file != nil && common.IsHexAddress(file.Oracle):
		trusted = common.HexToAddress(file.Oracle)
	case chainID == chain.ChainID:
		trusted = devkeys.Oracle().Address
	default:
		acc0, err := devkeys.TestAccount(0)
		if err != nil {
			return nil, err
		}
		trusted = acc0.Address
	}
	return wellKnownKey(trusted)
}

// stepOnce steps every model once; Lido's step is one unconditional report,
// printed.
func stepOnce(ctx context.Context, w io.Writer, steppers []devoracle.Named, asJSON bool) error {
	var rep *devoracle.Report
	for _, s := range steppers {
		if ls, ok := s.Stepper.(lidomodel.Stepper); ok {
			r, err := ls.Oracle.ReportOnce(ctx)
			if err != nil {
				return fmt.Errorf("lido: %w", err)
			}
			rep = r
			continue
		}
		if err := s.Stepper.Step(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		if !asJSON {
			fmt.Fprintf(w, "%s: stepped\n", s.Name)
		}
	}
	if rep != nil {
		return printReport(w, rep, asJSON)
	}
	return nil
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
	return wellKnownKey(trusted)
}

// wellKnownKey is the devnet oracle's or a test account's key for addr.
func wellKnownKey(addr common.Address) (*ecdsa.PrivateKey, error) {
	for _, acc := range append([]devkeys.Account{devkeys.Oracle()}, devkeys.TestAccounts()...) {
		if acc.Address == addr {
			return acc.PrivateKey, nil
		}
	}
	return nil, usagef("the oracle of this deployment is %s, not a well-known key: pass --private-key-file", addr.Hex())
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

func printReport(w io.Writer, rep *devoracle.Report, asJSON bool) error {
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
