package tx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/txdoc"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// sendDocRun broadcasts every transaction of a signed document, in nonce
// order, as tx send broadcasts one: each journaled before it is sent, one
// the node has already waited for rather than sent again, one mined
// already reported, and a document whose nonces another transaction used
// refused as stale before anything is sent.
func sendDocRun(ctx context.Context, opts *SendOptions, data []byte) error {
	d, err := txdoc.Parse(data)
	if err != nil {
		return cmdutil.BadInput(fmt.Errorf("%s: %w", opts.File, err))
	}
	if !d.Signed() {
		return cmdutil.BadInputf("%s is an unsigned document: sign it first, where the key is, with `stakewallet tx sign %s --out signed.json`, then send signed.json", opts.File, opts.File)
	}
	net, err := opts.Network()
	if err != nil {
		return err
	}
	// Before dialing: a document for another chain is never broadcast here.
	if d.ChainID != net.ChainID {
		return fmt.Errorf("%w: the document is signed for chain %d (%s), but network %s is chain %d; use the matching --network",
			txflow.ErrWrongChain, d.ChainID, d.Network, net.Name, net.ChainID)
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	if _, err := checkDoc(cfg, net, d); err != nil {
		return err
	}
	txs, err := d.SignedTxs()
	if err != nil {
		return cmdutil.BadInput(err)
	}
	byHash := map[common.Hash]*txdoc.Tx{}
	for _, t := range d.Transactions {
		byHash[*t.Hash] = t
	}
	c, err := opts.Chain(ctx)
	if err != nil {
		return err
	}
	j, err := openJournal(opts.Deps)
	if err != nil {
		return err
	}
	obs, next, err := observeDoc(ctx, c, d.From, txs)
	if err != nil {
		return err
	}
	for i, tx := range txs {
		if e, err := j.Get(net.ChainID, tx.Hash()); err == nil {
			if err := record(j, e, obs[i], nil); err != nil {
				return err
			}
		}
		if obs[i].Seen == seenReplaced {
			return cmdutil.WithExit(cmdutil.ExitBadInput, "nonce_used", fmt.Errorf(
				"nonce %d of %s is already used by another transaction: the document is stale; build it again (%s can never be mined; nothing was sent)",
				tx.Nonce(), d.From.Hex(), tx.Hash().Hex()))
		}
	}
	// The first transaction to send must be the account's next one: a
	// document built before others that are not sent yet would wait in
	// the node's queue until the timeout.
	for i, tx := range txs {
		if obs[i].Seen != seenUnknown {
			continue
		}
		if tx.Nonce() > next {
			return cmdutil.WithExit(cmdutil.ExitBadInput, "nonce_gap", fmt.Errorf(
				"%s has nonce %d, but the next nonce of %s is %d: a transaction built before it was never sent; send that document first (nothing was sent)",
				tx.Hash().Hex(), tx.Nonce(), d.From.Hex(), next))
		}
		break
	}
	dec := newDecoder(ctx, opts.Deps)
	res := &DocSendResult{Action: "send", Network: net.Name, ChainID: net.ChainID, From: d.From.Hex(), Document: opts.File, doc: d}
	row := func(tx *types.Transaction, rc *types.Receipt, status string) SentTx {
		t := byHash[tx.Hash()]
		s := SentTx{Action: t.Action, Description: t.Description, TxHash: tx.Hash().Hex(), Nonce: tx.Nonce(), Status: status}
		if rc != nil {
			bn, gas := rc.BlockNumber.Uint64(), rc.GasUsed
			s.Status, s.BlockNumber, s.GasUsed = receiptStatus(rc), &bn, &gas
			if rc.EffectiveGasPrice != nil {
				s.EffectiveGasPrice = rc.EffectiveGasPrice.String()
			}
			events := abidecode.DecodeLogs(rc.Logs, dec.abis...)
			s.Events = &events
		}
		return s
	}
	todo := 0
	for _, o := range obs {
		if o.Seen != seenIncluded {
			todo++
		}
	}
	if opts.Tx.DryRun || todo == 0 {
		for i, tx := range txs {
			status := "unsent"
			if obs[i].Seen == seenMempool {
				status = "pending"
			}
			res.Transactions = append(res.Transactions, row(tx, obs[i].Receipt, status))
		}
		res.DryRun = opts.Tx.DryRun && todo > 0
		if todo == 0 {
			fmt.Fprintln(opts.IO.ErrOut, "Every transaction of the document is mined already; nothing was sent.")
		}
		return output.Print(opts.IO, opts.JSON, res)
	}
	if !opts.Tx.Yes {
		st := output.NewStyles(opts.IO)
		txcmd.RenderLines(opts.IO.ErrOut, st, d.Preview)
		kv := &output.KV{}
		for i, tx := range txs {
			kv.Add(fmt.Sprintf("   %d. %s", i+1, byHash[tx.Hash()].Action), fmt.Sprintf("%s (%s)", tx.Hash().Hex(), obs[i].Seen))
		}
		kv.Render(opts.IO.ErrOut, st)
		ok, err := opts.IO.Confirm(fmt.Sprintf("Broadcast %d transaction(s)?", todo))
		if errors.Is(err, iostreams.ErrNoTTY) {
			return cmdutil.WithExit(cmdutil.ExitNeedsInput, "confirmation_required",
				errors.New("confirmation needed but stdin is not a terminal: re-run with --yes to broadcast without asking (nothing was sent)"))
		}
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.WithExit(cmdutil.ExitNeedsInput, "declined", errors.New("declined: nothing was sent"))
		}
	}
	flow := txflow.New(c, j, txflow.Options{
		Network:       net.Name,
		ChainID:       new(big.Int).SetUint64(net.ChainID),
		Confirmations: opts.Tx.Confirmations,
		Timeout:       opts.Tx.Timeout,
		RevertData:    abidecode.RevertData,
		DecodeRevert:  dec.revert,
	})
	fail := func(err error) error {
		if !opts.JSON {
			res.renderRows(opts.IO.ErrOut, output.NewStyles(opts.IO))
		}
		return err
	}
	for i, tx := range txs {
		t := byHash[tx.Hash()]
		switch obs[i].Seen {
		case seenIncluded:
			fmt.Fprintf(opts.IO.ErrOut, "%s %s is mined already (block %s); not sent again.\n", t.Action, tx.Hash().Hex(), obs[i].Receipt.BlockNumber)
			res.Transactions = append(res.Transactions, row(tx, obs[i].Receipt, ""))
			if obs[i].Receipt.Status != types.ReceiptStatusSuccessful {
				return fail(&txflow.RevertedError{Hash: tx.Hash(), Action: t.Action, Reason: replayRevert(ctx, c, dec, d.From, tx, obs[i].Receipt)})
			}
			continue
		case seenMempool:
			// The node has it: wait for it, do not send it again.
			opts.IO.StartProgress(fmt.Sprintf("[%d/%d] Waiting for %s (already sent) to be mined", i+1, len(txs), tx.Hash().Hex()))
			rc, err := flow.Wait(ctx, tx.Hash())
			opts.IO.StopProgress()
			if err != nil {
				res.Transactions = append(res.Transactions, row(tx, nil, "pending"))
				return fail(err)
			}
			if e, err := j.Get(net.ChainID, tx.Hash()); err == nil {
				if err := record(j, e, &observation{Seen: seenIncluded, Receipt: rc}, nil); err != nil {
					return fail(err)
				}
			}
			res.Transactions = append(res.Transactions, row(tx, rc, ""))
			if rc.Status != types.ReceiptStatusSuccessful {
				return fail(&txflow.RevertedError{Hash: tx.Hash(), Action: t.Action, Reason: replayRevert(ctx, c, dec, d.From, tx, rc)})
			}
			continue
		}
		opts.IO.StartProgress(fmt.Sprintf("[%d/%d] Sending %s %s", i+1, len(txs), t.Action, tx.Hash().Hex()))
		sent, err := flow.SendSigned(ctx, tx, t.Action, t.Description, txflow.Hooks{})
		opts.IO.StopProgress()
		if sent != nil {
			res.Transactions = append(res.Transactions, row(tx, sent.Receipt, "pending"))
		}
		if err != nil {
			return fail(err)
		}
		if !opts.IO.IsStderrTTY() && !opts.JSON {
			fmt.Fprintf(opts.IO.ErrOut, "sent %s: %s\n", t.Action, tx.Hash().Hex())
		}
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// DocSendResult is tx send's result for a signed document: every
// transaction, in nonce order.
type DocSendResult struct {
	Action       string   `json:"action"`
	Network      string   `json:"network"`
	ChainID      uint64   `json:"chainId"`
	From         string   `json:"from"`
	Document     string   `json:"document"`
	DryRun       bool     `json:"dryRun,omitempty"`
	Transactions []SentTx `json:"transactions"`

	doc *txdoc.Doc
}

// RenderHuman implements output.Human.
func (r *DocSendResult) RenderHuman(w io.Writer, st output.Styles) {
	if r.DryRun {
		txcmd.RenderLines(w, st, r.doc.Preview)
		r.renderRows(w, st)
		fmt.Fprintln(w, st.Dim.Render("Dry run: nothing was sent."))
		return
	}
	fmt.Fprintln(w, st.OK.Render("✓ ")+st.Title.Render(r.doc.Title))
	r.renderRows(w, st)
}

func (r *DocSendResult) renderRows(w io.Writer, st output.Styles) {
	for _, t := range r.Transactions {
		status := st.Warn.Render(t.Status)
		switch t.Status {
		case "success":
			status = st.OK.Render(t.Status)
		case "reverted":
			status = st.Err.Render(t.Status)
		}
		fmt.Fprintf(w, "  %s %s  %s\n", t.Action, st.Dim.Render(t.TxHash), status)
		if t.BlockNumber != nil {
			(&output.KV{}).Add("   block", fmt.Sprint(*t.BlockNumber)).Render(w, st)
		}
	}
}

// observeDoc asks the node about every transaction of a document and the
// account's pending nonce: one round trip on a batching backend (the
// account's mined nonce first, as observe reads it, so that a missing
// receipt with the nonce used means another transaction took it), else
// one observe per transaction.
func observeDoc(ctx context.Context, c cmdutil.Chain, from common.Address, txs []*types.Transaction) ([]*observation, uint64, error) {
	obs := make([]*observation, len(txs))
	b, ok := c.(txflow.Batcher)
	if !ok {
		for i, tx := range txs {
			o, err := observe(ctx, c, tx.Hash(), &sender{From: from, Nonce: tx.Nonce()})
			if err != nil {
				return nil, 0, err
			}
			obs[i] = o
		}
		next, err := c.PendingNonceAt(ctx, from)
		if err != nil {
			return nil, 0, fmt.Errorf("read the nonce of %s: %w", from.Hex(), err)
		}
		return obs, next, nil
	}
	var latest, pending hexutil.Uint64
	elems := []rpc.BatchElem{
		{Method: "eth_getTransactionCount", Args: []any{from, "latest"}, Result: &latest},
		{Method: "eth_getTransactionCount", Args: []any{from, "pending"}, Result: &pending},
	}
	receipts := make([]*types.Receipt, len(txs))
	found := make([]*struct {
		BlockNumber *hexutil.Big `json:"blockNumber"`
	}, len(txs))
	for i, tx := range txs {
		elems = append(elems,
			rpc.BatchElem{Method: "eth_getTransactionReceipt", Args: []any{tx.Hash()}, Result: &receipts[i]},
			rpc.BatchElem{Method: "eth_getTransactionByHash", Args: []any{tx.Hash()}, Result: &found[i]})
	}
	if err := b.Batch(ctx, elems); err != nil {
		return nil, 0, fmt.Errorf("read the state of the document's transactions: %w", err)
	}
	for _, e := range elems[:2] {
		if e.Error != nil {
			return nil, 0, fmt.Errorf("read the nonce of %s: %w", from.Hex(), e.Error)
		}
	}
	for i, tx := range txs {
		rerr, terr := elems[2+2*i].Error, elems[3+2*i].Error
		switch {
		case rerr == nil && receipts[i] != nil:
			obs[i] = &observation{Seen: seenIncluded, Receipt: receipts[i]}
			continue
		case rerr != nil && !errors.Is(rerr, ethereum.NotFound):
			return nil, 0, fmt.Errorf("read the receipt of %s: %w", tx.Hash().Hex(), rerr)
		case terr != nil && !errors.Is(terr, ethereum.NotFound):
			return nil, 0, fmt.Errorf("look up %s: %w", tx.Hash().Hex(), terr)
		}
		known := terr == nil && found[i] != nil
		switch {
		case known && found[i].BlockNumber == nil:
			obs[i] = &observation{Seen: seenMempool}
		case !known && uint64(latest) > tx.Nonce():
			obs[i] = &observation{Seen: seenReplaced}
		default:
			// Unknown, or in a block whose receipt is not indexed yet.
			obs[i] = &observation{Seen: seenUnknown}
		}
	}
	return obs, uint64(pending), nil
}
