package protocol

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
)

// Round trips are the cost of a remote node: an adapter should not read the
// chain inside Stake, Unstake or Claim for a rule it can state as a Check, nor
// to decide whether a call is needed when a Condition can say it. The wallet
// sends every Check and Condition of a plan in the same JSON-RPC batch as the
// chain ID, nonce, fees, balance, simulation and gas estimate, so a stake is
// one read round trip and one send. Reading the Backend directly stays
// allowed where the calldata itself depends on the answer (an amount turned
// into shares, checkpoint hints); each such read costs a round trip.

// Check is a read that guards a call: an eth_call whose answer must pass
// Verify before anything is signed (paused, minimum, capacity, collateral).
type Check struct {
	// Msg is the read, made at the latest block.
	Msg ethereum.CallMsg
	// Verify judges the return data: nil to go on, a *LimitError when the
	// rule forbids the plan (exit 2), an error wrapping ErrBadAnswer when the
	// bytes do not decode.
	Verify func(ret []byte) error
}

// Condition decides from one read whether a call is needed at all: an
// approve whose allowance already covers the amount is left out.
type Condition struct {
	// Msg is the read, made at the latest block.
	Msg ethereum.CallMsg
	// Needed reports whether the call must be sent; an error wrapping
	// ErrBadAnswer when the bytes do not decode.
	Needed func(ret []byte) (bool, error)
}

// BatchBackend is a Backend that sends several eth_calls in one round trip.
// *chain.Client implements it; adapters use it through CallAll.
type BatchBackend interface {
	Backend
	// BatchCallContract runs msgs at blockNumber (nil = latest); results
	// and errors are aligned with msgs.
	BatchCallContract(ctx context.Context, msgs []ethereum.CallMsg, blockNumber *big.Int) ([][]byte, []error)
}

// CallAll runs independent reads in one round trip when b batches, else one
// by one. results[i] and errs[i] belong to msgs[i].
func CallAll(ctx context.Context, b Backend, msgs []ethereum.CallMsg) ([][]byte, []error) {
	return CallAllAt(ctx, b, msgs, nil)
}

// CallAllAt is CallAll at block (nil: the latest): pages of one listing
// read in two round trips see the same state.
func CallAllAt(ctx context.Context, b Backend, msgs []ethereum.CallMsg, block *big.Int) ([][]byte, []error) {
	if bb, ok := b.(BatchBackend); ok {
		return bb.BatchCallContract(ctx, msgs, block)
	}
	results := make([][]byte, len(msgs))
	errs := make([]error, len(msgs))
	for i, m := range msgs {
		results[i], errs[i] = b.CallContract(ctx, m, block)
	}
	return results, errs
}

// Reads returns the reads of calls' Checks and Conditions in the order
// Judge expects their answers: for each call, its Condition (if any), then
// its Checks.
func Reads(calls []Call) []ethereum.CallMsg {
	var msgs []ethereum.CallMsg
	for _, c := range calls {
		if c.Only != nil {
			msgs = append(msgs, c.Only.Msg)
		}
		for _, ch := range c.Checks {
			msgs = append(msgs, ch.Msg)
		}
	}
	return msgs
}

// Judge applies the answers of Reads(calls) and returns the calls that are
// needed, or the first refusal. A Check of a call that is not needed is not
// judged. A read that failed is returned as an error (wrapped), since a rule
// that cannot be checked must not be skipped.
func Judge(calls []Call, results [][]byte, errs []error) ([]Call, error) {
	if len(results) != len(errs) || len(results) != len(Reads(calls)) {
		return nil, fmt.Errorf("%d answers for %d reads", len(results), len(Reads(calls)))
	}
	var kept []Call
	i := 0
	for _, c := range calls {
		needed := true
		if c.Only != nil {
			if errs[i] != nil {
				return nil, fmt.Errorf("%s: read whether it is needed: %w", c.Action, errs[i])
			}
			ok, err := c.Only.Needed(results[i])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.Action, err)
			}
			needed = ok
			i++
		}
		for _, ch := range c.Checks {
			ret, rerr := results[i], errs[i]
			i++
			if !needed {
				continue
			}
			if rerr != nil {
				return nil, fmt.Errorf("%s: check: %w", c.Action, rerr)
			}
			if err := ch.Verify(ret); err != nil {
				var le *LimitError
				if errors.As(err, &le) {
					return nil, err
				}
				return nil, fmt.Errorf("%s: %w", c.Action, err)
			}
		}
		if needed {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// RunChecks makes the reads of calls' Checks and Conditions in one round
// trip (CallAll) and judges them: the needed calls, or the first refusal.
// The wallet folds these reads into its own batch instead; RunChecks is for
// callers that have no batch of their own (tests, tools).
func RunChecks(ctx context.Context, b Backend, calls []Call) ([]Call, error) {
	msgs := Reads(calls)
	if len(msgs) == 0 {
		return calls, nil
	}
	results, errs := CallAll(ctx, b, msgs)
	return Judge(calls, results, errs)
}
