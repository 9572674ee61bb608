// Package ledger implements `stakewallet ledger`: `ledger addresses` lists
// the accounts a device derives, so the user can pick one for --signer or
// `keys add --ledger`, and `ledger info` says what is connected and
// whether its Ethereum app can sign what stakewallet sends.
package ledger

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/ledgerbackend"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
)

// deviceTimeout bounds a whole command. Each exchange has its own shorter
// limit in pkg/ledger; this one catches a device that answers, but slowly,
// over many exchanges (a long address list on a busy USB bus).
const deviceTimeout = 2 * time.Minute

// NewCmdLedger returns the ledger command and its subcommands.
func NewCmdLedger(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger <command>",
		Short: "Inspect a Ledger: its addresses and its Ethereum app",
		Long: `Talk to a Ledger hardware wallet running the Ethereum app, over USB
(--ledger-transport hid, the default) or to the Speculos emulator
(--ledger-transport tcp://127.0.0.1:9999).

Before you start: connect and unlock the device, open the Ethereum app, and
close Ledger Live and browser wallets, which hold the device. On Linux,
install Ledger's udev rules (https://github.com/LedgerHQ/udev-rules).

Sign with a Ledger account with --signer ledger (account 0), ledger:N
(Ledger Live account N, m/44'/60'/N'/0/0) or ledger:m/44'/60'/0'/0/N (any
path), or register one under a name with 'stakewallet keys add NAME --ledger'.`,
		Example: `  stakewallet ledger info
  stakewallet ledger addresses --count 3
  stakewallet ledger addresses --scheme legacy --json
  stakewallet stake 1 --signer ledger:1`,
	}
	cmd.AddCommand(NewCmdAddresses(f, nil), NewCmdInfo(f, nil))
	return cmd
}

// OpenAppFunc connects to the device at a --ledger-transport value and
// checks that the Ethereum app is open.
type OpenAppFunc func(ctx context.Context, transport string) (*ledgerapp.App, error)

// openAppFrom is the CLI's way to reach the device: with its progress
// line and notices on f's stderr.
func openAppFrom(f *cmdutil.Factory) OpenAppFunc {
	return ledgerbackend.New(f.IO).OpenApp
}
