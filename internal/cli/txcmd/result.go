package txcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// Result is the part of every sending command's result that txcmd fills:
// what was asked, on which chain, from whom, and each transaction. A
// command's own result type embeds it and adds its fields; --json prints
// the whole value, people get RenderHuman.
type Result struct {
	Action   string `json:"action"`
	Network  string `json:"network"`
	ChainID  uint64 `json:"chainId"`
	From     string `json:"from"`
	Protocol string `json:"protocol,omitempty"`
	// Amount, Symbol and Decimals are the headline amount, when there is one.
	Amount   string `json:"amount,omitempty"`
	Symbol   string `json:"symbol,omitempty"`
	Decimals *uint8 `json:"decimals,omitempty"`
	DryRun   bool   `json:"dryRun,omitempty"`
	// Unsigned: --unsigned wrote an unsigned transaction document, to
	// DocumentFile (--out) or, without it, as the output itself.
	Unsigned     bool    `json:"unsigned,omitempty"`
	DocumentFile string  `json:"document,omitempty"`
	Transactions []TxDoc `json:"transactions"`
	// EstimatedFee and MaxFee (wei) are set on a dry run.
	EstimatedFee string `json:"estimatedFee,omitempty"`
	MaxFee       string `json:"maxFee,omitempty"`

	env  *Env
	req  *Request
	plan *txflow.Plan
	sent []*txflow.Result
	// unsigned is set by --unsigned.
	unsigned *unsignedOut
}

// TxDoc is one transaction of a result: unsigned (a dry run) or sent.
type TxDoc struct {
	Action      string `json:"action"`
	Description string `json:"description"`
	Status      string `json:"status"` // unsigned, pending, success, reverted

	// Sent transactions.
	TxHash            string            `json:"txHash,omitempty"`
	BlockNumber       *uint64           `json:"blockNumber,omitempty"`
	GasUsed           *uint64           `json:"gasUsed,omitempty"`
	EffectiveGasPrice string            `json:"effectiveGasPrice,omitempty"`
	Events            []abidecode.Event `json:"events,omitempty"`

	// Unsigned transactions.
	To                   string  `json:"to,omitempty"`
	Value                string  `json:"value,omitempty"`
	Data                 string  `json:"data,omitempty"`
	Nonce                *uint64 `json:"nonce,omitempty"`
	GasLimit             *uint64 `json:"gasLimit,omitempty"`
	GasEstimated         *bool   `json:"gasEstimated,omitempty"`
	MaxFeePerGas         string  `json:"maxFeePerGas,omitempty"`
	MaxPriorityFeePerGas string  `json:"maxPriorityFeePerGas,omitempty"`

	// Permit is the EIP-2612 permit signed for this transaction (permit.go).
	Permit *PermitJSON `json:"permit,omitempty"`
}

// MarshalJSON keeps "blockNumber": null on a sent transaction that is not
// mined yet, and "events": [] on a mined one without logs, as scripts test
// for them; unsigned ones have neither key.
func (t TxDoc) MarshalJSON() ([]byte, error) {
	type plain TxDoc
	switch {
	case t.TxHash == "":
		return json.Marshal(plain(t))
	case t.BlockNumber == nil:
		return json.Marshal(struct {
			plain
			BlockNumber *uint64 `json:"blockNumber"`
		}{plain: plain(t)})
	}
	events := t.Events
	if events == nil {
		events = []abidecode.Event{}
	}
	return json.Marshal(struct {
		plain
		Events []abidecode.Event `json:"events"`
	}{plain: plain(t), Events: events})
}

func (e *Env) newResult(req *Request, plan *txflow.Plan) *Result {
	r := &Result{
		Action:  req.Action,
		Network: e.Net.Name,
		ChainID: e.Net.ChainID,
		From:    e.From.Hex(),
		env:     e, req: req, plan: plan,
	}
	if req.Protocol != nil {
		r.Protocol = req.Protocol.Name()
	}
	if req.Amount != nil {
		r.Amount = req.Amount.String()
		t := req.Token
		if t.IsNative() {
			t = e.Native()
		}
		dec := t.Decimals
		r.Symbol, r.Decimals = t.Symbol, &dec
	}
	return r
}

