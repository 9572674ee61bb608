// Package claim implements `stakewallet claim`, and the claiming that
// `withdrawals wait --claim` and `restake` share with it.
package claim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
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
the ids go into as few claimWithdrawals transactions as the gas limit allows
(--gas-limit, else the block's, capped at 2^24 per transaction by EIP-7825).
An id that was already claimed is reported and skipped, never sent again; a
pending id or one owned by another account is refused (exit 2) and nothing is
sent.`,
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
	var claimed []*big.Int
	if len(ids) > 0 {
		var problems []string
		claimable := 0
		for _, w := range ws {
			switch {
			case w.Status == protocol.StatusClaimed:
				claimed = append(claimed, w.ID)
			case w.Owner != env.From:
				problems = append(problems, fmt.Sprintf("request %s belongs to %s, not the signer %s", w.ID, w.Owner.Hex(), env.From.Hex()))
			case w.Status == protocol.StatusPending:
				problems = append(problems, fmt.Sprintf("request %s is still pending (wait with `stakewallet withdrawals wait %s`)", w.ID, w.ID))
			default:
				claimable++
			}
		}
		if claimable == 0 {
			// Nothing left to send: the already-claimed ones are the reason.
			for _, id := range claimed {
				problems = append(problems, fmt.Sprintf("request %s was already claimed", id))
			}
		}
		if len(problems) > 0 {
			return cmdutil.BadInputf("nothing was sent: %s", strings.Join(problems, "; "))
		}
	}
	return claimWithdrawals(ctx, env, p, ws, claimed)
}

// Claimable claims the claimable requests among ws (owned by the signer)
// in as few transactions as the gas limit allows. With none it says so and
// succeeds: "nothing to do" is not an error for scripts.
func Claimable(ctx context.Context, env *txcmd.Env, p protocol.Protocol, ws []protocol.Withdrawal) error {
	return claimWithdrawals(ctx, env, p, ws, nil)
}

// Total is the ETH the claimable requests among ws pay now.
func Total(ws []protocol.Withdrawal) (ids []*big.Int, total *big.Int) {
	total = new(big.Int)
	for _, w := range ws {
		if w.Status == protocol.StatusClaimable {
			ids = append(ids, w.ID)
			if w.Claimable != nil {
				total.Add(total, w.Claimable)
			}
		}
	}
	return ids, total
}

func claimWithdrawals(ctx context.Context, env *txcmd.Env, p protocol.Protocol, ws []protocol.Withdrawal, alreadyClaimed []*big.Int) error {
	var mine []protocol.Withdrawal
	for _, w := range ws {
		// Claims pay the sender; someone else's request would only revert.
		if w.Owner == env.From {
			mine = append(mine, w)
		}
	}
	ids, total := Total(mine)
	f := env.F
	st := output.NewStyles(f.IO)
	if len(alreadyClaimed) > 0 && !f.Flags.JSON {
		fmt.Fprintln(f.IO.ErrOut, st.Dim.Render(fmt.Sprintf("Skipped %s already claimed: %s.", cmdutil.Plural(len(alreadyClaimed), "request"), cmdutil.JoinIDs(alreadyClaimed))))
	}
	if len(ids) == 0 {
		if f.Flags.JSON {
			return output.JSON(f.IO.Out, map[string]any{
				"action": "claim", "network": env.Net.Name, "chainId": env.Net.ChainID, "from": env.From.Hex(),
				"requestIds": []string{}, "alreadyClaimed": cmdutil.IDStrings(alreadyClaimed), "transactions": []any{},
			})
		}
		fmt.Fprintln(f.IO.Out, "Nothing to claim: no finalized, unclaimed withdrawal requests.")
		return nil
	}
	calls, err := Calls(ctx, env, p, ids)
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
			if len(alreadyClaimed) > 0 {
				kv.Add("already claimed", cmdutil.JoinIDs(alreadyClaimed))
			}
			return map[string]any{"requestIds": cmdutil.IDStrings(ids), "alreadyClaimed": cmdutil.IDStrings(alreadyClaimed)}, kv, nil
		},
	})
}

// batchClaimer is implemented by protocols whose claims take a batch size
// from the caller (Lido's ClaimBatches).
type batchClaimer interface {
	ClaimBatches(ctx context.Context, ids []*big.Int, perTx int) ([]protocol.Call, error)
}

const (
	// eip7825MaxGas is the per-transaction gas cap of EIP-7825 (Osaka).
	eip7825MaxGas = 1 << 24
	// sampleSize ids are estimated to learn the gas per claimed id; batches
	// this small fit any block, so they are not sampled.
	sampleSize = 20
	// gasMarginPercent matches the margin txflow adds to estimates.
	gasMarginPercent = 20
)

// Calls builds the claim transactions for ids: as few as the gas limit
// allows when the protocol lets the caller size batches, else the
// protocol's own batching.
func Calls(ctx context.Context, env *txcmd.Env, p protocol.Protocol, ids []*big.Int) ([]protocol.Call, error) {
	ids = slices.Clone(ids)
	slices.SortFunc(ids, func(a, b *big.Int) int { return a.Cmp(b) })
	bc, ok := p.(batchClaimer)
	if !ok {
		return p.Claim(ctx, env.From, ids)
	}
	n, ok, err := batchSize(ctx, env, bc, ids)
	if err != nil {
		return nil, err
	}
	if !ok {
		// The sample did not estimate (it would revert): let the protocol
		// batch, and the preview's simulation say why it fails.
		return p.Claim(ctx, env.From, ids)
	}
	return bc.ClaimBatches(ctx, ids, n)
}

// batchSize is how many ids fit one claim transaction under the gas cap,
// from the estimate of a sample (base cost included, so it errs on the
// side of smaller batches).
func batchSize(ctx context.Context, env *txcmd.Env, bc batchClaimer, ids []*big.Int) (int, bool, error) {
	limit := env.F.Flags.GasLimit
	if limit == 0 && len(ids) <= sampleSize {
		return len(ids), true, nil
	}
	if limit == 0 {
		head, err := env.Chain.HeaderByNumber(ctx, nil)
		if err != nil {
			return 0, false, fmt.Errorf("read the block gas limit: %w", err)
		}
		limit = min(head.GasLimit, eip7825MaxGas)
	}
	sample := ids[:min(len(ids), sampleSize)]
	calls, err := bc.ClaimBatches(ctx, sample, len(sample))
	if err != nil {
		return 0, false, err
	}
	c := calls[0]
	gas, err := env.Chain.EstimateGas(ctx, ethereum.CallMsg{From: env.From, To: &c.To, Data: c.Data, Value: c.Value})
	if err != nil {
		return 0, false, nil
	}
	return fitPerTx(gas, len(sample), limit, len(ids)), true, nil
}

// fitPerTx is how many ids fit in limit gas when sampleIDs ids took
// sampleGas, with txflow's margin, between 1 and total.
func fitPerTx(sampleGas uint64, sampleIDs int, limit uint64, total int) int {
	perID := sampleGas*(100+gasMarginPercent)/100/uint64(sampleIDs) + 1
	n := limit / perID
	return int(max(1, min(n, uint64(total))))
}

// CaptureJSON runs fn, a command body that prints one JSON document, with
// stdout sent to a buffer, and returns the document: commands made of
// several steps (withdrawals wait --claim, restake) nest each step's
// document in their own, since stdout carries exactly one.
func CaptureJSON(ios *iostreams.IOStreams, fn func() error) (map[string]any, error) {
	var buf bytes.Buffer
	out := ios.Out
	ios.Out = &buf
	err := fn()
	ios.Out = out
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return nil, fmt.Errorf("read the result document: %w", err)
	}
	return doc, nil
}
