package devnetcmd

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/deploy"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/models"
)

// deployTimeout bounds the whole deployment (every model's transactions).
const deployTimeout = 5 * time.Minute

func newDeployCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		rpcURL     string
		oracleFlag string
		name       string
		chainName  string
		asJSON     bool
		keys       keyFlags
	)
	cmd := &cobra.Command{
		Use:   "deploy --rpc-url URL [--chain NAME]",
		Short: "Deploy a devnet chain's model contracts onto a running node",
		Long: `deploy sends the model contracts of one devnet chain (--chain, default devnet:
Lido, …; devnet-avalanche: sAVAX; devnet-sonic: SFC and stS — whichever models
are built in) to a running node, from a funded account (test account 0 unless
--from-index or --private-key-file says otherwise). For Lido that is five
transactions: Lido with a 1 ETH bootstrap deposit, WstETH,
WithdrawalQueueERC721, LidoLocator, and Lido.initialize. --oracle is the
account every model trusts with its admin calls (default: the deployer); run
"stakewallet-devnet oracle" with that account's key to move the models along.

Multicall3 is left alone when the node has code at its canonical address
0xcA11bde05977b3631167028862bE2a173976CA11; otherwise it is placed there with
anvil_setCode (anvil, hardhat), or, on other nodes, deployed at a new address.

It prints the network entry for stakewallet's config file (TOML, or JSON with
--json, which "oracle --deployment" reads back) on stdout; progress goes to
stderr.`,
		Example: `  anvil &
  stakewallet-devnet deploy --rpc-url http://127.0.0.1:8545 --name anvil >> ~/.config/stakewallet/config.toml
  anvil --port 9545 --chain-id 43112 &
  stakewallet-devnet deploy --chain devnet-avalanche --rpc-url http://127.0.0.1:9545 --name anvil-avax --json > avax.json`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			chain, err := devnet.LookupChain(chainName)
			if err != nil {
				return usageError{err}
			}
			key, _, err := keys.key(cmd)
			if err != nil {
				return err
			}
			if key == nil { // default: test account 0
				if key, err = testKey(0); err != nil {
					return err
				}
			}
			oracle := crypto.PubkeyToAddress(key.PublicKey)
			if oracleFlag != "" {
				if oracle, err = parseAddress("oracle", oracleFlag); err != nil {
					return err
				}
			}
			if err := deploy.ValidName(name); err != nil {
				return usageError{err}
			}

			ctx, cancel := context.WithTimeout(cmd.Context(), deployTimeout)
			defer cancel()
			client, chainID, err := dial(ctx, rpcURL)
			if err != nil {
				return err
			}
			defer client.Close()
			sender, err := devtx.NewSender(ctx, client, key)
			if err != nil {
				return err
			}
			ms := models.ForChain(chain.Name)
			names := make([]string, len(ms))
			for i, m := range ms {
				names[i] = m.Name()
			}
			if len(ms) == 0 {
				fmt.Fprintf(stderr, "No models are built in for %s yet: deploying Multicall3 only\n", chain.Name)
			} else {
				fmt.Fprintf(stderr, "Deploying the %s models of %s (%s) to chain %d from %s (oracle %s)\n",
					chain.Name, strings.Join(names, ", "), chain.Native, chainID, sender.From().Hex(), oracle.Hex())
			}
			addrs, err := deploy.Models(ctx, sender, oracle, ms, chain.Native)
			if err != nil {
				return err
			}
			mcArt, err := contracts.Load(devnet.NameMulticall3)
			if err != nil {
				return err
			}
			mc, how, err := deploy.EnsureMulticall3(ctx, sender, devnet.Multicall3Address, mcArt)
			if err != nil {
				return err
			}
			switch how {
			case deploy.Multicall3Present:
				fmt.Fprintf(stderr, "Multicall3 already at %s\n", mc.Hex())
			case deploy.Multicall3SetCode:
				fmt.Fprintf(stderr, "Multicall3 placed at %s (setCode)\n", mc.Hex())
			default:
				fmt.Fprintf(stderr, "Multicall3 deployed at %s: this node cannot place it at its canonical address %s\n", mc.Hex(), devnet.Multicall3Address.Hex())
			}

			protocols := make([]deploy.Protocol, len(ms))
			for i, m := range ms {
				protocols[i] = deploy.Protocol{Name: m.Name(), Addresses: addrs[m.Name()]}
			}
			native := chain.Native
			if native == "ETH" {
				native = "" // the config file's default
			}
			netw, err := deploy.NewChainNetwork(name, chainID, []string{rpcURL}, native, protocols)
			if err != nil {
				return err
			}
			netw.Oracle, netw.Multicall3 = oracle.Hex(), mc.Hex()
			if asJSON {
				out, err := netw.JSON()
				if err != nil {
					return err
				}
				_, err = stdout.Write(out)
				return err
			}
			_, err = io.WriteString(stdout, netw.TOML())
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&rpcURL, "rpc-url", "", "JSON-RPC endpoint of the node to deploy to (required)")
	f.StringVar(&chainName, "chain", devnet.DefaultChain, "devnet chain whose models to deploy: "+strings.Join(devnet.ChainNames(), ", "))
	f.StringVar(&oracleFlag, "oracle", "", "account trusted with the models' admin calls (default: the deployer)")
	f.StringVar(&name, "name", "local", "network name in the printed config entry")
	f.BoolVar(&asJSON, "json", false, "print the network entry as JSON")
	keys.register(cmd, "test-mnemonic account index to deploy from (0-9)")
	_ = cmd.MarkFlagRequired("rpc-url")
	return cmd
}
