package cli

import (
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/balance"
	"github.com/stakewallet/stakewallet/internal/cli/claim"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/completion"
	"github.com/stakewallet/stakewallet/internal/cli/keys"
	"github.com/stakewallet/stakewallet/internal/cli/ledger"
	"github.com/stakewallet/stakewallet/internal/cli/networks"
	"github.com/stakewallet/stakewallet/internal/cli/restake"
	"github.com/stakewallet/stakewallet/internal/cli/stake"
	"github.com/stakewallet/stakewallet/internal/cli/transfer"
	"github.com/stakewallet/stakewallet/internal/cli/tx"
	"github.com/stakewallet/stakewallet/internal/cli/unstake"
	"github.com/stakewallet/stakewallet/internal/cli/version"
	"github.com/stakewallet/stakewallet/internal/cli/withdrawals"
	"github.com/stakewallet/stakewallet/internal/cli/wrap"
)

// Commands lists the top-level commands, one line per command folder.
func Commands() []func(*cmdutil.Factory) *cobra.Command {
	return []func(*cmdutil.Factory) *cobra.Command{
		stake.NewCmdStake,
		unstake.NewCmdUnstake,
		withdrawals.NewCmdWithdrawals,
		claim.NewCmdClaim,
		restake.NewCmdRestake,
		transfer.NewCmdTransfer,
		wrap.NewCmdWrap,
		wrap.NewCmdUnwrap,
		balance.NewCmdBalance,
		tx.NewCmdTx,
		keys.NewCmdKeys,
		ledger.NewCmdLedger,
		networks.NewCmdNetworks,
		networks.NewCmdProtocols,
		version.NewCmdVersion,
		completion.NewCmdCompletion,
	}
}