func (r *Result) markDryRun() {
	r.DryRun = true
	r.Transactions = nil
	for _, s := range r.plan.Steps {
		value := new(big.Int)
		if s.Call.Value != nil {
			value = s.Call.Value
		}
		nonce, gas, est := s.Nonce, s.GasLimit, s.Estimated
		r.Transactions = append(r.Transactions, TxDoc{
			Action:               s.Call.Action,
			Description:          s.Call.Description,
			To:                   s.Call.To.Hex(),
			Value:                value.String(),
			Data:                 hexutil.Encode(s.Call.Data),
			Nonce:                &nonce,
			GasLimit:             &gas,
			GasEstimated:         &est,
			MaxFeePerGas:         s.MaxFee.String(),
			MaxPriorityFeePerGas: s.Tip.String(),
			Status:               "unsigned",
			Permit:               permitJSON(s),
		})
	}
	r.EstimatedFee = r.plan.EstimatedCost().String()
	r.MaxFee = r.plan.MaxCost().String()
}

func (r *Result) setSent(results []*txflow.Result) {
	r.sent = results
	r.Transactions = nil
	for _, x := range results {
		d := TxDoc{Action: x.Step.Call.Action, Description: x.Step.Call.Description, TxHash: x.Hash.Hex(), Status: "pending", Permit: permitJSON(x.Step)}
		if rc := x.Receipt; rc != nil {
			d.Status = statusOf(rc)
			bn, gas := rc.BlockNumber.Uint64(), rc.GasUsed
			d.BlockNumber, d.GasUsed = &bn, &gas
			if rc.EffectiveGasPrice != nil {
				d.EffectiveGasPrice = rc.EffectiveGasPrice.String()
			}
			d.Events = abidecode.DecodeLogs(rc.Logs, r.req.abis()...)
		}
		r.Transactions = append(r.Transactions, d)
	}
}

// Title is the result's heading ("Stake 1 ETH with Lido").
func (r *Result) Title() string { return r.req.Title }

// Receipts are the receipts of the mined transactions.
func (r *Result) Receipts() []*types.Receipt {
	var out []*types.Receipt
	for _, x := range r.sent {
		if x.Receipt != nil {
			out = append(out, x.Receipt)
		}
	}
	return out
}

// RenderHuman prints a dry run's preview, or the sent transactions under a
// check mark. Commands print their own rows after it.
func (r *Result) RenderHuman(w io.Writer, st output.Styles) {
	if r.unsigned != nil {
		r.renderUnsigned(w, st)
		return
	}
	if r.DryRun {
		r.env.renderPreview(w, st, r.req, r.plan)
		fmt.Fprintln(w, st.Dim.Render("Dry run: nothing was signed or sent."))
		return
	}
	fmt.Fprintln(w, st.OK.Render("✓ ")+st.Title.Render(output.Safe(r.req.Title)))
	r.renderTransactions(w, st)
}

func (e *Env) native(v *big.Int) string {
	n := e.Native()
	return amount.FormatUnits(v, n.Decimals, n.Symbol)
}

