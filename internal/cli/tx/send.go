package tx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// maxRawSize bounds what send reads: a signed transaction is at most
// ~128 KiB (the txpool's limit) in hex, twice that, plus JSON around it.
const maxRawSize = 1 << 20

type sendOptions struct {
	f    *cmdutil.Factory
	file string
}

func newCmdSend(f *cmdutil.Factory) *cobra.Command {
	o := &sendOptions{f: f}
	return &cobra.Command{
		Use:   "send FILE",
		Short: "Broadcast a signed raw transaction and wait for it",
		Long: `Broadcast a transaction that is already signed: signed offline, by another
wallet (cast mktx), or taken from the journal. FILE ('-' for stdin) holds
the raw transaction as hex (0x optional) or a journal entry (JSON with a
"raw" field), so a journal file can be sent as it is.

The transaction's chain ID must be the network's (exit 3 otherwise). It is
previewed and confirmed (--yes to skip), journaled, broadcast and waited for
like every transaction; sending the same signed bytes again is harmless (the
hash is the same). One that is mined already is reported, not sent; one
whose nonce is already used is refused (exit 2). No --signer is needed.`,
		Example: `  cast mktx … > signed.hex && stakewallet tx send signed.hex
  stakewallet tx send ~/.config/stakewallet/journal/1-0x5c50….json --yes
  echo 0x02f8… | stakewallet tx send - --yes --json`,
		Args: cmdutil.ExactArgs(1, "FILE (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			return runSend(cmd.Context(), o)
		},
	}
}

// readRaw reads FILE or stdin, bounded.
func readRaw(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = stdin
	} else {
		fh, err := os.Open(name)
		if err != nil {
			return nil, cmdutil.BadInput(fmt.Errorf("read the signed transaction: %w", err))
		}
		defer fh.Close()
		r = fh
	}
	data, err := io.ReadAll(io.LimitReader(r, maxRawSize+1))
	if err != nil {
		return nil, cmdutil.BadInput(fmt.Errorf("read the signed transaction: %w", err))
	}
	if len(data) > maxRawSize {
		return nil, cmdutil.BadInputf("%s is larger than %d bytes: not a signed transaction", name, maxRawSize)
	}
	return data, nil
}

// decodeSigned parses hex or a journal entry into a signed transaction and
// its sender. Everything wrong with it is bad input.
func decodeSigned(data []byte) (*types.Transaction, common.Address, error) {
	text := strings.TrimSpace(string(data))
	if text == "" {
		return nil, common.Address{}, cmdutil.BadInputf("no signed transaction: the input is empty")
	}
	var raw []byte
	if strings.HasPrefix(text, "{") {
		var entry struct {
			Raw hexutil.Bytes `json:"raw"`
		}
		if err := json.Unmarshal([]byte(text), &entry); err != nil {
			return nil, common.Address{}, cmdutil.BadInputf("the input looks like JSON but is not a journal entry: %w", err)
		}
		if len(entry.Raw) == 0 {
			return nil, common.Address{}, cmdutil.BadInputf("the JSON input has no \"raw\" field with the signed transaction")
		}
		raw = entry.Raw
	} else {
		if !strings.HasPrefix(text, "0x") && !strings.HasPrefix(text, "0X") {
			text = "0x" + text
		}
		b, err := hexutil.Decode(text)
		if err != nil {
			return nil, common.Address{}, cmdutil.BadInputf("the input is not a hex-encoded signed transaction: %w", err)
		}
		raw = b
	}
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(raw); err != nil {
		return nil, common.Address{}, cmdutil.BadInputf("the input is not a signed transaction: %w", err)
	}
	if !tx.Protected() {
		return nil, common.Address{}, cmdutil.BadInputf("transaction %s has no chain ID (pre-EIP-155): it could be replayed on any chain; refusing to send it", tx.Hash().Hex())
	}
	from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx)
	if err != nil {
		return nil, common.Address{}, cmdutil.BadInputf("transaction %s has no valid signature: %w", tx.Hash().Hex(), err)
	}
	return tx, from, nil
}

