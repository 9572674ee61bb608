// Package stake implements `stakewallet stake`.
package stake

import (
	"context"
	"fmt"
	"math/big"

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
	f        *cmdutil.Factory
	amount   string
	protocol string
	referral string
}

// NewCmdStake returns the stake command.
func NewCmdStake(f *cmdutil.Factory) *cobra.Command {
	o := &options{f: f}
	cmd := &cobra.Command{
		Use:   "stake AMOUNT",
		Short: "Stake native coin and receive the protocol's liquid staking token",
		Long: `Stake AMOUNT of the network's native coin (e.g. ETH) with a liquid-staking
protocol (default: the network's, lido on Ethereum networks) and receive its
token (stETH). AMOUNT is a decimal in whole coins: 1.5 means 1.5 ETH.`,
		Example: `  stakewallet stake 1 --signer alice
  stakewallet stake 0.25 --signer ledger --network hoodi --rpc-url https://…
  stakewallet stake 32 --signer alice --dry-run --json`,
		Args: cmdutil.ExactArgs(1, "AMOUNT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.amount = args[0]
			return run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.protocol, "protocol", "", "protocol to stake with (default: the network's)")
	cmd.Flags().StringVar(&o.referral, "referral", "", "referral address passed to the protocol")
	return cmd
}

func run(ctx context.Context, o *options) error {
	value, err := amount.ParsePositive(o.amount, 18)
	if err != nil {
		return cmdutil.BadInput(err)
	}
	var referral common.Address
	if o.referral != "" {
		if referral, err = cmdutil.ParseAddress("--referral", o.referral); err != nil {
			return err
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
	req, err := Request(ctx, env, p, value, protocol.StakeOptions{Referral: referral}, "Stake")
	if err != nil {
		return err
	}
	return env.Run(ctx, req)
}

// Request builds the stake of value with p: the calls, the preview title
// ("<verb> 1 ETH with Lido") and the result fields (LST received, read
// from the mint event, and the new balance). restake reuses it.
func Request(ctx context.Context, env *txcmd.Env, p protocol.Protocol, value *big.Int, opts protocol.StakeOptions, verb string) (*txcmd.Request, error) {
	calls, err := p.Stake(ctx, env.From, value, opts)
	if err != nil {
		return nil, err
	}
	lst := p.Tokens()[0]
	return &txcmd.Request{
		Action:   "stake",
		Title:    fmt.Sprintf("%s %s with %s", verb, amount.FormatUnits(value, 18, env.Net.NativeSymbol), p.DisplayName()),
		Protocol: p,
		Calls:    calls,
		Amount:   value,
		After: func(ctx context.Context, receipts []*types.Receipt) (map[string]any, *output.KV, error) {
			received := erc20.Transferred(receipts, lst.Address, common.Address{}, env.From)
			balance, err := erc20.BalanceOf(ctx, env.Chain, lst.Address, env.From)
			if err != nil {
				return nil, nil, err
			}
			kv := (&output.KV{}).
				Add("received", amount.FormatUnits(received, lst.Decimals, lst.Symbol)).
				Add("balance", amount.FormatUnits(balance, lst.Decimals, lst.Symbol))
			return map[string]any{
				"received": txcmd.TokenAmount(received, lst),
				"balance":  txcmd.TokenAmount(balance, lst),
			}, kv, nil
		},
	}, nil
}