// renderPreview shows what will be signed: action, protocol, network and
// chain ID, from, each contract, amounts, estimated and max fee. The title,
// the calls' descriptions and the amounts may hold token symbols read from
// the chain: they are shown Safe.
func (e *Env) renderPreview(w io.Writer, st output.Styles, req *Request, plan *txflow.Plan) {
	fmt.Fprintln(w, st.Title.Render(output.Safe(req.Title)))
	kv := &output.KV{}
	if req.Protocol != nil {
		kv.Add("protocol", req.Protocol.DisplayName())
	}
	kv.Add("network", fmt.Sprintf("%s (chain ID %d)", e.Net.Name, e.Net.ChainID))
	kv.Add("from", plan.From.Hex())
	kv.Add("signer", e.Signer.String())
	kv.Render(w, st)
	for i, s := range plan.Steps {
		fmt.Fprintf(w, "  %s %s\n", st.Title.Render(fmt.Sprintf("%d.", i+1)), output.Safe(s.Call.Description))
		step := &output.KV{}
		step.Add("   contract", s.Call.To.Hex())
		if s.Call.Value != nil && s.Call.Value.Sign() > 0 {
			step.Add("   value", e.native(s.Call.Value))
		}
		if s.Call.Amount != nil && !s.Call.Token.IsNative() {
			step.Add("   amount", output.Safe(amount.FormatUnits(s.Call.Amount, s.Call.Token.Decimals, s.Call.Token.Symbol)))
		}
		gas := strconv.FormatUint(s.GasLimit, 10)
		if !s.Estimated {
			gas += " (estimated after step " + strconv.Itoa(i) + " is mined)"
		}
		step.Add("   gas limit", gas)
		step.Add("   nonce", strconv.FormatUint(s.Nonce, 10))
		step.Add("   signing", e.signingNote(s))
		step.Render(w, st)
		renderPermit(w, st, s)
	}
	renderPermitNote(w, st, plan)
	fee := &output.KV{}
	fee.Add("estimated fee", e.native(plan.EstimatedCost()))
	fee.Add("max fee", fmt.Sprintf("%s (%s gwei/gas max, %s gwei tip)", e.native(plan.MaxCost()), amount.Format(plan.Steps[0].MaxFee, 9), amount.Format(plan.Steps[0].Tip, 9)))
	fee.Render(w, st)
}

func statusOf(r *types.Receipt) string {
	if r.Status == types.ReceiptStatusSuccessful {
		return "success"
	}
	return "reverted"
}

func (r *Result) renderTransactions(w io.Writer, st output.Styles) {
	for _, x := range r.sent {
		status := st.Warn.Render("pending")
		kv := &output.KV{}
		if rc := x.Receipt; rc != nil {
			if rc.Status == types.ReceiptStatusSuccessful {
				status = st.OK.Render("success")
			} else {
				status = st.Err.Render("reverted")
			}
			fee := new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice)
			kv.Add("   block", rc.BlockNumber.String())
			kv.Add("   fee paid", r.env.native(fee))
		}
		fmt.Fprintf(w, "  %s %s  %s\n", x.Step.Call.Action, st.Dim.Render(x.Hash.Hex()), status)
		kv.Render(w, st)
	}
}

// TokenAmount is an amount of a token in a JSON result.
type TokenAmount struct {
	Amount   string `json:"amount"`
	Symbol   string `json:"symbol"`
	Decimals uint8  `json:"decimals"`
	Token    string `json:"token"`
}

// NewTokenAmount describes v of t.
func NewTokenAmount(v *big.Int, t protocol.Token) *TokenAmount {
	return &TokenAmount{Amount: v.String(), Symbol: t.Symbol, Decimals: t.Decimals, Token: t.Address.Hex()}
}

// Human renders the amount for people ("1.5 stETH"), the symbol Safe (it
// may have been read from the token's contract).
func (a *TokenAmount) Human() string {
	if a == nil {
		return ""
	}
	v, ok := new(big.Int).SetString(a.Amount, 10)
	if !ok {
		return output.Safe(a.Amount + " " + a.Symbol)
	}
	return output.Safe(amount.FormatUnits(v, a.Decimals, a.Symbol))
}

// NoOp is the result of a sending command that found nothing to send
// ("nothing to claim"): the same document with no transactions, so that
// scripts read one shape. The command renders it for people itself.
func (e *Env) NoOp(action string) *Result {
	return &Result{Action: action, Network: e.Net.Name, ChainID: e.Net.ChainID, From: e.From.Hex(), Transactions: []TxDoc{}, env: e}
}

// Sent reports whether r carries sent transactions (not a dry run, not a
// no-op).
func (r *Result) Sent() bool { return len(r.sent) > 0 }
