package cli

import (
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/balance"
	"github.com/stakewallet/stakewallet/internal/cli/claim"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/completion"
	"github.com/stakewallet/stakewallet/internal/cli/keys"
	"github.com/stakewallet/stakewallet/internal/cli/ledger"
	"github.com/stakewallet/stakewallet/internal/cli/man"
	"github.com/stakewallet/stakewallet/internal/cli/networks"
	"github.com/stakewallet/stakewallet/internal/cli/restake"
	"github.com/stakewallet/stakewallet/internal/cli/stake"
	"github.com/stakewallet/stakewallet/internal/cli/transfer"
	"github.com/stakewallet/stakewallet/internal/cli/tx"
	"github.com/stakewallet/stakewallet/internal/cli/unstake"
	"github.com/stakewallet/stakewallet/internal/cli/validators"
	"github.com/stakewallet/stakewallet/internal/cli/version"
	"github.com/stakewallet/stakewallet/internal/cli/withdrawals"
	"github.com/stakewallet/stakewallet/internal/cli/wrap"
)

// Commands lists the top-level commands, one line per command folder.
// Each NewCmdX takes the factory and a runF that tests use to replace the
// command's body; the real CLI passes nil.
func Commands() []func(*cmdutil.Factory) *cobra.Command {
	return []func(*cmdutil.Factory) *cobra.Command{
		func(f *cmdutil.Factory) *cobra.Command { return stake.NewCmdStake(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return unstake.NewCmdUnstake(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return withdrawals.NewCmdWithdrawals(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return claim.NewCmdClaim(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return restake.NewCmdRestake(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return transfer.NewCmdTransfer(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return wrap.NewCmdWrap(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return wrap.NewCmdUnwrap(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return balance.NewCmdBalance(f, nil) },
		tx.NewCmdTx,
		keys.NewCmdKeys,
		ledger.NewCmdLedger,
		func(f *cmdutil.Factory) *cobra.Command { return networks.NewCmdNetworks(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return networks.NewCmdProtocols(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return validators.NewCmdValidators(f, nil) },
		func(f *cmdutil.Factory) *cobra.Command { return version.NewCmdVersion(f, nil) },
		completion.NewCmdCompletion,
		func(f *cmdutil.Factory) *cobra.Command { return man.NewCmdMan(f, nil) },
	}
}
