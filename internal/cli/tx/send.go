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
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/txdoc"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// maxRawSize bounds what send reads: a signed transaction is at most
// ~128 KiB (the txpool's limit) in hex, twice that, plus JSON around it.
const maxRawSize = 1 << 20

// SendOptions are tx send's inputs. Of the transaction flags it uses
// --yes, --dry-run, --timeout and --confirmations: the nonce, gas and fees
// of a signed transaction are fixed.
type SendOptions struct {
	txcmd.Deps
	JSON bool
	Tx   cmdutil.TxFlags

	// File holds the signed transaction; "-" is stdin.
	File string
}

// NewCmdSend returns tx send; runF replaces its body in tests.
func NewCmdSend(f *cmdutil.Factory, runF func(*SendOptions) error) *cobra.Command {
	opts := &SendOptions{Deps: txcmd.DepsFrom(f), Tx: cmdutil.DefaultTxFlags()}
	cmd := &cobra.Command{
		Use:   "send FILE",
		Short: "Broadcast a signed raw transaction or signed document and wait for it",
		Long: `Broadcast a transaction that is already signed: signed offline, by another
wallet (cast mktx), or taken from the journal. FILE ('-' for stdin) holds
the raw transaction as hex (0x optional) or a journal entry (JSON with a
"raw" field), so a journal file can be sent as it is, or a signed document
written by ` + "`stakewallet tx sign`" + `: all its transactions, in nonce order (one
the node has already is waited for, not sent again; one mined already is
reported; a document whose nonce another transaction used is stale and
refused, exit 2).

The transaction's chain ID must be the network's (exit 3 otherwise). It is
previewed and confirmed (--yes to skip), journaled, broadcast and waited for
like every transaction; sending the same signed bytes again is harmless (the
hash is the same). One that is mined already is reported, not sent; one
whose nonce is already used is refused (exit 2). No --signer is needed.
--nonce, --gas-limit, --max-fee and --priority-fee are refused: they are
part of what was signed.`,
		Example: `  cast mktx … > signed.hex && stakewallet tx send signed.hex
  stakewallet tx send ~/.config/stakewallet/journal/1-0x5c50….json --yes
  echo 0x02f8… | stakewallet tx send - --yes --json`,
		Args: cmdutil.ExactArgs(1, "FILE (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return sendRun(cmd.Context(), opts)
		},
	}
	cmdutil.AddTxFlags(cmd, &opts.Tx)
	return cmd
}

