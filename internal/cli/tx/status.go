package tx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// StatusOptions are tx status's inputs. It only reads (and brings the
// journal entry up to date), so it takes no transaction flags.
type StatusOptions struct {
	txcmd.Deps
	JSON bool

	Hash string
}

// NewCmdStatus returns tx status; runF replaces its body in tests.
func NewCmdStatus(f *cmdutil.Factory, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{Deps: txcmd.DepsFrom(f)}
	return &cobra.Command{
		Use:   "status HASH",
		Short: "Show a transaction: its journal entry and what the chain says",
		Long: `Show transaction HASH as the journal has it and as the node sees it:
mined (block, gas used, effective gas price, success or reverted with the
decoded revert reason), waiting in the node's pool, replaced (another
transaction used its nonce), or unknown to the node. The journal entry is
updated with what the chain says.

status is success, reverted, pending or replaced; node is included, mempool,
replaced or unknown. Exit 0 whenever the transaction is found (also when it
reverted); exit 2 when neither the node nor the journal knows the hash.`,
		Example: `  stakewallet tx status 0x5c50…e0a1
  stakewallet tx status 0x5c50…e0a1 --network hoodi --json`,
		Args: cmdutil.ExactArgs(1, "a transaction HASH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Hash = args[0]
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return statusRun(cmd.Context(), opts)
		},
	}
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	hash, err := parseHash(opts.Hash)
	if err != nil {
		return err
	}
	net, err := opts.Network()
	if err != nil {
		return err
	}
	j, err := openJournal(opts.Deps)
	if err != nil {
		return err
	}
	entry, err := j.Get(net.ChainID, hash)
	if errors.Is(err, fs.ErrNotExist) {
		entry, err = nil, nil
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	c, err := opts.Chain(ctx)
	if err != nil {
		return err
	}
	var obs *observation
	if entry != nil {
		obs, err = refresh(ctx, c, j, entry)
	} else {
		obs, err = observe(ctx, c, hash, nil)
	}
	if err != nil {
		return err
	}
	if entry == nil && obs.Seen == seenUnknown {
		return notFound(j, net, c, hash)
	}
	d := &statusDoc{net: net, hash: hash, entry: entry, obs: obs}
	if err := d.fill(ctx, opts.Deps, c); err != nil {
		return err
	}
	return output.Print(opts.IO, opts.JSON, d.result(j))
}

// notFound explains an unknown hash, pointing at another network when the
// journal has it there.
func notFound(j *journal.Journal, net *config.Network, c cmdutil.Chain, hash common.Hash) error {
	msg := fmt.Sprintf("transaction %s is not known to the node (%s, chain %d) nor in the journal: check the hash and --network",
		hash.Hex(), c.Endpoint(), net.ChainID)
	if all, err := j.List(0); err == nil {
		for _, e := range all {
			if e.Hash == hash {
				msg = fmt.Sprintf("transaction %s is not on %s (chain %d); the journal has it on network %s (chain %d): add --network %s",
					hash.Hex(), net.Name, net.ChainID, e.Network, e.ChainID, e.Network)
				break
			}
		}
	}
	return cmdutil.WithExit(cmdutil.ExitBadInput, "not_found", errors.New(msg))
}

// statusDoc gathers what status prints.
type statusDoc struct {
	net   *config.Network
	hash  common.Hash
	entry *journal.Entry
	obs   *observation

	tx           *types.Transaction
	from         common.Address
	revertReason string
	// waitingFor is the nonce the account must use first when this
	// transaction sits behind a gap; nil when there is none.
	waitingFor *uint64
}

// fill finds the transaction's fields (journal or node), the revert reason
// of a reverted one, and a nonce gap in front of a pending one.
func (d *statusDoc) fill(ctx context.Context, deps txcmd.Deps, c cmdutil.Chain) error {
	d.tx = d.obs.Tx
	if d.entry != nil {
		tx, err := d.entry.Tx()
		if err != nil {
			return err
		}
		d.tx, d.from = tx, d.entry.From
	}
	if d.tx == nil {
		// Mined, not journaled: the node has the body.
		tx, _, err := c.TransactionByHash(ctx, d.hash)
		if err != nil && !errors.Is(err, ethereum.NotFound) {
			return fmt.Errorf("look up %s: %w", d.hash.Hex(), err)
		}
		d.tx = tx
	}
	if d.tx != nil && d.entry == nil {
		if from, err := types.Sender(types.LatestSignerForChainID(d.tx.ChainId()), d.tx); err == nil {
			d.from = from
		}
	}
	if rc := d.obs.Receipt; rc != nil && rc.Status != types.ReceiptStatusSuccessful && d.tx != nil {
		d.revertReason = replayRevert(ctx, c, newDecoder(ctx, deps), d.from, d.tx, rc)
	}
	if d.obs.Seen == seenMempool || d.obs.Seen == seenUnknown {
		if d.tx != nil {
			// The pool's pending nonce counts only executable transactions:
			// below ours, an earlier nonce is missing and ours must wait.
			if n, err := c.PendingNonceAt(ctx, d.from); err == nil && n < d.tx.Nonce() {
				d.waitingFor = &n
			}
		}
	}
	return nil
}

// replayRevert re-runs a reverted transaction at the block before its
// inclusion to learn the reason (receipts carry none).
func replayRevert(ctx context.Context, c cmdutil.Chain, d *decoder, from common.Address, tx *types.Transaction, rc *types.Receipt) string {
	if tx.To() == nil {
		return "contract creation reverted"
	}
	msg := ethereum.CallMsg{From: from, To: tx.To(), Gas: tx.Gas(), Value: tx.Value(), Data: tx.Data()}
	_, err := c.CallContract(ctx, msg, new(big.Int).Sub(rc.BlockNumber, big.NewInt(1)))
	if err == nil {
		if rc.GasUsed >= tx.Gas() {
			return "out of gas"
		}
		return "unknown reason (the call succeeds when replayed)"
	}
	if data, ok := abidecode.RevertData(err); ok {
		return d.revert(data)
	}
	if r, ok := abidecode.FromError(err, d.abis...); ok {
		return abidecode.Human(r, d.hints...)
	}
	return err.Error()
}

// status is the transaction status of SPEC's Output section, plus
// "replaced".
func (d *statusDoc) status() string {
	switch d.obs.Seen {
	case seenIncluded:
		return receiptStatus(d.obs.Receipt)
	case seenReplaced:
		return "replaced"
	}
	return "pending"
}

// result is the document of d.
func (d *statusDoc) result(j *journal.Journal) *StatusResult {
	r := &StatusResult{
		TxHash: d.hash.Hex(), Network: d.net.Name, ChainID: d.net.ChainID,
		Status: d.status(), Node: string(d.obs.Seen), WaitingForNonce: d.waitingFor,
		d: d, dir: j.Dir(),
	}
	if rc := d.obs.Receipt; rc != nil {
		bn, gas := rc.BlockNumber.Uint64(), rc.GasUsed
		r.BlockNumber, r.GasUsed = &bn, &gas
		if rc.EffectiveGasPrice != nil {
			r.EffectiveGasPrice = rc.EffectiveGasPrice.String()
		}
		r.RevertReason = d.revertReason
	}
	if tx := d.tx; tx != nil {
		nonce, gas := tx.Nonce(), tx.Gas()
		r.hasTx = true
		r.From, r.Nonce, r.GasLimit = d.from.Hex(), &nonce, &gas
		if tx.To() != nil {
			to := tx.To().Hex()
			r.To = &to
		}
		r.Value = tx.Value().String()
		r.MaxFeePerGas, r.MaxPriorityFeePerGas = tx.GasFeeCap().String(), tx.GasTipCap().String()
	}
	if e := d.entry; e != nil {
		r.Journal = &StatusJournal{EntryDoc: entryDoc(e), UpdatedAt: e.UpdatedAt.Format(time.RFC3339), File: entryFile(j, e)}
	}
	return r
}

// StatusResult is tx status's result: what the node says about the
// transaction, its fields (from the journal or the node) and the journal
// entry (null when the journal does not have it).
type StatusResult struct {
	TxHash  string `json:"txHash"`
	Network string `json:"network"`
	ChainID uint64 `json:"chainId"`
	// Status is success, reverted, pending or replaced.
	Status string `json:"status"`
	// Node is included, mempool, replaced or unknown.
	Node string `json:"node"`
	// BlockNumber is null until mined.
	BlockNumber       *uint64 `json:"blockNumber"`
	GasUsed           *uint64 `json:"gasUsed,omitempty"`
	EffectiveGasPrice string  `json:"effectiveGasPrice,omitempty"`
	RevertReason      string  `json:"revertReason,omitempty"`

	// The transaction's fields, when its body is known. To is null for a
	// contract creation (see MarshalJSON).
	From                 string  `json:"from,omitempty"`
	Nonce                *uint64 `json:"nonce,omitempty"`
	To                   *string `json:"to,omitempty"`
	Value                string  `json:"value,omitempty"`
	GasLimit             *uint64 `json:"gasLimit,omitempty"`
	MaxFeePerGas         string  `json:"maxFeePerGas,omitempty"`
	MaxPriorityFeePerGas string  `json:"maxPriorityFeePerGas,omitempty"`
	// WaitingForNonce is the nonce that must be mined first when the
	// transaction sits behind a gap.
	WaitingForNonce *uint64 `json:"waitingForNonce,omitempty"`

	Journal *StatusJournal `json:"journal"`

	hasTx bool
	d     *statusDoc
	dir   string
}

// StatusJournal is the journal entry of tx status, with where it lives.
type StatusJournal struct {
	EntryDoc
	UpdatedAt string `json:"updatedAt"`
	File      string `json:"file"`
}

// MarshalJSON keeps "to": null for a contract creation, as scripts tell it
// from a transaction whose body is unknown (no "to" key at all).
func (r *StatusResult) MarshalJSON() ([]byte, error) {
	type plain StatusResult
	if !r.hasTx {
		return json.Marshal((*plain)(r))
	}
	return json.Marshal(struct {
		*plain
		To *string `json:"to"`
	}{plain: (*plain)(r), To: r.To})
}

// RenderHuman implements output.Human.
func (r *StatusResult) RenderHuman(w io.Writer, st output.Styles) {
	d := r.d
	native := func(v *big.Int) string {
		n := d.net.Native()
		return amount.FormatUnits(v, n.Decimals, n.Symbol)
	}
	fmt.Fprintln(w, st.Title.Render("Transaction "+d.hash.Hex()))
	kv := &output.KV{}
	var status string
	switch s := d.status(); s {
	case "success":
		status = st.OK.Render(s)
	case "reverted":
		status = st.Err.Render(s)
	default:
		status = st.Warn.Render(s)
	}
	kv.Add("status", status)
	switch d.obs.Seen {
	case seenMempool:
		kv.Add("node", "in the node's pool, not mined yet")
	case seenUnknown:
		kv.Add("node", "not known to the node (dropped, or it never arrived)")
	case seenReplaced:
		kv.Add("node", "its nonce was used by another transaction; it will never be mined")
	}
	if rc := d.obs.Receipt; rc != nil {
		kv.Add("block", rc.BlockNumber.String())
		kv.Add("gas used", strconv.FormatUint(rc.GasUsed, 10))
		if rc.EffectiveGasPrice != nil {
			kv.Add("gas price", amount.Format(rc.EffectiveGasPrice, 9)+" gwei")
			kv.Add("fee paid", native(new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice)))
		}
		kv.Add("revert reason", output.Safe(d.revertReason)) // decoded from the chain's answer
	}
	kv.Add("network", fmt.Sprintf("%s (chain ID %d)", d.net.Name, d.net.ChainID))
	if tx := d.tx; tx != nil {
		kv.Add("from", d.from.Hex())
		if tx.To() != nil {
			kv.Add("to", tx.To().Hex())
		}
		kv.Add("value", native(tx.Value()))
		kv.Add("nonce", strconv.FormatUint(tx.Nonce(), 10))
		kv.Add("fees", fmt.Sprintf("%s gwei/gas max, %s gwei tip", amount.Format(tx.GasFeeCap(), 9), amount.Format(tx.GasTipCap(), 9)))
	}
	if e := d.entry; e != nil {
		kv.Add("action", e.Action)
		kv.Add("description", output.Safe(e.Description))
		kv.Add("journal", fmt.Sprintf("%s, signed %s", e.State, e.CreatedAt.Local().Format(time.DateTime)))
		if e.ReplacedBy != nil {
			kv.Add("replaced by", e.ReplacedBy.Hex())
		}
		kv.Add("file", r.Journal.File)
	} else {
		kv.Add("journal", "not in this wallet's journal")
	}
	kv.Render(w, st)
	if d.waitingFor != nil {
		fmt.Fprintln(w, st.Warn.Render(fmt.Sprintf("Waiting for nonce %d:", *d.waitingFor))+
			fmt.Sprintf(" this account has no transaction with nonce %d in the pool, so this one (nonce %d) cannot be mined before one is sent.", *d.waitingFor, d.tx.Nonce()))
	}
	if d.status() == "pending" {
		fmt.Fprintln(w, st.Dim.Render(fmt.Sprintf("Stuck? `stakewallet tx speedup %s` re-sends it with higher fees; `stakewallet tx cancel %s` replaces it with a 0-value transfer to yourself. Do not send it again by other means.", d.hash.Hex(), d.hash.Hex())))
	}
}
