// Package transfer implements `stakewallet transfer`.
package transfer

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

type options struct {
	f      *cmdutil.Factory
	amount string
	token  string
	to     string
}

// NewCmdTransfer returns the transfer command.
func NewCmdTransfer(f *cmdutil.Factory) *cobra.Command {
	o := &options{f: f}
	cmd := &cobra.Command{
		Use:   "transfer AMOUNT|all TOKEN --to ADDRESS",
		Short: "Send a liquid staking token (ERC-20) to another address",
		Long: `Transfer AMOUNT of TOKEN to --to. TOKEN is a symbol known on the network
(stETH, wstETH, …) or a token contract address. Note that stETH is a
rebasing token: a transfer may arrive 1-2 wei short (Lido's rounding).`,
		Example: `  stakewallet transfer 0.1 stETH --to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --signer alice
  stakewallet transfer all wstETH --to 0x7099… --signer ledger --yes --json`,
		Args: cmdutil.ExactArgs(2, "AMOUNT and TOKEN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.amount, o.token = args[0], args[1]
			return run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.to, "to", "", "recipient address (required)")
	return cmd
}

func run(ctx context.Context, o *options) error {
	if o.to == "" {
		return cmdutil.BadInputf("--to ADDRESS is required")
	}
	to, err := cmdutil.ParseAddress("--to", o.to)
	if err != nil {
		return err
	}
	if to == (common.Address{}) {
		return cmdutil.BadInputf("--to is the zero address: tokens sent there are lost")
	}
	if o.amount != "all" {
		if err := amount.CheckSyntax(o.amount); err != nil {
			return cmdutil.BadInput(err)
		}
	}
	env, err := txcmd.Setup(ctx, o.f)
	if err != nil {
		return err
	}
	defer env.Close()
	ps, err := txcmd.Protocols(ctx, o.f)
	if err != nil {
		return err
	}
	token, p, err := txcmd.FindToken(ctx, env.Chain, ps, o.token)
	if err != nil {
		return err
	}
	if to == token.Address {
		return cmdutil.BadInputf("--to is the %s contract itself: tokens sent there are lost", token.Symbol)
	}
	value, err := txcmd.ParseTokenAmount(ctx, env.Chain, o.amount, token, env.From, true)
	if err != nil {
		return err
	}
	balance, err := erc20.BalanceOf(ctx, env.Chain, token.Address, env.From)
	if err != nil {
		return err
	}
	if balance.Cmp(value) < 0 {
		return &protocol.LimitError{Reason: fmt.Sprintf("insufficient %s balance: have %s, need %s", token.Symbol,
			amount.Format(balance, token.Decimals), amount.Format(value, token.Decimals))}
	}
	req := &txcmd.Request{
		Action:    "transfer",
		Title:     fmt.Sprintf("Transfer %s to %s", amount.FormatUnits(value, token.Decimals, token.Symbol), to.Hex()),
		Protocol:  p,
		Calls:     []protocol.Call{erc20.TransferCall(token, to, value)},
		Amount:    value,
		Token:     token,
		ExtraABIs: []*abi.ABI{erc20.ABI},
		After: func(ctx context.Context, receipts []*types.Receipt) (map[string]any, *output.KV, error) {
			sent := erc20.Transferred(receipts, token.Address, env.From, to)
			kv := (&output.KV{}).Add("to", to.Hex()).Add("transferred", amount.FormatUnits(sent, token.Decimals, token.Symbol))
			return map[string]any{"to": to.Hex(), "token": token.Address.Hex(), "transferred": sent.String()}, kv, nil
		},
	}
	return env.Run(ctx, req)
}
