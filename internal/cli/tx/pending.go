package tx

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// PendingOptions are tx pending's inputs. It only reads (and brings the
// journal up to date), so it takes no transaction flags.
type PendingOptions struct {
	txcmd.Deps
	JSON bool

	// All lists every account's transactions, not only the signer's.
	All bool
}

// NewCmdPending returns tx pending; runF replaces its body in tests.
func NewCmdPending(f *cmdutil.Factory, runF func(*PendingOptions) error) *cobra.Command {
	opts := &PendingOptions{Deps: txcmd.DepsFrom(f)}
	cmd := &cobra.Command{
		Use:   "pending",
		Short: "List signed transactions that are not mined yet",
		Long: `List the journal's transactions of the signer's account (--all: every
account) on the network that are signed or broadcast but not known to be
mined. Each is first checked against the chain, and the journal updated:
a transaction that was mined leaves the list (included or reverted), and one
whose nonce another transaction used is marked replaced. Those are listed
under "resolved" (JSON) or below the table.

The NODE column says whether the node has the transaction in its pool
(mempool), holds a replacement of it with the same nonce instead
(superseded: JSON "supersededBy"; wait, or speed up the replacement), or
neither (unknown: dropped, or it never arrived: re-broadcast it with
` + "`stakewallet tx send JOURNAL-FILE`" + ` or replace it with ` + "`tx cancel`" + `).`,
		Example: `  stakewallet tx pending --signer alice
  stakewallet tx pending --all --json`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return pendingRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "every account in the journal, not only the signer's")
	return cmd
}

// pendingItem is one row of the listing.
type pendingItem struct {
	e *journal.Entry
	o *observation
	// supersededBy is a pending transaction of the same nonce that the
	// node holds instead of this one (a speed-up or cancel outbid it).
	supersededBy *common.Hash
}

// markSuperseded finds, for entries the node does not have, a journaled
// replacement of the same nonce that it does: those are not lost, only
// outbid, and must not be re-broadcast.
func markSuperseded(items []pendingItem) {
	inPool := map[sender]common.Hash{}
	for _, it := range items {
		if it.o.Seen == seenMempool {
			inPool[sender{From: it.e.From, Nonce: it.e.Nonce}] = it.e.Hash
		}
	}
	for i := range items {
		if items[i].o.Seen != seenUnknown {
			continue
		}
		if h, ok := inPool[sender{From: items[i].e.From, Nonce: items[i].e.Nonce}]; ok {
			items[i].supersededBy = &h
		}
	}
}

func pendingRun(ctx context.Context, opts *PendingOptions) error {
	net, err := opts.Network()
	if err != nil {
		return err
	}
	var account common.Address
	if !opts.All {
		if noSigner(opts.Deps) {
			return cmdutil.BadInputf("whose transactions? pass --signer NAME, or --all for every account in the journal")
		}
		if account, err = opts.Address(ctx); err != nil {
			return err
		}
	}
	j, err := openJournal(opts.Deps)
	if err != nil {
		return err
	}
	entries, err := j.List(net.ChainID)
	if err != nil {
		return err
	}
	var open []*journal.Entry
	for _, e := range entries {
		if e.State.Open() && (opts.All || e.From == account) {
			open = append(open, e)
		}
	}
	res := &PendingResult{Transactions: []PendingTx{}, Resolved: []PendingTx{}, network: net.Name, account: account, all: opts.All, dir: j.Dir()}
	if len(open) > 0 {
		ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		defer cancel()
		c, err := opts.Chain(ctx)
		if err != nil {
			return err
		}
		opts.IO.StartProgress(fmt.Sprintf("Checking %s against the chain", cmdutil.Plural(len(open), "transaction")))
		for _, e := range open {
			obs, err := refresh(ctx, c, j, e)
			if err != nil {
				opts.IO.StopProgress()
				return err
			}
			if e.State.Open() {
				res.pending = append(res.pending, pendingItem{e: e, o: obs})
			} else {
				res.resolved = append(res.resolved, pendingItem{e: e, o: obs})
			}
		}
		if !opts.All && len(res.pending) > 0 {
			if res.Gap, err = nonceGap(ctx, c, j, net.ChainID, account); err != nil {
				opts.IO.StopProgress()
				return err
			}
		}
		opts.IO.StopProgress()
		markSuperseded(res.pending)
	}
	res.Transactions, res.Resolved = itemDocs(res.pending), itemDocs(res.resolved)
	return output.Print(opts.IO, opts.JSON, res)
}

// EntryDoc is a journal entry in JSON.
type EntryDoc struct {
	TxHash      string `json:"txHash"`
	Network     string `json:"network"`
	ChainID     uint64 `json:"chainId"`
	From        string `json:"from"`
	Nonce       uint64 `json:"nonce"`
	Action      string `json:"action"`
	Description string `json:"description"`
	State       string `json:"state"`
	// BlockNumber is null until the entry is known to be mined.
	BlockNumber *uint64 `json:"blockNumber"`
	CreatedAt   string  `json:"createdAt"`
	ReplacedBy  string  `json:"replacedBy,omitempty"`
	Error       string  `json:"error,omitempty"`
}

func entryDoc(e *journal.Entry) EntryDoc {
	d := EntryDoc{
		TxHash: e.Hash.Hex(), Network: e.Network, ChainID: e.ChainID, From: e.From.Hex(), Nonce: e.Nonce,
		Action: e.Action, Description: e.Description, State: string(e.State),
		CreatedAt: e.CreatedAt.Format(time.RFC3339), Error: e.Error,
	}
	if e.BlockNumber != 0 {
		bn := e.BlockNumber
		d.BlockNumber = &bn
	}
	if e.ReplacedBy != nil {
		d.ReplacedBy = e.ReplacedBy.Hex()
	}
	return d
}

