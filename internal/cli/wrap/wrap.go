// Package wrap implements `stakewallet wrap` and `stakewallet unwrap`
// (stETH ↔ wstETH and the like).
package wrap

import (
	"context"
	"fmt"

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
	unwrap   bool
	amount   string
	protocol string
}

// NewCmdWrap returns the wrap command.
func NewCmdWrap(f *cmdutil.Factory) *cobra.Command { return newCmd(f, false) }

// NewCmdUnwrap returns the unwrap command.
func NewCmdUnwrap(f *cmdutil.Factory) *cobra.Command { return newCmd(f, true) }

func newCmd(f *cmdutil.Factory, unwrap bool) *cobra.Command {
	o := &options{f: f, unwrap: unwrap}
	cmd := &cobra.Command{
		Use:     "wrap AMOUNT|all",
		Short:   "Wrap the rebasing token into its wrapped form (stETH → wstETH)",
		Example: "  stakewallet wrap 0.5 --signer alice\n  stakewallet wrap all --signer alice --yes --json",
		Args:    cmdutil.ExactArgs(1, "AMOUNT or all"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.amount = args[0]
			return run(cmd.Context(), o)
		},
	}
	if unwrap {
		cmd.Use = "unwrap AMOUNT|all"
		cmd.Short = "Unwrap the wrapped token back to the rebasing one (wstETH → stETH)"
		cmd.Example = "  stakewallet unwrap 0.4 --signer alice"
	}
	cmd.Flags().StringVar(&o.protocol, "protocol", "", "protocol (default: the network's)")
	return cmd
}

func run(ctx context.Context, o *options) error {
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
	p, err := o.f.Protocol(ctx, o.protocol)
	if err != nil {
		return err
	}
	w, ok := p.(protocol.Wrapper)
	if !ok || len(p.Tokens()) < 2 {
		return cmdutil.BadInputf("%s has no wrapped token", p.DisplayName())
	}
	from, to := p.Tokens()[0], p.Tokens()[1]
	action, build := "wrap", w.Wrap
	if o.unwrap {
		from, to = to, from
		action, build = "unwrap", w.Unwrap
	}
	value, err := txcmd.ParseTokenAmount(ctx, env.Chain, o.amount, from, env.From, true)
	if err != nil {
		return err
	}
	calls, err := build(ctx, env.From, value)
	if err != nil {
		return err
	}
	return env.Run(ctx, &txcmd.Request{
		Action:   action,
		Title:    fmt.Sprintf("%s %s into %s", titleCase(action), amount.FormatUnits(value, from.Decimals, from.Symbol), to.Symbol),
		Protocol: p,
		Calls:    calls,
		Amount:   value,
		Token:    from,
		After: func(ctx context.Context, receipts []*types.Receipt) (map[string]any, *output.KV, error) {
			// wrap mints wstETH to the sender; unwrap sends stETH from the
			// wrapper contract to the sender.
			source := common.Address{}
			if o.unwrap {
				source = from.Address
			}
			got := erc20.Transferred(receipts, to.Address, source, env.From)
			kv := (&output.KV{}).Add("received", amount.FormatUnits(got, to.Decimals, to.Symbol))
			return map[string]any{"received": txcmd.TokenAmount(got, to)}, kv, nil
		},
	})
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-32) + s[1:]
}