// checkSendFlags refuses the transaction flags that would change what was
// signed: they cannot apply, and ignoring them would mislead.
func checkSendFlags(t cmdutil.TxFlags) error {
	var bad []string
	if t.Nonce >= 0 {
		bad = append(bad, "--nonce")
	}
	if t.GasLimit != 0 {
		bad = append(bad, "--gas-limit")
	}
	if t.MaxFee != "" {
		bad = append(bad, "--max-fee")
	}
	if t.PriorityFee != "" {
		bad = append(bad, "--priority-fee")
	}
	if t.Unsigned || t.Out != "" || t.From != "" {
		return cmdutil.BadInputf("--unsigned, --out and --from cannot be used with tx send: it broadcasts what is signed already")
	}
	if len(bad) > 0 {
		return cmdutil.BadInputf("%s cannot be used with tx send: the transaction is signed, its nonce, gas and fees are fixed (re-sign it, or use tx speedup once it is sent)", strings.Join(bad, ", "))
	}
	if t.Confirmations == 0 {
		return cmdutil.BadInputf("--confirmations must be at least 1")
	}
	return nil
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

func sendRun(ctx context.Context, opts *SendOptions) error {
	if err := checkSendFlags(opts.Tx); err != nil {
		return err
	}
	data, err := readRaw(opts.File, opts.IO.In)
	if err != nil {
		return err
	}
	if txdoc.LooksLikeDoc(data) {
		return sendDocRun(ctx, opts, data)
	}
	tx, from, err := decodeSigned(data)
	if err != nil {
		return err
	}
	net, err := opts.Network()
	if err != nil {
		return err
	}
	// Before dialing: a transaction for another chain must never be
	// broadcast here, whatever the RPC answers.
	if tx.ChainId().Cmp(new(big.Int).SetUint64(net.ChainID)) != 0 {
		return fmt.Errorf("%w: transaction %s is signed for chain %s, but network %s is chain %d; use the matching --network",
			txflow.ErrWrongChain, tx.Hash().Hex(), tx.ChainId(), net.Name, net.ChainID)
	}
	c, err := opts.Chain(ctx)
	if err != nil {
		return err
	}
	j, err := openJournal(opts.Deps)
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
	dec := newDecoder(ctx, opts.Deps)
	step := txflow.StepOf(tx, "send", describeRaw(net, tx))
	if entry != nil {
		step.Call.Action, step.Call.Description = entry.Action, entry.Description
	}
	s := &sendView{opts: opts, net: net, from: from, tx: tx, dec: dec, step: step, obs: obs}
	switch obs.Seen {
	case seenIncluded:
		// Idempotent: a script that retries a send gets the result, and
		// nothing goes out twice.
		fmt.Fprintf(opts.IO.ErrOut, "Transaction %s is already mined (block %s); nothing was sent.\n", tx.Hash().Hex(), obs.Receipt.BlockNumber)
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
	if opts.Tx.DryRun {
		res := s.result(&txflow.Result{Step: step, Hash: tx.Hash()})
		res.DryRun = true
		res.Transactions[0].Status = "unsent"
		return output.Print(opts.IO, opts.JSON, res)
	}
	if !opts.Tx.Yes {
		s.preview(opts.IO.ErrOut, output.NewStyles(opts.IO))
		ok, err := opts.IO.Confirm("Broadcast?")
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
	hooks := txflow.Hooks{
		Sent: func(_ int, h common.Hash) {
			opts.IO.StartProgress(fmt.Sprintf("Waiting for %s to be mined", h.Hex()))
			if !opts.IO.IsStderrTTY() && !opts.JSON {
				fmt.Fprintf(opts.IO.ErrOut, "sent %s: %s\n", step.Call.Action, h.Hex())
			}
		},
	}
	opts.IO.StartProgress("Broadcasting " + tx.Hash().Hex())
	res, err := flow.SendSigned(ctx, tx, step.Call.Action, step.Call.Description, hooks)
	opts.IO.StopProgress()
	return s.done(res, err)
}

func describeRaw(net *config.Network, tx *types.Transaction) string {
	if tx.To() == nil {
		return fmt.Sprintf("Create a contract (raw transaction, nonce %d)", tx.Nonce())
	}
	native := net.Native()
	d := fmt.Sprintf("Send %s to %s", amount.FormatUnits(tx.Value(), native.Decimals, native.Symbol), tx.To().Hex())
	if len(tx.Data()) >= 4 {
		d += fmt.Sprintf(" calling 0x%x", tx.Data()[:4])
	}
	return d + fmt.Sprintf(" (raw transaction, nonce %d)", tx.Nonce())
}

// sendView is what tx send's preview and result render from.
type sendView struct {
	opts *SendOptions
	net  *config.Network
	from common.Address
	tx   *types.Transaction
	dec  *decoder
	step *txflow.Step
	obs  *observation
}

func (s *sendView) native(v *big.Int) string {
	n := s.net.Native()
	return amount.FormatUnits(v, n.Decimals, n.Symbol)
}

func (s *sendView) preview(w io.Writer, st output.Styles) {
	tx := s.tx
	fmt.Fprintln(w, st.Title.Render("Broadcast signed transaction "+tx.Hash().Hex()))
	kv := &output.KV{}
	kv.Add("network", fmt.Sprintf("%s (chain ID %d)", s.net.Name, s.net.ChainID))
	kv.Add("from", s.from.Hex())
	kv.Add("description", output.Safe(s.step.Call.Description))
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
	if s.obs.Seen == seenMempool {
		kv.Add("note", "the node already has it; broadcasting again is harmless")
	}
	kv.Render(w, st)
}

// SendResult is tx send's result: the one transaction, as sent (or, on a
// dry run, as it would be: status "unsent").
type SendResult struct {
	Action       string   `json:"action"`
	Network      string   `json:"network"`
	ChainID      uint64   `json:"chainId"`
	From         string   `json:"from"`
	DryRun       bool     `json:"dryRun,omitempty"`
	Transactions []SentTx `json:"transactions"`

	view *sendView
	sent *txflow.Result
}

// SentTx is the transaction of tx send.
type SentTx struct {
	Action      string `json:"action"`
	Description string `json:"description"`
	TxHash      string `json:"txHash"`
	Nonce       uint64 `json:"nonce"`
	// Status is unsent (dry run), pending, success or reverted.
	Status string `json:"status"`
	// BlockNumber is null until mined.
	BlockNumber       *uint64 `json:"blockNumber"`
	GasUsed           *uint64 `json:"gasUsed,omitempty"`
	EffectiveGasPrice string  `json:"effectiveGasPrice,omitempty"`
	// Events is present once mined, an empty list when there are none.
	Events *[]abidecode.Event `json:"events,omitempty"`
}

func (s *sendView) result(r *txflow.Result) *SendResult {
	t := SentTx{
		Action: r.Step.Call.Action, Description: r.Step.Call.Description,
		TxHash: r.Hash.Hex(), Nonce: s.tx.Nonce(), Status: "pending",
	}
	if rc := r.Receipt; rc != nil {
		bn, gas := rc.BlockNumber.Uint64(), rc.GasUsed
		t.Status, t.BlockNumber, t.GasUsed = receiptStatus(rc), &bn, &gas
		if rc.EffectiveGasPrice != nil {
			t.EffectiveGasPrice = rc.EffectiveGasPrice.String()
		}
		events := abidecode.DecodeLogs(rc.Logs, s.dec.abis...)
		t.Events = &events
	}
	return &SendResult{
		Action: "send", Network: s.net.Name, ChainID: s.net.ChainID, From: s.from.Hex(),
		Transactions: []SentTx{t}, view: s, sent: r,
	}
}

// done prints the outcome: the result on success, and on an error after
// broadcast the transaction on stderr before the error, so its hash is
// never lost.
func (s *sendView) done(res *txflow.Result, runErr error) error {
	ios := s.opts.IO
	if runErr != nil {
		if res != nil && !s.opts.JSON {
			s.renderTx(ios.ErrOut, output.NewStyles(ios), res)
		}
		return runErr
	}
	return output.Print(ios, s.opts.JSON, s.result(res))
}

// RenderHuman implements output.Human.
func (r *SendResult) RenderHuman(w io.Writer, st output.Styles) {
	if r.DryRun {
		r.view.preview(w, st)
		fmt.Fprintln(w, st.Dim.Render("Dry run: nothing was sent."))
		return
	}
	fmt.Fprintln(w, st.OK.Render("✓ ")+st.Title.Render(output.Safe(r.sent.Step.Call.Description)))
	r.view.renderTx(w, st, r.sent)
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