// PendingTx is one transaction of tx pending: its journal entry and what
// the node knows of it.
type PendingTx struct {
	EntryDoc
	// Node is included, mempool, replaced or unknown.
	Node         string `json:"node"`
	SupersededBy string `json:"supersededBy,omitempty"`
}

func itemDocs(items []pendingItem) []PendingTx {
	out := make([]PendingTx, 0, len(items))
	for _, it := range items {
		d := PendingTx{EntryDoc: entryDoc(it.e), Node: string(it.o.Seen)}
		if it.supersededBy != nil {
			d.SupersededBy = it.supersededBy.Hex()
		}
		out = append(out, d)
	}
	return out
}

// PendingResult is tx pending's result: the transactions still open after
// checking the chain, and those the check resolved.
type PendingResult struct {
	Transactions []PendingTx `json:"transactions"`
	Resolved     []PendingTx `json:"resolved"`
	// Gap is set when open transactions lie past the node's next nonce:
	// the account's next transaction follows them and waits for them.
	Gap *NonceGap `json:"gap,omitempty"`

	network           string
	account           common.Address
	all               bool
	dir               string
	pending, resolved []pendingItem
}

// RenderHuman implements output.Human.
func (r *PendingResult) RenderHuman(w io.Writer, st output.Styles) {
	whose := r.account.Hex()
	if r.all {
		whose = "any account"
	}
	if len(r.pending) == 0 {
		fmt.Fprintf(w, "No pending transactions of %s on %s.\n", whose, r.network)
	} else {
		header := []string{"HASH", "NONCE", "ACTION", "STATE", "NODE", "SIGNED"}
		if r.all {
			header = append([]string{"FROM"}, header...)
		}
		var rows [][]string
		unknown := 0
		for _, it := range r.pending {
			node := string(it.o.Seen)
			if it.supersededBy != nil {
				node = "superseded"
			}
			row := []string{it.e.Hash.Hex(), strconv.FormatUint(it.e.Nonce, 10), it.e.Action, string(it.e.State), node, it.e.CreatedAt.Local().Format(time.DateTime)}
			if r.all {
				row = append([]string{it.e.From.Hex()}, row...)
			}
			rows = append(rows, row)
			if it.o.Seen == seenUnknown && it.supersededBy == nil {
				unknown++
			}
		}
		output.Table(w, st, header, rows)
		if unknown > 0 {
			fmt.Fprintln(w, st.Dim.Render(fmt.Sprintf(
				"%s not in the node's pool: re-broadcast with `stakewallet tx send %s/CHAINID-HASH.json`, or replace with `stakewallet tx cancel HASH`.",
				cmdutil.Plural(unknown, "transaction"), r.dir)))
		}
	}
	if g := r.Gap; g != nil {
		fmt.Fprintln(w, st.Warn.Render(fmt.Sprintf(
			"Nonce gap: the node's next nonce is %d, but the journal holds %s from nonce %d on; the next transaction of this account takes nonce %d and is mined only after them.",
			g.NodeNonce, cmdutil.Plural(g.Open, "open transaction"), g.FirstNonce, g.NextNonce)))
	}
	renderResolved(w, st, r.resolved)
}

// NonceGap describes open journal entries the node's nonce does not
// account for (see journal.NextNonce).
type NonceGap struct {
	NodeNonce  uint64 `json:"nodeNonce"`
	FirstNonce uint64 `json:"firstNonce"`
	Open       int    `json:"open"`
	NextNonce  uint64 `json:"nextNonce"`
}

// nonceGap reads the node's pending nonce of account and compares it with
// the journal: nil when the node knows every open transaction.
func nonceGap(ctx context.Context, c cmdutil.Chain, j *journal.Journal, chainID uint64, account common.Address) (*NonceGap, error) {
	pending, err := c.PendingNonceAt(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("read the nonce of %s: %w", account.Hex(), err)
	}
	next, gap, err := j.NextNonce(chainID, account, pending)
	if err != nil || len(gap) == 0 {
		return nil, err
	}
	first := gap[0].Nonce
	for _, e := range gap {
		first = min(first, e.Nonce)
	}
	return &NonceGap{NodeNonce: pending, FirstNonce: first, Open: len(gap), NextNonce: next}, nil
}

func renderResolved(w io.Writer, st output.Styles, resolved []pendingItem) {
	for _, it := range resolved {
		e := it.e
		var what string
		switch e.State {
		case journal.StateIncluded:
			what = st.OK.Render("included") + fmt.Sprintf(" in block %d", e.BlockNumber)
		case journal.StateReverted:
			what = st.Err.Render("reverted") + fmt.Sprintf(" in block %d", e.BlockNumber)
		case journal.StateReplaced:
			what = st.Warn.Render("replaced")
			if e.ReplacedBy != nil {
				what += " by " + e.ReplacedBy.Hex()
			} else {
				what += fmt.Sprintf(" (nonce %d was used by another transaction)", e.Nonce)
			}
		default:
			what = string(e.State)
		}
		fmt.Fprintf(w, "%s %s (%s, nonce %d): %s\n", st.Dim.Render("resolved"), e.Hash.Hex(), e.Action, e.Nonce, what)
	}
}
