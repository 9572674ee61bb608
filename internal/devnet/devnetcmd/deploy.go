package devnetcmd

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/devnet/deploy"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
)

// deployTimeout bounds the whole deployment (five transactions).
const deployTimeout = 5 * time.Minute

func newDeployCmd(stdout, stderr io.Writer) *cobra.Command {
	var (
		rpcURL     string
		oracleFlag string
		name       string
		asJSON     bool
		keys       keyFlags
	)
	cmd := &cobra.Command{
		Use:   "deploy --rpc-url URL",
		Short: "Deploy the Lido model contracts onto a running node",
		Long: `deploy sends five transactions from a funded account (test account 0 unless
--from-index or --private-key-file says otherwise): Lido with a 1 ETH bootstrap
deposit, WstETH, WithdrawalQueueERC721, LidoLocator, and Lido.initialize.
--oracle is the account allowed to send oracle reports (default: the deployer);
run "stakewallet-devnet oracle" with that account's key to finalize requests.

It prints the network entry for stakewallet's config file (TOML, or JSON with
--json) on stdout; progress goes to stderr.`,
		Example: `  anvil &
  stakewallet-devnet deploy --rpc-url http://127.0.0.1:8545 --name anvil >> ~/.config/stakewallet/config.toml`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
			fmt.Fprintf(stderr, "Deploying the Lido model to chain %d from %s (oracle %s)\n", chainID, sender.From().Hex(), oracle.Hex())
			dep, err := deploy.Deploy(ctx, sender, oracle)
			if err != nil {
				return err
			}
			netw, err := deploy.NewNetwork(name, chainID, []string{rpcURL}, dep)
			if err != nil {
				return err
			}
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
	f.StringVar(&oracleFlag, "oracle", "", "account trusted with oracle reports (default: the deployer)")
	f.StringVar(&name, "name", "local", "network name in the printed config entry")
	f.BoolVar(&asJSON, "json", false, "print the network entry as JSON")
	keys.register(cmd, "test-mnemonic account index to deploy from (0-9)")
	_ = cmd.MarkFlagRequired("rpc-url")
	return cmd
}
