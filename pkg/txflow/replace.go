package txflow

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Replacement fee rules. A node accepts a transaction with the nonce of one
// it already holds only if both the priority fee and the max fee are at
// least ReplacementBumpPercent higher (go-ethereum's txpool.pricebump
// default, also Nethermind's and Erigon's); anything less is refused as
// "replacement transaction underpriced".
const (
	ReplacementBumpPercent = 10
	// DefaultBumpPercent is what a speed-up or cancel adds when the user
	// gives no fees: well over the minimum, so one bump usually suffices.
	DefaultBumpPercent = 25
)

// ErrUnderpriced: the fees asked for cannot replace the pending
// transaction; nothing was signed (exit 2).
var ErrUnderpriced = errors.New("replacement fee too low")

// Fees are the EIP-1559 fee caps of a transaction, in wei per gas.
type Fees struct {
	Tip    *big.Int // max priority fee per gas
	MaxFee *big.Int // max fee per gas
}

// FeesOf returns the fee caps of tx.
func FeesOf(tx *types.Transaction) Fees {
	return Fees{Tip: tx.GasTipCap(), MaxFee: tx.GasFeeCap()}
}

// bump returns ⌈v × (100+percent) / 100⌉, and at least v+1: nodes want a
// strictly higher fee, which matters when v is 0 or tiny.
func bump(v *big.Int, percent int64) *big.Int {
	out := new(big.Int).Mul(v, big.NewInt(100+percent))
	out.Add(out, big.NewInt(99)).Div(out, big.NewInt(100))
	if floor := new(big.Int).Add(v, big.NewInt(1)); out.Cmp(floor) < 0 {
		out = floor
	}
	return out
}

// MinReplacement is the lowest fee cap a node accepts in place of one of v.
func MinReplacement(v *big.Int) *big.Int { return bump(v, ReplacementBumpPercent) }

func maxOf(vs ...*big.Int) *big.Int {
	var m *big.Int
	for _, v := range vs {
		if v != nil && (m == nil || v.Cmp(m) > 0) {
			m = v
		}
	}
	return m
}

func gwei(v *big.Int) string { return amount.Format(v, 9) + " gwei" }

// ReplacementFees chooses the fees of a transaction that replaces the
// pending ones in prev (an original and any earlier speed-ups: the new one
// must outbid the highest). Overrides that are set are checked against the
// replacement minimum; the others default to DefaultBumpPercent over prev,
// or today's fee (suggested tip, 2 × base fee + tip) when that is higher.
func ReplacementFees(prev []Fees, baseFee, suggestedTip *big.Int, override Fees) (Fees, error) {
	if len(prev) == 0 {
		return Fees{}, errors.New("no transaction to replace")
	}
	var prevTip, prevMax *big.Int
	for _, p := range prev {
		prevTip, prevMax = maxOf(prevTip, p.Tip), maxOf(prevMax, p.MaxFee)
	}
	minTip, minMax := MinReplacement(prevTip), MinReplacement(prevMax)
	var out Fees
	if override.Tip != nil {
		if override.Tip.Cmp(minTip) < 0 {
			return Fees{}, fmt.Errorf("%w: --priority-fee %s is below the replacement minimum %s (the pending transaction's %s + %d%%)",
				ErrUnderpriced, gwei(override.Tip), gwei(minTip), gwei(prevTip), ReplacementBumpPercent)
		}
		out.Tip = override.Tip
	} else {
		out.Tip = maxOf(bump(prevTip, DefaultBumpPercent), suggestedTip, minTip)
	}
	if override.MaxFee != nil {
		if override.MaxFee.Cmp(minMax) < 0 {
			return Fees{}, fmt.Errorf("%w: --max-fee %s is below the replacement minimum %s (the pending transaction's %s + %d%%)",
				ErrUnderpriced, gwei(override.MaxFee), gwei(minMax), gwei(prevMax), ReplacementBumpPercent)
		}
		out.MaxFee = override.MaxFee
	} else {
		var today *big.Int
		if baseFee != nil {
			today = new(big.Int).Add(new(big.Int).Mul(baseFee, big.NewInt(2)), out.Tip)
		}
		out.MaxFee = maxOf(bump(prevMax, DefaultBumpPercent), today, minMax, out.Tip)
	}
	if out.MaxFee.Cmp(out.Tip) < 0 {
		return Fees{}, fmt.Errorf("%w: max fee %s is below the priority fee %s; raise --max-fee", ErrUnderpriced, gwei(out.MaxFee), gwei(out.Tip))
	}
	return out, nil
}

// SendSigned journals, broadcasts and waits for a transaction signed
// elsewhere: offline, by another wallet, or exported from a journal. It is
// the second half of Execute (sign is done) with the same rules: the chain
// is checked, the transaction is fsynced to the journal before it leaves,
// and once it may have left it is never reported as not sent. An entry the
// journal already has (a re-broadcast) keeps its action and description.
func (f *Flow) SendSigned(ctx context.Context, signed *types.Transaction, action, description string, hooks Hooks) (*Result, error) {
	if f.journal == nil {
		return nil, errors.New("no journal: refusing to broadcast a transaction that could be lost")
	}
	if id := signed.ChainId(); id == nil || id.Cmp(f.opts.ChainID) != 0 {
		return nil, fmt.Errorf("%w: the transaction is signed for chain %v, but network %s is chain %s", ErrWrongChain, id, f.opts.Network, f.opts.ChainID)
	}
	from, err := types.Sender(types.LatestSignerForChainID(f.opts.ChainID), signed)
	if err != nil {
		return nil, fmt.Errorf("recover the sender: %w", err)
	}
	if err := f.VerifyChain(ctx); err != nil {
		return nil, err
	}
	step := StepOf(signed, action, description)
	entry, err := f.journal.Get(f.opts.ChainID.Uint64(), signed.Hash())
	switch {
	case err == nil:
		step.Call.Action, step.Call.Description = entry.Action, entry.Description
	case errors.Is(err, fs.ErrNotExist):
		if entry, err = f.journal.Record(f.opts.Network, f.opts.ChainID.Uint64(), from, action, description, signed); err != nil {
			return nil, fmt.Errorf("journal the signed transaction (not sent): %w", err)
		}
	default:
		return nil, fmt.Errorf("read the journal (not sent): %w", err)
	}
	return f.broadcast(ctx, 0, from, step, signed, entry, hooks)
}

// StepOf describes a signed transaction as a plan step, for previews and
// results. A contract creation has the zero address as Call.To.
func StepOf(tx *types.Transaction, action, description string) *Step {
	var to common.Address
	if tx.To() != nil {
		to = *tx.To()
	}
	return &Step{
		Call: protocol.Call{
			Action: action, Description: description,
			To: to, Value: tx.Value(), Data: tx.Data(),
		},
		Nonce: tx.Nonce(), GasLimit: tx.Gas(), Estimated: true,
		Tip: tx.GasTipCap(), MaxFee: tx.GasFeeCap(),
	}
}
