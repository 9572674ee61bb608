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
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

type pendingOptions struct {
	f   *cmdutil.Factory
	all bool
}

func newCmdPending(f *cmdutil.Factory) *cobra.Command {
	o := &pendingOptions{f: f}
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
			return runPending(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "every account in the journal, not only the signer's")
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

func runPending(ctx context.Context, o *pendingOptions) error {
	f := o.f
	net, err := f.Network()
	if err != nil {
		return err
	}
	var account common.Address
	if !o.all {
		if noSigner(f) {
			return cmdutil.BadInputf("whose transactions? pass --signer NAME, or --all for every account in the journal")
		}
		if account, err = f.Address(ctx); err != nil {
			return err
		}
	}
	j, err := openJournal(f)
	if err != nil {
		return err
	}
	entries, err := j.List(net.ChainID)
	if err != nil {
		return err
	}
	var open []*journal.Entry
	for _, e := range entries {
		if e.State.Open() && (o.all || e.From == account) {
			open = append(open, e)
		}
	}
	var pending, resolved []pendingItem
	if len(open) > 0 {
		ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		defer cancel()
		c, err := f.Chain(ctx)
		if err != nil {
			return err
		}
		f.IO.StartProgress(fmt.Sprintf("Checking %s against the chain", cmdutil.Plural(len(open), "transaction")))
		for _, e := range open {
			obs, err := refresh(ctx, c, j, e)
			if err != nil {
				f.IO.StopProgress()
				return err
			}
			if e.State.Open() {
				pending = append(pending, pendingItem{e: e, o: obs})
			} else {
				resolved = append(resolved, pendingItem{e: e, o: obs})
			}
		}
		f.IO.StopProgress()
		markSuperseded(pending)
	}
	if f.Flags.JSON {
		return output.JSON(f.IO.Out, map[string]any{
			"transactions": itemsJSON(pending),
			"resolved":     itemsJSON(resolved),
		})
	}
	renderPending(f, j, net.Name, account, o.all, pending, resolved)
	return nil
}

func entryJSON(e *journal.Entry) map[string]any {
	m := map[string]any{
		"txHash":      e.Hash.Hex(),
		"network":     e.Network,
		"chainId":     e.ChainID,
		"from":        e.From.Hex(),
		"nonce":       e.Nonce,
		"action":      e.Action,
		"description": e.Description,
		"state":       string(e.State),
		"blockNumber": nil,
		"createdAt":   e.CreatedAt.Format(time.RFC3339),
	}
	if e.BlockNumber != 0 {
		m["blockNumber"] = e.BlockNumber
	}
	if e.ReplacedBy != nil {
		m["replacedBy"] = e.ReplacedBy.Hex()
	}
	if e.Error != "" {
		m["error"] = e.Error
	}
	return m
}

func itemsJSON(items []pendingItem) []map[string]any {
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		m := entryJSON(it.e)
		m["node"] = string(it.o.Seen)
		if it.supersededBy != nil {
			m["supersededBy"] = it.supersededBy.Hex()
		}
		out = append(out, m)
	}
	return out
}

func renderPending(f *cmdutil.Factory, j *journal.Journal, network string, account common.Address, all bool, pending, resolved []pendingItem) {
	w, st := f.IO.Out, output.NewStyles(f.IO)
	whose := account.Hex()
	if all {
		whose = "any account"
	}
	if len(pending) == 0 {
		fmt.Fprintf(w, "No pending transactions of %s on %s.\n", whose, network)
	} else {
		header := []string{"HASH", "NONCE", "ACTION", "STATE", "NODE", "SIGNED"}
		if all {
			header = append([]string{"FROM"}, header...)
		}
		var rows [][]string
		unknown := 0
		for _, it := range pending {
			node := string(it.o.Seen)
			if it.supersededBy != nil {
				node = "superseded"
			}
			row := []string{it.e.Hash.Hex(), strconv.FormatUint(it.e.Nonce, 10), it.e.Action, string(it.e.State), node, it.e.CreatedAt.Local().Format(time.DateTime)}
			if all {
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
				cmdutil.Plural(unknown, "transaction"), j.Dir())))
		}
	}
	renderResolved(w, st, resolved)
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
