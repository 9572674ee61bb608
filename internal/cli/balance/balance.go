// Package balance implements `stakewallet balance`.
package balance

import (
	"context"
	"fmt"
	"math/big"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// NewCmdBalance returns the balance command.
func NewCmdBalance(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "balance [ADDRESS]",
		Short: "Show native coin, every known LST, and pending and claimable withdrawals",
		Example: `  stakewallet balance --signer alice
  stakewallet balance 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --json`,
		Args: cmdutil.MaximumArgs(1, "one ADDRESS"),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr := ""
			if len(args) == 1 {
				addr = args[0]
			}
			return run(cmd.Context(), f, addr)
		},
	}
}

type tokenBalance struct {
	protocol string
	token    protocol.Token
	balance  *big.Int
}

type withdrawalSum struct {
	count  int
	amount *big.Int
}

func run(ctx context.Context, f *cmdutil.Factory, addrArg string) error {
	owner, err := txcmd.Owner(ctx, f, addrArg, "ADDRESS")
	if err != nil {
		return err
	}
	net, err := f.Network()
	if err != nil {
		return err
	}
	c, err := f.Chain(ctx)
	if err != nil {
		return err
	}
	native, err := c.BalanceAt(ctx, owner, nil)
	if err != nil {
		return err
	}
	ps, err := txcmd.Protocols(ctx, f)
	if err != nil {
		return err
	}
	var tokens []tokenBalance
	pending := withdrawalSum{amount: new(big.Int)}
	claimable := withdrawalSum{amount: new(big.Int)}
	for _, p := range ps {
		for _, t := range p.Tokens() {
			b, err := erc20.BalanceOf(ctx, c, t.Address, owner)
			if err != nil {
				return err
			}
			tokens = append(tokens, tokenBalance{p.Name(), t, b})
		}
		ws, err := p.Withdrawals(ctx, owner, nil)
		if err != nil {
			return err
		}
		for _, w := range ws {
			switch w.Status {
			case protocol.StatusPending:
				pending.count++
				pending.amount.Add(pending.amount, w.Amount)
			case protocol.StatusClaimable:
				claimable.count++
				if w.Claimable != nil {
					claimable.amount.Add(claimable.amount, w.Claimable)
				}
			}
		}
	}
	if f.Flags.JSON {
		var tj []map[string]any
		for _, t := range tokens {
			m := txcmd.TokenAmount(t.balance, t.token)
			m["protocol"] = t.protocol
			tj = append(tj, m)
		}
		return output.JSON(f.IO.Out, map[string]any{
			"address": owner.Hex(),
			"network": net.Name,
			"chainId": net.ChainID,
			"native":  map[string]any{"amount": native.String(), "symbol": net.NativeSymbol, "decimals": 18},
			"tokens":  tj,
			"withdrawals": map[string]any{
				"pending":   map[string]any{"count": pending.count, "amount": pending.amount.String()},
				"claimable": map[string]any{"count": claimable.count, "amount": claimable.amount.String(), "symbol": net.NativeSymbol, "decimals": 18},
			},
		})
	}
	st := output.NewStyles(f.IO)
	fmt.Fprintf(f.IO.Out, "%s %s\n", st.Title.Render(owner.Hex()), st.Dim.Render(fmt.Sprintf("on %s (chain ID %d)", net.Name, net.ChainID)))
	kv := &output.KV{}
	kv.Add(net.NativeSymbol, amount.Format(native, 18))
	for _, t := range tokens {
		kv.Add(t.token.Symbol, amount.Format(t.balance, t.token.Decimals))
	}
	kv.Add("pending withdrawals", fmt.Sprintf("%d (%s)", pending.count, amount.Format(pending.amount, 18)))
	kv.Add("claimable", fmt.Sprintf("%d (%s)", claimable.count, amount.FormatUnits(claimable.amount, 18, net.NativeSymbol)))
	kv.Render(f.IO.Out, st)
	return nil
}
