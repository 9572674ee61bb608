package txcmd

import (
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

func (e *Env) native(v *big.Int) string {
	return amount.FormatUnits(v, 18, e.Net.NativeSymbol)
}

// renderPreview shows what will be signed: action, protocol, network and
// chain ID, from, each contract, amounts, estimated and max fee.
func (e *Env) renderPreview(w io.Writer, st output.Styles, req *Request, plan *txflow.Plan) {
	fmt.Fprintln(w, st.Title.Render(req.Title))
	kv := &output.KV{}
	if req.Protocol != nil {
		kv.Add("protocol", req.Protocol.DisplayName())
	}
	kv.Add("network", fmt.Sprintf("%s (chain ID %d)", e.Net.Name, e.Net.ChainID))
	kv.Add("from", plan.From.Hex())
	kv.Add("signer", e.Signer.String())
	kv.Render(w, st)
	for i, s := range plan.Steps {
		fmt.Fprintf(w, "  %s %s\n", st.Title.Render(fmt.Sprintf("%d.", i+1)), s.Call.Description)
		step := &output.KV{}
		step.Add("   contract", s.Call.To.Hex())
		if s.Call.Value != nil && s.Call.Value.Sign() > 0 {
			step.Add("   value", e.native(s.Call.Value))
		}
		if s.Call.Amount != nil && !s.Call.Token.IsNative() {
			step.Add("   amount", amount.FormatUnits(s.Call.Amount, s.Call.Token.Decimals, s.Call.Token.Symbol))
		}
		gas := strconv.FormatUint(s.GasLimit, 10)
		if !s.Estimated {
			gas += " (estimated after step " + strconv.Itoa(i) + " is mined)"
		}
		step.Add("   gas limit", gas)
		step.Add("   nonce", strconv.FormatUint(s.Nonce, 10))
		step.Add("   signing", e.signingNote(s))
		step.Render(w, st)
	}
	fee := &output.KV{}
	fee.Add("estimated fee", e.native(plan.EstimatedCost()))
	fee.Add("max fee", fmt.Sprintf("%s (%s gwei/gas max, %s gwei tip)", e.native(plan.MaxCost()), amount.Format(plan.Steps[0].MaxFee, 9), amount.Format(plan.Steps[0].Tip, 9)))
	fee.Render(w, st)
}

func (e *Env) baseJSON(req *Request) map[string]any {
	doc := map[string]any{
		"action":  req.Action,
		"network": e.Net.Name,
		"chainId": e.Net.ChainID,
		"from":    e.From.Hex(),
	}
	if req.Protocol != nil {
		doc["protocol"] = req.Protocol.Name()
	}
	if req.Amount != nil {
		doc["amount"] = req.Amount.String()
		sym, dec := req.Token.Symbol, req.Token.Decimals
		if req.Token.IsNative() {
			sym, dec = e.Net.NativeSymbol, 18
		}
		doc["symbol"], doc["decimals"] = sym, dec
	}
	return doc
}

func (e *Env) dryRunJSON(req *Request, plan *txflow.Plan) map[string]any {
	doc := e.baseJSON(req)
	doc["dryRun"] = true
	var txs []map[string]any
	for _, s := range plan.Steps {
		value := new(big.Int)
		if s.Call.Value != nil {
			value = s.Call.Value
		}
		txs = append(txs, map[string]any{
			"action":               s.Call.Action,
			"description":          s.Call.Description,
			"to":                   s.Call.To.Hex(),
			"value":                value.String(),
			"data":                 hexutil.Encode(s.Call.Data),
			"nonce":                s.Nonce,
			"gasLimit":             s.GasLimit,
			"gasEstimated":         s.Estimated,
			"maxFeePerGas":         s.MaxFee.String(),
			"maxPriorityFeePerGas": s.Tip.String(),
			"status":               "unsigned",
		})
	}
	doc["transactions"] = txs
	doc["estimatedFee"] = plan.EstimatedCost().String()
	doc["maxFee"] = plan.MaxCost().String()
	return doc
}

func (e *Env) transactionsJSON(req *Request, results []*txflow.Result) []map[string]any {
	var out []map[string]any
	for _, r := range results {
		m := map[string]any{
			"action":      r.Step.Call.Action,
			"description": r.Step.Call.Description,
			"txHash":      r.Hash.Hex(),
			"status":      "pending",
			"blockNumber": nil,
		}
		if rc := r.Receipt; rc != nil {
			m["status"] = statusOf(rc)
			m["blockNumber"] = rc.BlockNumber.Uint64()
			m["gasUsed"] = rc.GasUsed
			if rc.EffectiveGasPrice != nil {
				m["effectiveGasPrice"] = rc.EffectiveGasPrice.String()
			}
			m["events"] = abidecode.DecodeLogs(rc.Logs, req.abis()...)
		}
		out = append(out, m)
	}
	return out
}

func statusOf(r *types.Receipt) string {
	if r.Status == types.ReceiptStatusSuccessful {
		return "success"
	}
	return "reverted"
}

func (e *Env) renderTransactions(w io.Writer, st output.Styles, req *Request, results []*txflow.Result) {
	for _, r := range results {
		status := st.Warn.Render("pending")
		kv := &output.KV{}
		if rc := r.Receipt; rc != nil {
			if rc.Status == types.ReceiptStatusSuccessful {
				status = st.OK.Render("success")
			} else {
				status = st.Err.Render("reverted")
			}
			fee := new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice)
			kv.Add("   block", rc.BlockNumber.String())
			kv.Add("   fee paid", e.native(fee))
		}
		fmt.Fprintf(w, "  %s %s  %s\n", r.Step.Call.Action, st.Dim.Render(r.Hash.Hex()), status)
		kv.Render(w, st)
	}
}

// TokenAmount renders an amount of a protocol token as JSON fields.
func TokenAmount(v *big.Int, t protocol.Token) map[string]any {
	return map[string]any{"amount": v.String(), "symbol": t.Symbol, "decimals": t.Decimals, "token": t.Address.Hex()}
}
