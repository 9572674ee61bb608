package txcmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/txdoc"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// permitOptions turns permits on when the plan may use them: the signer
// signs EIP-712 typed data, the command did not ask for --no-permit, and
// the run signs here (an unsigned document carries plain transactions).
func (e *Env) permitOptions(req *Request, opts *txflow.Options) {
	switch {
	case req.NoPermit:
		opts.NoPermitReason = "--no-permit was given"
	case e.Tx.Unsigned:
		// The key is elsewhere: the document carries the permit, tx sign
		// signs it (with --no-permit where that signer cannot). It may
		// travel for a while: a day to sign and send.
		opts.Permits, opts.PermitValidity = true, UnsignedPermitValidity
	default:
		if err := e.Signer.TypedDataSupport(); err != nil {
			opts.NoPermitReason = err.Error()
			if !errors.Is(err, signer.ErrTypedDataUnsupported) {
				opts.NoPermitReason = "the signer cannot say whether it signs typed data: " + err.Error()
			}
			return
		}
		opts.Permits = true
	}
}

// UnsignedPermitValidity is how long the permit of an unsigned document
// stays valid: the document is signed elsewhere and sent later.
const UnsignedPermitValidity = 24 * time.Hour

// PermitDoc is the permit of step for an unsigned document: its typed
// data as eth_signTypedData_v4 takes it and where tx sign writes the
// signature in the calldata. nil when the step has none.
func PermitDoc(s *txflow.Step) (*txdoc.Permit, error) {
	if s.Permit == nil {
		return nil, nil
	}
	td, err := json.Marshal(s.Permit.TypedData)
	if err != nil {
		return nil, fmt.Errorf("encode the permit's typed data: %w", err)
	}
	v, r, sw, err := txflow.PermitWords(s.Permit)
	if err != nil {
		return nil, err
	}
	return &txdoc.Permit{TypedData: td, SignatureWords: txdoc.SigWords{V: v, R: r, S: sw}}, nil
}

// CheckPermitDoc refuses a document's permit that is not the one its
// transaction t carries (tx sign calls it before signing anything): an
// EIP-2612 Permit by the document's account, to the called contract, for
// the value and deadline in the calldata, on the token the transaction
// moves (which the document check holds to the known tokens).
func CheckPermitDoc(d *txdoc.Doc, t *txdoc.Tx, td apitypes.TypedData) error {
	if err := txflow.CheckPermitCall(td, d.From, t.To, t.Data, t.Permit.SignatureWords.V); err != nil {
		return cmdutil.BadInput(err)
	}
	if t.Token == nil || t.Token.Address == nil || !common.IsHexAddress(td.Domain.VerifyingContract) ||
		common.HexToAddress(td.Domain.VerifyingContract) != *t.Token.Address {
		return cmdutil.BadInputf("the permit is for contract %q, not the token the transaction moves", td.Domain.VerifyingContract)
	}
	if td.Domain.ChainId == nil || (*big.Int)(td.Domain.ChainId).Cmp(new(big.Int).SetUint64(d.ChainID)) != 0 {
		return cmdutil.BadInputf("the permit's domain names chain %v, not the document's %d", td.Domain.ChainId, d.ChainID)
	}
	return nil
}

// renderPermit shows a step's permit as something that is signed: token,
// spender, amount and deadline.
func renderPermit(w io.Writer, st output.Styles, s *txflow.Step) {
	p := s.Permit
	if p == nil {
		return
	}
	r := p.Request
	kv := &output.KV{}
	kv.Add("   permit", fmt.Sprintf("signed (EIP-712) before this transaction: %s allowance, no approve transaction", output.Safe(r.Token.Symbol)))
	kv.Add("   spender", fmt.Sprintf("%s (%s)", r.Spender.Hex(), output.Safe(r.SpenderName)))
	kv.Add("   permit amount", output.Safe(amount.FormatUnits(r.Value, r.Token.Decimals, r.Token.Symbol)))
	kv.Add("   deadline", deadlineText(p.Deadline))
	kv.Render(w, st)
}

// renderPermitNote says why a plan approves although a permit was offered.
func renderPermitNote(w io.Writer, st output.Styles, plan *txflow.Plan) {
	if plan.PermitNote == "" {
		return
	}
	fmt.Fprintln(w, st.Dim.Render("  no permit: "+output.Safe(plan.PermitNote)+"; approving in a transaction of its own"))
}

func deadlineText(d *big.Int) string {
	if !d.IsInt64() {
		return d.String()
	}
	return fmt.Sprintf("%s (unix %s)", time.Unix(d.Int64(), 0).UTC().Format(time.RFC3339), d)
}

// CheckPermitJSON is CheckPermitDoc on t's permit as the document carries
// it (nil when t has none).
func CheckPermitJSON(d *txdoc.Doc, t *txdoc.Tx) error {
	if t.Permit == nil {
		return nil
	}
	var td apitypes.TypedData
	if err := json.Unmarshal(t.Permit.TypedData, &td); err != nil {
		return cmdutil.BadInput(fmt.Errorf("permit typed data: %w", err))
	}
	return CheckPermitDoc(d, t, td)
}

// PermitJSON is a transaction's permit in --json output: what was (or, on
// a dry run, will be) signed.
type PermitJSON struct {
	Token    string `json:"token"`
	Contract string `json:"contract"`
	Spender  string `json:"spender"`
	Amount   string `json:"amount"` // base units
	Deadline uint64 `json:"deadline"`
	Signed   bool   `json:"signed"`
}

func permitJSON(s *txflow.Step) *PermitJSON {
	if s == nil || s.Permit == nil {
		return nil
	}
	r := s.Permit.Request
	return &PermitJSON{Token: r.Token.Symbol, Contract: r.Token.Address.Hex(), Spender: r.Spender.Hex(),
		Amount: r.Value.String(), Deadline: s.Permit.Deadline.Uint64(), Signed: s.Permit.Signature != nil}
}
