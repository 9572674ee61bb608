package tx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// cancelGas is the gas of a plain transfer, which is what a cancel is.
const cancelGas = 21000

// ReplaceOptions are the inputs of tx speedup and tx cancel.
type ReplaceOptions struct {
	txcmd.Deps
	JSON bool
	// Tx are the transaction flags; --nonce and --gas-limit are refused
	// (the replacement keeps the original's), --max-fee and
	// --priority-fee set the new fees.
	Tx cmdutil.TxFlags

	Hash string
	// Cancel replaces the transaction by a 0-value transfer to oneself
	// (tx cancel) instead of the same call with higher fees (tx speedup).
	Cancel bool
}

// NewCmdSpeedup returns tx speedup; runF replaces its body in tests.
func NewCmdSpeedup(f *cmdutil.Factory, runF func(*ReplaceOptions) error) *cobra.Command {
	return newCmdReplace(f, runF, false)
}

// NewCmdCancel returns tx cancel; runF replaces its body in tests.
func NewCmdCancel(f *cmdutil.Factory, runF func(*ReplaceOptions) error) *cobra.Command {
	return newCmdReplace(f, runF, true)
}

func newCmdReplace(f *cmdutil.Factory, runF func(*ReplaceOptions) error, cancel bool) *cobra.Command {
	opts := &ReplaceOptions{Deps: txcmd.DepsFrom(f), Tx: cmdutil.DefaultTxFlags(), Cancel: cancel}
	cmd := &cobra.Command{
		Use:   "speedup HASH",
		Short: "Re-send a stuck transaction with higher fees (same nonce)",
		Long: fmt.Sprintf(`Replace pending transaction HASH by the same transaction (same nonce, to,
value, data and gas) with higher fees, so that it is mined sooner. Nodes
accept a replacement only if both the priority fee and the max fee are at
least %d%% higher than the pending one's; by default both go up by %d%%, or to
today's fees when those are higher. --priority-fee and --max-fee (gwei) set
them, and are refused below the minimum.

The replacement is previewed, confirmed, journaled and broadcast like every
transaction. Only one of the two can be mined: whichever is, the other is
marked replaced in the journal. Refused (exit 2) when HASH is mined already.`, txflow.ReplacementBumpPercent, txflow.DefaultBumpPercent),
		Example: `  stakewallet tx speedup 0x5c50…e0a1 --signer alice
  stakewallet tx speedup 0x5c50…e0a1 --signer alice --max-fee 60 --priority-fee 3`,
		Args: cmdutil.ExactArgs(1, "a transaction HASH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Hash = args[0]
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return replaceRun(cmd.Context(), opts)
		},
	}
	if cancel {
		cmd.Use = "cancel HASH"
		cmd.Short = "Cancel a stuck transaction by replacing it with a 0-value transfer to yourself"
		cmd.Long = fmt.Sprintf(`Replace pending transaction HASH by a transfer of 0 to your own account
with the same nonce (%d gas) and higher fees: once it is mined, HASH can no
longer be. Fees follow the rules of tx speedup (at least +%d%%, default +%d%%
or today's fees).

It costs the fee of a plain transfer. It can lose the race: if HASH is mined
first, the cancel is refused or never mined, and the journal says which.
Refused (exit 2) when HASH is mined already.`, cancelGas, txflow.ReplacementBumpPercent, txflow.DefaultBumpPercent)
		cmd.Example = `  stakewallet tx cancel 0x5c50…e0a1 --signer alice
  stakewallet tx cancel 0x5c50…e0a1 --signer alice --yes --json`
	}
	cmdutil.AddTxFlags(cmd, &opts.Tx)
	cmdutil.RefuseUnsigned(cmd, "a replacement is signed for a transaction of the journal; sign it where the key is")
	return cmd
}

func (o *ReplaceOptions) verb() string {
	if o.Cancel {
		return "cancel"
	}
	return "speedup"
}

// prose is the verb for messages.
func (o *ReplaceOptions) prose() string {
	if o.Cancel {
		return "cancel"
	}
	return "speed up"
}

