package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
)

// A Lens is read-only creation code that is never deployed: an adapter runs
// it with eth_call (a call with no `to`), its constructor makes reads that
// depend on one another (ids, then their statuses, then what those say to
// read next) inside that one call, and reverts with everything as one
// custom error, the lens's answer. What would take a round trip per
// dependent read takes one, and that one rides in the batch of the
// command's other reads.
//
// A revert rather than a return: what a creation returns becomes code,
// which EIP-170 caps at 24 KiB, while revert data is bounded only by gas.
// Any other outcome (a node that refuses calls with no `to`, a read inside
// that reverted, out of gas, an answer that does not decode) is not an
// answer: the adapter then reads the way it would without a lens, which
// also words the errors.
type Lens struct {
	code   []byte
	ctor   abi.Arguments
	answer abi.Error
}

// lensArtifact is what scripts/gen-contracts.js writes for a lens.
type lensArtifact struct {
	ABI      json.RawMessage `json:"abi"`
	Bytecode hexutil.Bytes   `json:"bytecode"`
}

// NewLens reads a lens artifact (abi and creation bytecode, as
// scripts/gen-contracts.js writes them) whose constructor reverts with
// the custom error named answer.
func NewLens(artifact []byte, answer string) (*Lens, error) {
	var art lensArtifact
	if err := json.Unmarshal(artifact, &art); err != nil {
		return nil, fmt.Errorf("lens artifact: %w", err)
	}
	a, err := abi.JSON(bytes.NewReader(art.ABI))
	if err != nil {
		return nil, fmt.Errorf("lens artifact abi: %w", err)
	}
	e, ok := a.Errors[answer]
	if !ok {
		return nil, fmt.Errorf("lens artifact: no error %s", answer)
	}
	if len(art.Bytecode) == 0 {
		return nil, fmt.Errorf("lens artifact: no bytecode")
	}
	return &Lens{code: art.Bytecode, ctor: a.Constructor.Inputs, answer: e}, nil
}

// Msg is the eth_call running the lens with constructor arguments args.
func (l *Lens) Msg(args ...any) (ethereum.CallMsg, error) {
	packed, err := l.ctor.Pack(args...)
	if err != nil {
		return ethereum.CallMsg{}, fmt.Errorf("lens: encode constructor arguments: %w", err)
	}
	data := make([]byte, 0, len(l.code)+len(packed))
	return ethereum.CallMsg{Data: append(append(data, l.code...), packed...)}, nil
}

// Answer decodes the lens's answer from what its eth_call returned: the
// values of the answer error, in its order. ok is false when the call did
// not end with the answer, which the caller takes as "read without the
// lens".
func (l *Lens) Answer(ret []byte, err error) (values []any, ok bool) {
	if err == nil {
		return nil, false // a creation that returned: not this lens
	}
	data, found := abidecode.RevertData(err)
	if !found || len(data) < 4 || !bytes.Equal(data[:4], l.answer.ID[:4]) {
		return nil, false
	}
	values, uerr := l.answer.Inputs.Unpack(data[4:])
	if uerr != nil {
		return nil, false
	}
	return values, true
}

// Copy decodes the lens's answer into dst, a pointer to a struct whose
// fields match the answer error's arguments by name (as abi.Arguments.Copy).
func (l *Lens) Copy(dst any, values []any) error {
	if err := l.answer.Inputs.Copy(dst, values); err != nil {
		return fmt.Errorf("%w: lens answer: %w", ErrBadAnswer, err)
	}
	return nil
}

// BigAt returns values[i] as a *big.Int (an answer's uint256).
func BigAt(values []any, i int) (*big.Int, bool) {
	if i >= len(values) {
		return nil, false
	}
	v, ok := values[i].(*big.Int)
	return v, ok && v != nil
}
