package txflow

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

// PermitValidity is how long a signed permit stays valid, counted from the
// latest block's timestamp read in Prepare's batch: long enough for a
// review on a device and a slow block, short enough that a permit never
// used (a failed send) does not stay usable for long.
const PermitValidity = 3600

// PermitStep is the EIP-2612 permit a step carries instead of the approve
// before it: signed after the user confirmed, right before the step's
// transaction.
type PermitStep struct {
	Request   *protocol.PermitRequest
	TypedData apitypes.TypedData
	// Deadline is the permit's deadline (unix seconds).
	Deadline *big.Int
	// Signature is r ‖ s ‖ v once signed.
	Signature []byte
}

// permitOffer is a call with a Permit whose approve is the call right
// before it in the plan, and the answers of its reads.
type permitOffer struct {
	call    int // index in calls of the call with the permit
	reads   []hexutil.Bytes
	readsAt int // index of its first read in the batch
}

// permitOffers lists the calls whose Permit can replace the approve before
// them (an approve is a call with a Condition).
func permitOffers(calls []protocol.Call) []*permitOffer {
	var out []*permitOffer
	for j := 1; j < len(calls); j++ {
		if calls[j].Permit != nil && calls[j-1].Only != nil {
			out = append(out, &permitOffer{call: j, reads: make([]hexutil.Bytes, len(calls[j].Permit.Reads))})
		}
	}
	return out
}

// permitStep turns an offer into the step's permit, or says why it cannot
// be used (the plan then keeps approve + call).
func (f *Flow) permitStep(o *permitOffer, c protocol.Call, errs []error, headTime uint64) (*PermitStep, string) {
	if !f.opts.Permits {
		return nil, f.opts.NoPermitReason
	}
	answers := make([][]byte, len(o.reads))
	for i := range o.reads {
		if errs[i] != nil {
			return nil, fmt.Sprintf("reading %s's permit data failed (%v)", c.Permit.Token.Symbol, errs[i])
		}
		answers[i] = o.reads[i]
	}
	deadline := new(big.Int).SetUint64(headTime + PermitValidity)
	td, err := c.Permit.TypedData(answers, f.opts.ChainID, deadline)
	if err != nil {
		return nil, err.Error()
	}
	return &PermitStep{Request: c.Permit, TypedData: td, Deadline: deadline}, ""
}

// withPermit is call c replaced by its permit variant (the calldata's
// signature still zero: signPermit fills it).
func withPermit(c protocol.Call, p *PermitStep) (protocol.Call, error) {
	data, err := p.Request.Build(p.Deadline, make([]byte, 65))
	if err != nil {
		return protocol.Call{}, err
	}
	c.Action, c.Description, c.Data, c.GasHint = p.Request.Action, p.Request.Description, data, p.Request.GasHint
	c.Only = nil
	return c, nil
}

// signPermit signs step's permit with s and puts the signature in the
// step's calldata.
func (f *Flow) signPermit(ctx context.Context, i int, from common.Address, step *Step, s signer.Signer, hooks Hooks) error {
	p := step.Permit
	tds, ok := s.(signer.TypedDataSigner)
	if !ok {
		return fmt.Errorf("sign the permit of %s: signer %s cannot sign typed data: %w (re-run with --no-permit)", step.Call.Action, s, signer.ErrTypedDataUnsupported)
	}
	if hooks.SigningPermit != nil {
		hooks.SigningPermit(i, step)
	}
	sig, err := tds.SignTypedData(ctx, p.TypedData)
	if err != nil {
		if errors.Is(err, signer.ErrTypedDataUnsupported) {
			return fmt.Errorf("sign the permit of %s: %w; nothing was sent: re-run with --no-permit to approve and request in two transactions", step.Call.Action, err)
		}
		return fmt.Errorf("sign the permit of %s: %w", step.Call.Action, err)
	}
	digest, err := signer.TypedDataDigest(p.TypedData)
	if err != nil {
		return err
	}
	if err := signer.VerifyTypedData(digest, sig, from); err != nil {
		return fmt.Errorf("the permit's signature: %w", err)
	}
	data, err := p.Request.Build(p.Deadline, sig)
	if err != nil {
		return err
	}
	p.Signature = sig
	step.Call.Data = data
	return nil
}
