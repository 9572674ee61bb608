// Package unstake implements `stakewallet unstake`.
package unstake

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

type options struct {
	f        *cmdutil.Factory
	amount   string
	protocol string
	token    string
}

// NewCmdUnstake returns the unstake command.
func NewCmdUnstake(f *cmdutil.Factory) *cobra.Command {
	o := &options{f: f}
	cmd := &cobra.Command{
		Use:   "unstake AMOUNT|all",
		Short: "Request a withdrawal of staked coin (starts the bonding period)",
		Long: `Request a withdrawal of AMOUNT of a liquid staking token (default: the
protocol's main token, stETH). The tokens are locked in the protocol's
withdrawal queue; once the request is finalized (the bonding period is over)
claim the coin with 'stakewallet claim' or wait with 'stakewallet withdrawals
wait --claim'. Amounts above the protocol's per-request cap are split into
several requests. An approve transaction is sent first when the allowance is
short; both are shown before signing.`,
		Example: `  stakewallet unstake 0.5 --signer alice
  stakewallet unstake all --token wstETH --signer alice --yes --json`,
		Args: cmdutil.ExactArgs(1, "AMOUNT or all"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.amount = args[0]
			return run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.protocol, "protocol", "", "protocol (default: the network's)")
	cmd.Flags().StringVar(&o.token, "token", "", "token to withdraw, by symbol (default: the protocol's main token)")
	return cmd
}

func run(ctx context.Context, o *options) error {
	if o.amount != "all" {
		// Validate the syntax before touching keys or the network; the
		// token's decimals are checked again below.
		if err := amount.CheckSyntax(o.amount); err != nil {
			return cmdutil.BadInput(err)
		}
	}
	env, err := txcmd.Setup(ctx, o.f)
	if err != nil {
		return err
	}
	defer env.Close()
	p, err := o.f.Protocol(ctx, o.protocol)
	if err != nil {
		return err
	}
	token := p.Tokens()[0]
	if o.token != "" {
		if token, _, err = txcmd.FindToken(ctx, env.Chain, []protocol.Protocol{p}, o.token); err != nil {
			return err
		}
	}
	value, err := txcmd.ParseTokenAmount(ctx, env.Chain, o.amount, token, env.From, true)
	if err != nil {
		return err
	}
	calls, err := p.RequestWithdrawal(ctx, env.From, value, token)
	if err != nil {
		return err
	}
	return env.Run(ctx, &txcmd.Request{
		Action:   "unstake",
		Title:    fmt.Sprintf("Request withdrawal of %s from %s", amount.FormatUnits(value, token.Decimals, token.Symbol), p.DisplayName()),
		Protocol: p,
		Calls:    calls,
		Amount:   value,
		Token:    token,
		After: func(ctx context.Context, receipts []*types.Receipt) (map[string]any, *output.KV, error) {
			var ids []*big.Int
			for _, r := range receipts {
				ids = append(ids, p.RequestIDs(r)...)
			}
			kv := (&output.KV{}).
				Add("request ids", cmdutil.JoinIDs(ids)).
				Add("next", "stakewallet withdrawals wait --claim")
			return map[string]any{"requestIds": cmdutil.IDStrings(ids)}, kv, nil
		},
	})
}
