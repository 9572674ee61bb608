package txcmd

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/signer"
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
		opts.NoPermitReason = "an unsigned document carries transactions only"
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

// renderPermit shows a step's permit as something that is signed: token,
// spender, amount and deadline.
func renderPermit(w io.Writer, st output.Styles, s *txflow.Step) {
	p := s.Permit
	if p == nil {
		return
	}
	r := p.Request
	kv := &output.KV{}
	kv.Add("   permit", fmt.Sprintf("signed (EIP-712) before this transaction: %s allowance, no approve transaction", r.Token.Symbol))
	kv.Add("   spender", fmt.Sprintf("%s (%s)", r.Spender.Hex(), r.SpenderName))
	kv.Add("   permit amount", amount.FormatUnits(r.Value, r.Token.Decimals, r.Token.Symbol))
	kv.Add("   deadline", deadlineText(p.Deadline))
	kv.Render(w, st)
}

// renderPermitNote says why a plan approves although a permit was offered.
func renderPermitNote(w io.Writer, st output.Styles, plan *txflow.Plan) {
	if plan.PermitNote == "" {
		return
	}
	fmt.Fprintln(w, st.Dim.Render("  no permit: "+plan.PermitNote+"; approving in a transaction of its own"))
}

func deadlineText(d *big.Int) string {
	if !d.IsInt64() {
		return d.String()
	}
	return fmt.Sprintf("%s (unix %s)", time.Unix(d.Int64(), 0).UTC().Format(time.RFC3339), d)
}
