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

type replaceOptions struct {
	f      *cmdutil.Factory
	hash   string
	cancel bool
}

func newCmdReplace(f *cmdutil.Factory, cancel bool) *cobra.Command {
	o := &replaceOptions{f: f, cancel: cancel}
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
			o.hash = args[0]
			return runReplace(cmd.Context(), o)
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
	return cmd
}

func (o *replaceOptions) verb() string {
	if o.cancel {
		return "cancel"
	}
	return "speedup"
}

// prose is the verb for messages.
func (o *replaceOptions) prose() string {
	if o.cancel {
		return "cancel"
	}
	return "speed up"
}

// feeOverrides parses --priority-fee and --max-fee (gwei), nil when unset.
func feeOverrides(g *cmdutil.GlobalFlags) (txflow.Fees, error) {
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

func runReplace(ctx context.Context, o *replaceOptions) error {
	f := o.f
	cmdName := "tx " + o.verb()
	if f.Flags.Nonce >= 0 {
		return cmdutil.BadInputf("--nonce cannot be used with %s: the replacement takes the nonce of the transaction it replaces", cmdName)
	}
	if f.Flags.GasLimit != 0 {
		return cmdutil.BadInputf("--gas-limit cannot be used with %s: the replacement keeps the gas limit of the transaction it replaces", cmdName)
	}
	hash, err := parseHash(o.hash)
	if err != nil {
		return err
	}
	override, err := feeOverrides(f.Flags)
	if err != nil {
		return err
	}
	env, err := txcmd.Setup(ctx, f)
	if err != nil {
		return err
	}
	defer env.Close()
	j, err := openJournal(f)
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
			hash.Hex(), obs.Receipt.BlockNumber, receiptStatus(obs.Receipt), o.prose()))
	case seenReplaced:
		msg := fmt.Sprintf("nonce %d of %s is already used by another transaction", orig.Nonce(), env.From.Hex())
		if entry != nil && entry.ReplacedBy != nil {
			msg = fmt.Sprintf("transaction %s was already replaced by %s", hash.Hex(), entry.ReplacedBy.Hex())
		}
		return cmdutil.WithExit(cmdutil.ExitBadInput, "already_mined", fmt.Errorf(
			"%s: %s can never be mined, there is nothing to %s", msg, short(hash), o.prose()))
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
	call, gas, title, err := o.replacementCall(env, orig, entry, hash)
	if err != nil {
		return err
	}
	renv := withOverrides(env, orig.Nonce(), gas, fees)
	if w := previewStream(f); w != nil {
		st := output.NewStyles(f.IO)
		fmt.Fprintf(w, "%s %s (nonce %d): %s gwei/gas max, %s gwei tip → %s gwei max, %s gwei tip\n",
			st.Dim.Render("replaces"), hash.Hex(), orig.Nonce(),
			amount.Format(orig.GasFeeCap(), 9), amount.Format(orig.GasTipCap(), 9),
			amount.Format(fees.MaxFee, 9), amount.Format(fees.Tip, 9))
	}
	return renv.Run(ctx, &txcmd.Request{
		Action: o.verb(),
		Title:  title,
		Calls:  []protocol.Call{call},
		After: func(ctx context.Context, receipts []*types.Receipt) (map[string]any, *output.KV, error) {
			if len(receipts) == 1 {
				markReplaced(j, siblings, receipts[0].TxHash)
			}
			kv := (&output.KV{}).Add("replaces", hash.Hex())
			return map[string]any{"replaces": hash.Hex(), "nonce": orig.Nonce()}, kv, nil
		},
	})
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
func (o *replaceOptions) replacementCall(env *txcmd.Env, orig *types.Transaction, entry *journal.Entry, hash common.Hash) (protocol.Call, uint64, string, error) {
	what := "transaction"
	if entry != nil && entry.Action != "" {
		what = entry.Action
	}
	if o.cancel {
		return protocol.Call{
			Action:      "cancel",
			Description: fmt.Sprintf("Send 0 %s to yourself with nonce %d, so that %s is never mined", env.Net.NativeSymbol, orig.Nonce(), short(hash)),
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
// sending (pkg/txflow) build exactly the replacement. It copies the
// factory and its flags rather than changing the caller's.
func withOverrides(env *txcmd.Env, nonce, gas uint64, fees txflow.Fees) *txcmd.Env {
	f := *env.F
	flags := *env.F.Flags
	flags.Nonce = int64(nonce)
	flags.GasLimit = gas
	// Exact: wei have 9 decimals in gwei, and GweiToWei parses them back.
	flags.MaxFee = amount.Format(fees.MaxFee, 9)
	flags.PriorityFee = amount.Format(fees.Tip, 9)
	f.Flags = &flags
	out := *env
	out.F = &f
	return &out
}

// previewStream is where txcmd prints the preview, so the replacement's
// fee note lands beside it; nil when there is no preview.
func previewStream(f *cmdutil.Factory) io.Writer {
	switch {
	case f.Flags.DryRun && !f.Flags.JSON:
		return f.IO.Out
	case !f.Flags.DryRun && !f.Flags.Yes:
		return f.IO.ErrOut
	}
	return nil
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
