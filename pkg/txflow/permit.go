package txflow

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

// PermitValidity is how long a signed permit stays valid (by default),
// counted from the latest block's timestamp read in Prepare's batch: long
// enough for a review on a device and a slow block, short enough that a
// permit never used (a failed send) does not stay usable for long.
const PermitValidity = time.Hour

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

// permitClock is the time a permit's validity counts from: the latest of
// the latest block's timestamp, the pending block's (when the node gave
// one) and this machine's clock.
func permitClock(latest, pending *types.Header, pendingOK bool) uint64 {
	t := latest.Time
	if pendingOK && pending != nil && pending.Time > t {
		t = pending.Time
	}
	if now := uint64(time.Now().Unix()); now > t {
		t = now
	}
	return t
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
	validity := f.opts.PermitValidity
	if validity == 0 {
		validity = PermitValidity
	}
	deadline := new(big.Int).SetUint64(headTime + uint64(validity.Seconds()))
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

// PermitWords are the byte offsets, in the calldata of a step with a
// permit, of the 32-byte ABI words v, r and s of the permit's signature
// (for a document signed elsewhere). They are found by building the
// calldata with two signatures that differ only in v, then only in r,
// then only in s: each difference falls in its word.
func PermitWords(p *PermitStep) (v, r, s int, err error) {
	base := make([]byte, 65)
	for i := range 64 {
		base[i] = 0x11
	}
	base[64] = 27
	at := func(change func(sig []byte)) (int, error) {
		other := append([]byte(nil), base...)
		change(other)
		a, err := p.Request.Build(p.Deadline, base)
		if err != nil {
			return 0, err
		}
		b, err := p.Request.Build(p.Deadline, other)
		if err != nil {
			return 0, err
		}
		if len(a) != len(b) || len(a) < 4 {
			return 0, fmt.Errorf("the permit's calldata changes length with its signature")
		}
		for i := range a {
			if a[i] != b[i] {
				return 4 + (i-4)/32*32, nil
			}
		}
		return 0, fmt.Errorf("the permit's calldata does not carry its signature")
	}
	if v, err = at(func(sig []byte) { sig[64] = 28 }); err != nil {
		return 0, 0, 0, err
	}
	if r, err = at(func(sig []byte) { sig[31] = 0x22 }); err != nil {
		return 0, 0, 0, err
	}
	if s, err = at(func(sig []byte) { sig[63] = 0x22 }); err != nil {
		return 0, 0, 0, err
	}
	return v, r, s, nil
}

// CheckPermitCall refuses typed data that is not the EIP-2612 permit the
// call with calldata data to contract to carries, before it is signed
// away from the wallet that built it (tx sign): primary type Permit, owner
// the signer, spender the called contract, and value and deadline the two
// words right before v in the calldata (PermitInput's layout: value,
// deadline, v, r, s). verifyingContract is checked by the caller against
// the tokens it knows.
func CheckPermitCall(td apitypes.TypedData, from, to common.Address, data []byte, vWord int) error {
	if td.PrimaryType != "Permit" {
		return fmt.Errorf("the typed data to sign is a %q, not an EIP-2612 Permit", td.PrimaryType)
	}
	addr := func(k string) (common.Address, error) {
		s, ok := td.Message[k].(string)
		if !ok || !common.IsHexAddress(s) {
			return common.Address{}, fmt.Errorf("the permit's %s is not an address", k)
		}
		return common.HexToAddress(s), nil
	}
	owner, err := addr("owner")
	if err != nil {
		return err
	}
	spender, err := addr("spender")
	if err != nil {
		return err
	}
	if owner != from {
		return fmt.Errorf("the permit's owner is %s, not the signer %s", owner.Hex(), from.Hex())
	}
	if spender != to {
		return fmt.Errorf("the permit lets %s spend, but the transaction carrying it calls %s", spender.Hex(), to.Hex())
	}
	if vWord < 4+64 || vWord+32 > len(data) {
		return fmt.Errorf("the permit's signature word at byte %d does not fit the calldata", vWord)
	}
	for i, k := range []string{"value", "deadline"} {
		want, err := messageInt(td.Message[k])
		if err != nil {
			return fmt.Errorf("the permit's %s: %w", k, err)
		}
		off := vWord - 64 + 32*i
		if got := new(big.Int).SetBytes(data[off : off+32]); got.Cmp(want) != 0 {
			return fmt.Errorf("the permit's %s is %s but the transaction carries %s", k, want, got)
		}
	}
	return nil
}

func messageInt(v any) (*big.Int, error) {
	switch x := v.(type) {
	case string:
		n, ok := math.ParseBig256(x)
		if !ok {
			return nil, fmt.Errorf("%q is not a number", x)
		}
		return n, nil
	case *math.HexOrDecimal256:
		return new(big.Int).Set((*big.Int)(x)), nil
	case float64:
		return new(big.Int).SetUint64(uint64(x)), nil
	}
	return nil, fmt.Errorf("%T is not a number", v)
}
