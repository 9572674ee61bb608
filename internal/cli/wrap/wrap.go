// Package wrap implements `stakewallet wrap` and `stakewallet unwrap`
// (stETH ↔ wstETH and the like).
package wrap

import (
	"context"
	"fmt"
	"io"

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

// WrapOptions are the inputs of wrap and unwrap.
type WrapOptions struct {
	txcmd.Deps
	JSON bool
	Tx   cmdutil.TxFlags

	// Unwrap is set by the unwrap command: wrapped → staked token.
	Unwrap bool
	// Amount is a decimal in whole tokens, or "all".
	Amount       string
	ProtocolName string
}

// NewCmdWrap returns the wrap command; runF replaces its body in tests.
func NewCmdWrap(f *cmdutil.Factory, runF func(*WrapOptions) error) *cobra.Command {
	return newCmd(f, runF, false)
}

// NewCmdUnwrap returns the unwrap command; runF replaces its body in tests.
func NewCmdUnwrap(f *cmdutil.Factory, runF func(*WrapOptions) error) *cobra.Command {
	return newCmd(f, runF, true)
}

func newCmd(f *cmdutil.Factory, runF func(*WrapOptions) error, unwrap bool) *cobra.Command {
	opts := &WrapOptions{Deps: txcmd.DepsFrom(f), Tx: cmdutil.DefaultTxFlags(), Unwrap: unwrap}
	cmd := &cobra.Command{
		Use:   "wrap AMOUNT|all",
		Short: "Wrap the rebasing token into its wrapped form (stETH → wstETH)",
		Long: `Wrap AMOUNT of the protocol's staked (rebasing) token into its wrapped,
non-rebasing token (stETH → wstETH on Lido). Protocols without a wrapped
token refuse (exit 2).`,
		Example: "  stakewallet wrap 0.5 --signer alice\n  stakewallet wrap all --signer alice --yes --json",
		Args:    cmdutil.ExactArgs(1, "AMOUNT or all"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Amount = args[0]
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return wrapRun(cmd.Context(), opts)
		},
	}
	if unwrap {
		cmd.Use = "unwrap AMOUNT|all"
		cmd.Short = "Unwrap the wrapped token back to the rebasing one (wstETH → stETH)"
		cmd.Long = `Unwrap AMOUNT of the protocol's wrapped token back into its staked
(rebasing) token (wstETH → stETH on Lido). Protocols without a wrapped token
refuse (exit 2).`
		cmd.Example = "  stakewallet unwrap 0.4 --signer alice"
	}
	cmd.Flags().StringVar(&opts.ProtocolName, "protocol", "", "protocol (default: the network's)")
	cmdutil.AddTxFlags(cmd, &opts.Tx)
	return cmd
}

func wrapRun(ctx context.Context, opts *WrapOptions) error {
	if opts.Amount != "all" {
		if err := amount.CheckSyntax(opts.Amount); err != nil {
			return cmdutil.BadInput(err)
		}
	}
	env, err := txcmd.Setup(ctx, opts.Deps, opts.JSON, opts.Tx)
	if err != nil {
		return err
	}
	defer env.Close()
	p, err := opts.Protocol(ctx, opts.ProtocolName)
	if err != nil {
		return err
	}
	w, staked, wrapped, err := wrapper(p)
	if err != nil {
		return err
	}
	from, to := staked, wrapped
	action, build := "wrap", w.Wrap
	if opts.Unwrap {
		from, to = wrapped, staked
		action, build = "unwrap", w.Unwrap
	}
	value, err := txcmd.ParseTokenAmount(ctx, env.Chain, opts.Amount, from, env.From, true)
	if err != nil {
		return err
	}
	calls, err := build(ctx, env.From, value)
	if err != nil {
		return err
	}
	verb := "Wrap"
	if opts.Unwrap {
		verb = "Unwrap"
	}
	out := &Result{}
	out.Result, err = env.Run(ctx, &txcmd.Request{
		Action:   action,
		Title:    fmt.Sprintf("%s %s into %s", verb, amount.FormatUnits(value, from.Decimals, from.Symbol), to.Symbol),
		Protocol: p,
		Calls:    calls,
		Amount:   value,
		Token:    from,
		After: func(ctx context.Context, receipts []*types.Receipt) error {
			// wrap mints the wrapped token to the sender; unwrap sends the
			// staked token from the wrapper contract to the sender.
			source := common.Address{}
			if opts.Unwrap {
				source = from.Address
			}
			out.Received = txcmd.NewTokenAmount(erc20.Transferred(receipts, to.Address, source, env.From), to)
			return nil
		},
	})
	if err != nil {
		return err
	}
	return output.Print(opts.IO, opts.JSON, out)
}

// wrapper is p's wrap capability with its two tokens, or an exit-2 error
// for a protocol that has no wrapped token.
func wrapper(p protocol.Protocol) (w protocol.Wrapper, staked, wrapped protocol.Token, err error) {
	w, ok := p.(protocol.Wrapper)
	if !ok {
		return nil, staked, wrapped, cmdutil.BadInputf("%s has no wrapped token: wrap and unwrap do not apply to it", p.DisplayName())
	}
	staked, okS := p.Tokens().ByRole(protocol.RoleStaked)
	wrapped, okW := p.Tokens().ByRole(protocol.RoleWrapped)
	if !okS || !okW {
		return nil, staked, wrapped, cmdutil.BadInputf("%s lists no staked and wrapped token pair: wrap and unwrap do not apply to it", p.DisplayName())
	}
	return w, staked, wrapped, nil
}

// Result is what wrap or unwrap did: the transactions and the token
// received.
type Result struct {
	*txcmd.Result
	Received *txcmd.TokenAmount `json:"received,omitempty"`
}

// RenderHuman implements output.Human.
func (r *Result) RenderHuman(w io.Writer, st output.Styles) {
	r.Result.RenderHuman(w, st)
	(&output.KV{}).Add("received", r.Received.Human()).Render(w, st)
}