func runSend(ctx context.Context, o *sendOptions) error {
	f := o.f
	data, err := readRaw(o.file, f.IO.In)
	if err != nil {
		return err
	}
	tx, from, err := decodeSigned(data)
	if err != nil {
		return err
	}
	if f.Flags.Confirmations == 0 {
		return cmdutil.BadInputf("--confirmations must be at least 1")
	}
	net, err := f.Network()
	if err != nil {
		return err
	}
	// Before dialing: a transaction for another chain must never be
	// broadcast here, whatever the RPC answers.
	if tx.ChainId().Cmp(new(big.Int).SetUint64(net.ChainID)) != 0 {
		return fmt.Errorf("%w: transaction %s is signed for chain %s, but network %s is chain %d; use the matching --network",
			txflow.ErrWrongChain, tx.Hash().Hex(), tx.ChainId(), net.Name, net.ChainID)
	}
	c, err := f.Chain(ctx)
	if err != nil {
		return err
	}
	j, err := openJournal(f)
	if err != nil {
		return err
	}
	entry, err := j.Get(net.ChainID, tx.Hash())
	if err != nil {
		entry = nil // not journaled yet; SendSigned records it
	}
	obs, err := observe(ctx, c, tx.Hash(), &sender{From: from, Nonce: tx.Nonce()})
	if err != nil {
		return err
	}
	if entry != nil {
		if err := record(j, entry, obs, nil); err != nil {
			return err
		}
	}
	dec := newDecoder(ctx, f)
	step := txflow.StepOf(tx, "send", describeRaw(net, tx))
	if entry != nil {
		step.Call.Action, step.Call.Description = entry.Action, entry.Description
	}
	s := &sendView{f: f, net: net, from: from, tx: tx, dec: dec}
	switch obs.Seen {
	case seenIncluded:
		// Idempotent: a script that retries a send gets the result, and
		// nothing goes out twice.
		fmt.Fprintf(f.IO.ErrOut, "Transaction %s is already mined (block %s); nothing was sent.\n", tx.Hash().Hex(), obs.Receipt.BlockNumber)
		res := &txflow.Result{Step: step, Hash: tx.Hash(), Receipt: obs.Receipt}
		if obs.Receipt.Status != types.ReceiptStatusSuccessful {
			// The same exit (4) as when this send had mined it.
			reason := replayRevert(ctx, c, dec, from, tx, obs.Receipt)
			return s.done(res, &txflow.RevertedError{Hash: tx.Hash(), Action: step.Call.Action, Reason: reason})
		}
		return s.done(res, nil)
	case seenReplaced:
		return cmdutil.WithExit(cmdutil.ExitBadInput, "nonce_used", fmt.Errorf(
			"nonce %d of %s is already used by another transaction: %s can never be mined; nothing was sent", tx.Nonce(), from.Hex(), tx.Hash().Hex()))
	}
	if f.Flags.DryRun {
		if f.Flags.JSON {
			t := s.txJSON(&txflow.Result{Step: step, Hash: tx.Hash()})
			t["status"] = "unsent"
			doc := s.base()
			doc["dryRun"] = true
			doc["transactions"] = []map[string]any{t}
			return output.JSON(f.IO.Out, doc)
		}
		st := output.NewStyles(f.IO)
		s.preview(f.IO.Out, st, step, obs)
		fmt.Fprintln(f.IO.Out, st.Dim.Render("Dry run: nothing was sent."))
		return nil
	}
	if !f.Flags.Yes {
		s.preview(f.IO.ErrOut, output.NewStyles(f.IO), step, obs)
		ok, err := f.IO.Confirm("Broadcast?")
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
		Confirmations: f.Flags.Confirmations,
		Timeout:       f.Flags.Timeout,
		RevertData:    abidecode.RevertData,
		DecodeRevert:  dec.revert,
	})
	hooks := txflow.Hooks{
		Sent: func(_ int, h common.Hash) {
			f.IO.StartProgress(fmt.Sprintf("Waiting for %s to be mined", h.Hex()))
			if !f.IO.IsStderrTTY() && !f.Flags.JSON {
				fmt.Fprintf(f.IO.ErrOut, "sent %s: %s\n", step.Call.Action, h.Hex())
			}
		},
	}
	f.IO.StartProgress("Broadcasting " + tx.Hash().Hex())
	res, err := flow.SendSigned(ctx, tx, step.Call.Action, step.Call.Description, hooks)
	f.IO.StopProgress()
	return s.done(res, err)
}

func describeRaw(net *config.Network, tx *types.Transaction) string {
	if tx.To() == nil {
		return fmt.Sprintf("Create a contract (raw transaction, nonce %d)", tx.Nonce())
	}
	d := fmt.Sprintf("Send %s to %s", amount.FormatUnits(tx.Value(), 18, net.NativeSymbol), tx.To().Hex())
	if len(tx.Data()) >= 4 {
		d += fmt.Sprintf(" calling 0x%x", tx.Data()[:4])
	}
	return d + fmt.Sprintf(" (raw transaction, nonce %d)", tx.Nonce())
}