// feeOverrides parses --priority-fee and --max-fee (gwei), nil when unset.
func feeOverrides(g cmdutil.TxFlags) (txflow.Fees, error) {
	var out txflow.Fees
	var err error
	if g.PriorityFee != "" {
		if out.Tip, err = amount.GweiToWei(g.PriorityFee); err != nil {
			return out, cmdutil.BadInputf("--priority-fee: %w", err)
		}
	}
	if g.MaxFee != "" {
		if out.MaxFee, err = amount.GweiToWei(g.MaxFee); err != nil {
			return out, cmdutil.BadInputf("--max-fee: %w", err)
		}
	}
	return out, nil
}

func replaceRun(ctx context.Context, opts *ReplaceOptions) error {
	cmdName := "tx " + opts.verb()
	if opts.Tx.Nonce >= 0 {
		return cmdutil.BadInputf("--nonce cannot be used with %s: the replacement takes the nonce of the transaction it replaces", cmdName)
	}
	if opts.Tx.GasLimit != 0 {
		return cmdutil.BadInputf("--gas-limit cannot be used with %s: the replacement keeps the gas limit of the transaction it replaces", cmdName)
	}
	hash, err := parseHash(opts.Hash)
	if err != nil {
		return err
	}
	override, err := feeOverrides(opts.Tx)
	if err != nil {
		return err
	}
	env, err := txcmd.Setup(ctx, opts.Deps, opts.JSON, opts.Tx)
	if err != nil {
		return err
	}
	defer env.Close()
	j, err := openJournal(opts.Deps)
	if err != nil {
		return err
	}
	orig, entry, err := findOriginal(ctx, env, j, hash)
	if err != nil {
		return err
	}
	// Check the chain before anything is signed: replacing a mined
	// transaction cannot work, and saying so beats a refused broadcast.
	s := &sender{From: env.From, Nonce: orig.Nonce()}
	obs, err := observe(ctx, env.Chain, hash, s)
	if err != nil {
		return err
	}
	if entry != nil {
		var by *common.Hash
		if obs.Seen == seenReplaced {
			if by, err = replacer(ctx, env.Chain, j, entry); err != nil {
				return err
			}
		}
		if err := record(j, entry, obs, by); err != nil {
			return err
		}
	}
	switch obs.Seen {
	case seenIncluded:
		return cmdutil.WithExit(cmdutil.ExitBadInput, "already_mined", fmt.Errorf(
			"transaction %s is already mined (block %s, %s): there is nothing to %s",
			hash.Hex(), obs.Receipt.BlockNumber, receiptStatus(obs.Receipt), opts.prose()))
	case seenReplaced:
		msg := fmt.Sprintf("nonce %d of %s is already used by another transaction", orig.Nonce(), env.From.Hex())
		if entry != nil && entry.ReplacedBy != nil {
			msg = fmt.Sprintf("transaction %s was already replaced by %s", hash.Hex(), entry.ReplacedBy.Hex())
		}
		return cmdutil.WithExit(cmdutil.ExitBadInput, "already_mined", fmt.Errorf(
			"%s: %s can never be mined, there is nothing to %s", msg, short(hash), opts.prose()))
	}
	// The new fees must outbid every open transaction of this nonce: the
	// pool may hold an earlier speed-up rather than HASH itself.
	prev := []txflow.Fees{txflow.FeesOf(orig)}
	siblings, err := j.SameNonce(env.Net.ChainID, env.From, orig.Nonce())
	if err != nil {
		return err
	}
	for _, e := range siblings {
		if e.State.Open() && e.Hash != hash {
			if t, err := e.Tx(); err == nil {
				prev = append(prev, txflow.FeesOf(t))
			}
		}
	}
	head, err := env.Chain.HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("read latest block: %w", err)
	}
	suggested, err := env.Chain.SuggestGasTipCap(ctx)
	if err != nil {
		return fmt.Errorf("read priority fee: %w", err)
	}
	fees, err := txflow.ReplacementFees(prev, head.BaseFee, suggested, override)
	if err != nil {
		return cmdutil.BadInput(err)
	}
	call, gas, title, err := opts.replacementCall(env, orig, entry, hash)
	if err != nil {
		return err
	}
	renv := withOverrides(env, orig.Nonce(), gas, fees)
	res := &ReplaceResult{note: feeNote(orig, hash, fees)}
	if !renv.Tx.DryRun && !renv.Tx.Yes {
		// Beside the confirmation preview txcmd prints on stderr.
		fmt.Fprintln(opts.IO.ErrOut, res.renderNote(output.NewStyles(opts.IO)))
	}
	nonce := orig.Nonce()
	res.Result, err = renv.Run(ctx, &txcmd.Request{
		Action: opts.verb(),
		Title:  title,
		Calls:  []protocol.Call{call},
		After: func(ctx context.Context, receipts []*types.Receipt) error {
			if len(receipts) == 1 {
				markReplaced(j, siblings, receipts[0].TxHash)
			}
			res.Replaces, res.Nonce = hash.Hex(), &nonce
			return nil
		},
	})
	if err != nil {
		return err
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// ReplaceResult is the result of tx speedup and tx cancel: the
// replacement's transaction, and once it is mined the hash it replaced
// and their nonce (absent on a dry run).
type ReplaceResult struct {
	*txcmd.Result
	Replaces string  `json:"replaces,omitempty"`
	Nonce    *uint64 `json:"nonce,omitempty"`

	note feeChange
}

// feeChange is the old and new fees, for the line beside the preview.
type feeChange struct {
	hash           common.Hash
	nonce          uint64
	oldMax, oldTip *big.Int
	newMax, newTip *big.Int
}

func feeNote(orig *types.Transaction, hash common.Hash, fees txflow.Fees) feeChange {
	return feeChange{hash: hash, nonce: orig.Nonce(), oldMax: orig.GasFeeCap(), oldTip: orig.GasTipCap(), newMax: fees.MaxFee, newTip: fees.Tip}
}

func (r *ReplaceResult) renderNote(st output.Styles) string {
	n := r.note
	return fmt.Sprintf("%s %s (nonce %d): %s gwei/gas max, %s gwei tip → %s gwei max, %s gwei tip",
		st.Dim.Render("replaces"), n.hash.Hex(), n.nonce,
		amount.Format(n.oldMax, 9), amount.Format(n.oldTip, 9),
		amount.Format(n.newMax, 9), amount.Format(n.newTip, 9))
}

// RenderHuman implements output.Human: a dry run's preview follows the
// fee change it makes; a sent replacement says what it replaced.
func (r *ReplaceResult) RenderHuman(w io.Writer, st output.Styles) {
	if r.DryRun {
		fmt.Fprintln(w, r.renderNote(st))
	}
	r.Result.RenderHuman(w, st)
	(&output.KV{}).Add("replaces", r.Replaces).Render(w, st)
}

// findOriginal returns the transaction to replace: from the journal, or,
// for one sent by other means, from the node's pool.
func findOriginal(ctx context.Context, env *txcmd.Env, j *journal.Journal, hash common.Hash) (*types.Transaction, *journal.Entry, error) {
	var (
		orig  *types.Transaction
		entry *journal.Entry
	)
	e, err := j.Get(env.Net.ChainID, hash)
	switch {
	case err == nil:
		if orig, err = e.Tx(); err != nil {
			return nil, nil, err
		}
		entry = e
	case errors.Is(err, fs.ErrNotExist):
		tx, _, err := env.Chain.TransactionByHash(ctx, hash)
		if errors.Is(err, ethereum.NotFound) {
			return nil, nil, cmdutil.WithExit(cmdutil.ExitBadInput, "not_found", fmt.Errorf(
				"transaction %s is neither in the journal nor known to the node (chain %d): check the hash and --network", hash.Hex(), env.Net.ChainID))
		}
		if err != nil {
			return nil, nil, fmt.Errorf("look up %s: %w", hash.Hex(), err)
		}
		orig = tx
	default:
		return nil, nil, err
	}
	if id := orig.ChainId(); id == nil || id.Uint64() != env.Net.ChainID {
		return nil, nil, cmdutil.BadInputf("transaction %s is for chain %v, not %s (chain %d)", hash.Hex(), id, env.Net.Name, env.Net.ChainID)
	}
	from, err := types.Sender(types.LatestSignerForChainID(orig.ChainId()), orig)
	if err != nil {
		return nil, nil, fmt.Errorf("recover the sender of %s: %w", hash.Hex(), err)
	}
	if from != env.From {
		return nil, nil, cmdutil.BadInputf("transaction %s was sent by %s, but the signer %s is %s: only the sender can replace it",
			hash.Hex(), from.Hex(), env.Signer, env.From.Hex())
	}
	if orig.Type() == types.BlobTxType || orig.Type() == types.SetCodeTxType {
		return nil, nil, cmdutil.BadInputf("transaction %s is of type %d; only plain and EIP-1559 transactions can be replaced here", hash.Hex(), orig.Type())
	}
	return orig, entry, nil
}

// replacementCall is what the replacement does, its gas and the preview's
// title.
func (o *ReplaceOptions) replacementCall(env *txcmd.Env, orig *types.Transaction, entry *journal.Entry, hash common.Hash) (protocol.Call, uint64, string, error) {
	what := "transaction"
	if entry != nil && entry.Action != "" {
		what = entry.Action
	}
	if o.Cancel {
		return protocol.Call{
			Action:      "cancel",
			Description: fmt.Sprintf("Send 0 %s to yourself with nonce %d, so that %s is never mined", env.Native().Symbol, orig.Nonce(), short(hash)),
			To:          env.From,
			Value:       new(big.Int),
		}, cancelGas, fmt.Sprintf("Cancel %s %s (nonce %d)", what, short(hash), orig.Nonce()), nil
	}
	if orig.To() == nil {
		return protocol.Call{}, 0, "", cmdutil.BadInputf("transaction %s creates a contract; stakewallet cannot speed that up (tx cancel can still replace it)", hash.Hex())
	}
	desc := fmt.Sprintf("Same call as %s, with higher fees", short(hash))
	action := "speedup"
	if entry != nil {
		desc = fmt.Sprintf("%s (replaces %s)", entry.Description, short(hash))
		action = entry.Action
	}
	return protocol.Call{
		Action:      action,
		Description: desc,
		To:          *orig.To(),
		Value:       orig.Value(),
		Data:        orig.Data(),
	}, orig.Gas(), fmt.Sprintf("Speed up %s %s (nonce %d)", what, short(hash), orig.Nonce()), nil
}

// withOverrides returns env with the replacement's nonce, gas and fees in
// place of the user's overrides, so that txcmd's preview, confirmation and
// sending (pkg/txflow) build exactly the replacement. It changes a copy,
// never the caller's env.
func withOverrides(env *txcmd.Env, nonce, gas uint64, fees txflow.Fees) *txcmd.Env {
	out := *env
	out.Tx.Nonce = int64(nonce)
	out.Tx.GasLimit = gas
	// Exact: wei have 9 decimals in gwei, and GweiToWei parses them back.
	out.Tx.MaxFee = amount.Format(fees.MaxFee, 9)
	out.Tx.PriorityFee = amount.Format(fees.Tip, 9)
	// A replacement must outbid the original whatever it moves: refusing
	// it for a fee out of proportion would leave the nonce stuck.
	out.Tx.YesHighFee = true
	return &out
}

// markReplaced records, once the replacement is mined, that the original
// and any earlier replacements of the nonce (siblings, read from the
// journal before the replacement was signed) never will be.
func markReplaced(j *journal.Journal, siblings []*journal.Entry, by common.Hash) {
	for _, e := range siblings {
		if e.Hash == by || !e.State.Open() {
			continue
		}
		// Best effort: the next tx pending or tx status learns the same
		// from the chain if this write fails.
		_ = j.MarkReplaced(e, &by, fmt.Sprintf("nonce %d was used by %s", e.Nonce, by.Hex()))
	}
}
