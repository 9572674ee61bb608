// Package claim implements `stakewallet claim`.
package claim

import (
	"context"
	"fmt"
	"math/big"
	"strings"

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
	ids      []string
	protocol string
}

// NewCmdClaim returns the claim command.
func NewCmdClaim(f *cmdutil.Factory) *cobra.Command {
	o := &options{f: f}
	cmd := &cobra.Command{
		Use:   "claim [ID...]",
		Short: "Claim finalized withdrawal requests",
		Long: `Claim the given withdrawal requests, or every claimable request of the
signer's account when no ID is given. Checkpoint hints are found on-chain and
all ids go into as few transactions as possible. Requests that are still
pending or already claimed are reported, not sent.`,
		Example: `  stakewallet claim --signer alice
  stakewallet claim 12 13 --signer alice --yes --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ids = args
			return run(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.protocol, "protocol", "", "protocol (default: the network's)")
	return cmd
}

func run(ctx context.Context, o *options) error {
	ids, err := cmdutil.ParseIDs(o.ids)
	if err != nil {
		return err
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
	ws, err := p.Withdrawals(ctx, env.From, ids)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		// Explicit ids must all be claimable: say which are not, send nothing.
		var problems []string
		for _, w := range ws {
			switch w.Status {
			case protocol.StatusPending:
				problems = append(problems, fmt.Sprintf("request %s is still pending (wait with `stakewallet withdrawals wait %s`)", w.ID, w.ID))
			case protocol.StatusClaimed:
				problems = append(problems, fmt.Sprintf("request %s was already claimed", w.ID))
			}
		}
		if len(problems) > 0 {
			return cmdutil.BadInputf("nothing was sent: %s", strings.Join(problems, "; "))
		}
	}
	return Claimable(ctx, env, p, ws)
}

// Claimable claims the claimable requests among ws. With none it says so
// and succeeds: "nothing to do" is not an error for scripts.
func Claimable(ctx context.Context, env *txcmd.Env, p protocol.Protocol, ws []protocol.Withdrawal) error {
	var ids []*big.Int
	total := new(big.Int)
	for _, w := range ws {
		if w.Status == protocol.StatusClaimable {
			ids = append(ids, w.ID)
			if w.Claimable != nil {
				total.Add(total, w.Claimable)
			}
		}
	}
	f := env.F
	if len(ids) == 0 {
		if f.Flags.JSON {
			return output.JSON(f.IO.Out, map[string]any{"action": "claim", "network": env.Net.Name, "chainId": env.Net.ChainID, "from": env.From.Hex(), "requestIds": []string{}, "transactions": []any{}})
		}
		fmt.Fprintln(f.IO.Out, "Nothing to claim: no finalized, unclaimed withdrawal requests.")
		return nil
	}
	calls, err := p.Claim(ctx, env.From, ids)
	if err != nil {
		return err
	}
	return env.Run(ctx, &txcmd.Request{
		Action:   "claim",
		Title:    fmt.Sprintf("Claim %s (%s) from %s", cmdutil.Plural(len(ids), "withdrawal request"), amount.FormatUnits(total, 18, env.Net.NativeSymbol), p.DisplayName()),
		Protocol: p,
		Calls:    calls,
		Amount:   total,
		After: func(ctx context.Context, _ []*types.Receipt) (map[string]any, *output.KV, error) {
			kv := (&output.KV{}).Add("claimed ids", cmdutil.JoinIDs(ids))
			return map[string]any{"requestIds": cmdutil.IDStrings(ids)}, kv, nil
		},
	})
}