// sendView renders tx send's preview and result.
type sendView struct {
	f    *cmdutil.Factory
	net  *config.Network
	from common.Address
	tx   *types.Transaction
	dec  *decoder
}

func (s *sendView) native(v *big.Int) string {
	return amount.FormatUnits(v, 18, s.net.NativeSymbol)
}

func (s *sendView) preview(w io.Writer, st output.Styles, step *txflow.Step, obs *observation) {
	tx := s.tx
	fmt.Fprintln(w, st.Title.Render("Broadcast signed transaction "+tx.Hash().Hex()))
	kv := &output.KV{}
	kv.Add("network", fmt.Sprintf("%s (chain ID %d)", s.net.Name, s.net.ChainID))
	kv.Add("from", s.from.Hex())
	kv.Add("description", step.Call.Description)
	if tx.To() != nil {
		kv.Add("to", tx.To().Hex())
	}
	kv.Add("value", s.native(tx.Value()))
	if len(tx.Data()) > 0 {
		kv.Add("data", fmt.Sprintf("%d bytes, selector 0x%x", len(tx.Data()), tx.Data()[:min(4, len(tx.Data()))]))
	}
	kv.Add("nonce", strconv.FormatUint(tx.Nonce(), 10))
	kv.Add("gas limit", strconv.FormatUint(tx.Gas(), 10))
	kv.Add("max fee", fmt.Sprintf("%s (%s gwei/gas max, %s gwei tip)",
		s.native(new(big.Int).Mul(new(big.Int).SetUint64(tx.Gas()), tx.GasFeeCap())), amount.Format(tx.GasFeeCap(), 9), amount.Format(tx.GasTipCap(), 9)))
	if obs.Seen == seenMempool {
		kv.Add("note", "the node already has it; broadcasting again is harmless")
	}
	kv.Render(w, st)
}

func (s *sendView) base() map[string]any {
	return map[string]any{
		"action":  "send",
		"network": s.net.Name,
		"chainId": s.net.ChainID,
		"from":    s.from.Hex(),
	}
}

func (s *sendView) txJSON(r *txflow.Result) map[string]any {
	m := map[string]any{
		"action":      r.Step.Call.Action,
		"description": r.Step.Call.Description,
		"txHash":      r.Hash.Hex(),
		"nonce":       s.tx.Nonce(),
		"status":      "pending",
		"blockNumber": nil,
	}
	if rc := r.Receipt; rc != nil {
		m["status"] = receiptStatus(rc)
		m["blockNumber"] = rc.BlockNumber.Uint64()
		m["gasUsed"] = rc.GasUsed
		if rc.EffectiveGasPrice != nil {
			m["effectiveGasPrice"] = rc.EffectiveGasPrice.String()
		}
		m["events"] = abidecode.DecodeLogs(rc.Logs, s.dec.abis...)
	}
	return m
}

// done prints the outcome: the transaction JSON on success, and on an
// error after broadcast the transaction on stderr before the error, so its
// hash is never lost.
func (s *sendView) done(res *txflow.Result, runErr error) error {
	io, st := s.f.IO, output.NewStyles(s.f.IO)
	if runErr != nil {
		if res != nil && !s.f.Flags.JSON {
			s.renderTx(io.ErrOut, st, res)
		}
		return runErr
	}
	if s.f.Flags.JSON {
		doc := s.base()
		doc["transactions"] = []map[string]any{s.txJSON(res)}
		return output.JSON(io.Out, doc)
	}
	fmt.Fprintln(io.Out, st.OK.Render("✓ ")+st.Title.Render(res.Step.Call.Description))
	s.renderTx(io.Out, st, res)
	return nil
}

func (s *sendView) renderTx(w io.Writer, st output.Styles, r *txflow.Result) {
	status := st.Warn.Render("pending")
	kv := &output.KV{}
	if rc := r.Receipt; rc != nil {
		status = st.OK.Render("success")
		if rc.Status != types.ReceiptStatusSuccessful {
			status = st.Err.Render("reverted")
		}
		kv.Add("   block", rc.BlockNumber.String())
		if rc.EffectiveGasPrice != nil {
			kv.Add("   fee paid", s.native(new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice)))
		}
	}
	fmt.Fprintf(w, "  %s %s  %s\n", r.Step.Call.Action, st.Dim.Render(r.Hash.Hex()), status)
	kv.Render(w, st)
}
