// Package abidecode turns raw EVM revert data and receipt logs into
// something a person can read. It knows the two built-in Solidity revert
// encodings (Error(string), Panic(uint256)) and decodes everything else
// with the ABIs the caller passes, so it stays protocol-agnostic: protocol
// adapters supply their ABIs and, optionally, hints (see Hinter).
package abidecode

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// Selectors of the two revert encodings the Solidity compiler emits itself.
var (
	errorSelector = [4]byte{0x08, 0xc3, 0x79, 0xa0} // Error(string)
	panicSelector = [4]byte{0x4e, 0x48, 0x7b, 0x71} // Panic(uint256)
)

// NamedValue is one decoded argument. Value is normalised for display and
// JSON: integers as decimal strings, addresses checksummed, bytes as 0x-hex.
type NamedValue struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Revert is a decoded revert reason.
type Revert struct {
	// Name is "Error" for Error(string), "Panic" for Panic(uint256), the
	// custom error's name, or "" when the data is empty or unknown.
	Name string `json:"name,omitempty"`
	// Args are the decoded arguments, in declaration order.
	Args []NamedValue `json:"args,omitempty"`
	// Message is one human line: the require string, the panic's meaning,
	// "RequestAmountTooSmall(amountOfStETH=50)", or the raw hex.
	Message string `json:"message"`
	// Data is the raw revert data.
	Data hexutil.Bytes `json:"data,omitempty"`
}

// Reason returns the Error(string) reason, or "" for other reverts.
func (r *Revert) Reason() string {
	if r == nil || r.Name != "Error" || len(r.Args) != 1 {
		return ""
	}
	s, _ := r.Args[0].Value.(string)
	return s
}

// panicReasons are the compiler's panic codes
// (https://docs.soliditylang.org/en/latest/control-structures.html#panic-via-assert-and-error-via-require).
var panicReasons = map[uint64]string{
	0x00: "generic compiler panic",
	0x01: "assertion failed",
	0x11: "arithmetic overflow or underflow",
	0x12: "division or modulo by zero",
	0x21: "invalid enum value",
	0x22: "corrupted storage byte array",
	0x31: "pop on an empty array",
	0x32: "array index out of bounds",
	0x41: "out of memory",
	0x51: "call to an uninitialised function",
}

// PanicReason describes a Panic(uint256) code.
func PanicReason(code *big.Int) string {
	if code != nil && code.IsUint64() {
		if s, ok := panicReasons[code.Uint64()]; ok {
			return s
		}
	}
	return "unknown panic code"
}

// DecodeRevert decodes revert data. It never returns nil and never panics,
// whatever the data: revert data comes from arbitrary contracts.
func DecodeRevert(data []byte, abis ...*abi.ABI) (r *Revert) {
	r = &Revert{Data: bytes.Clone(data)}
	defer func() {
		// go-ethereum's decoder is fuzzed, but the input is attacker
		// controlled and a panic would kill the CLI mid-flow.
		if p := recover(); p != nil {
			r = &Revert{Data: bytes.Clone(data), Message: "malformed revert data " + hexutil.Encode(data)}
		}
	}()
	if len(data) == 0 {
		r.Message = "reverted without a reason"
		return r
	}
	if len(data) < 4 {
		r.Message = "malformed revert data " + hexutil.Encode(data)
		return r
	}
	var sel [4]byte
	copy(sel[:], data[:4])
	switch sel {
	case errorSelector:
		decodeError(r, data[4:])
		return r
	case panicSelector:
		decodePanic(r, data[4:])
		return r
	}
	for _, a := range abis {
		if a == nil {
			continue
		}
		if e, err := a.ErrorByID(sel); err == nil {
			decodeCustom(r, e, data[4:])
			return r
		}
	}
	r.Message = "unknown error " + hexutil.Encode(data[:4])
	if len(data) > 4 {
		r.Message += " with data " + hexutil.Encode(data[4:])
	}
	return r
}

func decodeError(r *Revert, body []byte) {
	r.Name = "Error"
	vals, err := abi.Arguments{{Name: "reason", Type: mustType("string")}}.Unpack(body)
	if err != nil {
		r.Message = "malformed Error(string) revert " + hexutil.Encode(r.Data)
		return
	}
	reason, _ := vals[0].(string)
	r.Args = []NamedValue{{Name: "reason", Type: "string", Value: reason}}
	r.Message = reason
	if reason == "" {
		r.Message = "reverted without a reason"
	}
}

func decodePanic(r *Revert, body []byte) {
	r.Name = "Panic"
	vals, err := abi.Arguments{{Name: "code", Type: mustType("uint256")}}.Unpack(body)
	if err != nil {
		r.Message = "malformed Panic(uint256) revert " + hexutil.Encode(r.Data)
		return
	}
	code, _ := vals[0].(*big.Int)
	r.Args = []NamedValue{{Name: "code", Type: "uint256", Value: code.String()}}
	r.Message = fmt.Sprintf("panic: %s (0x%02x)", PanicReason(code), code)
}

func decodeCustom(r *Revert, e *abi.Error, body []byte) {
	r.Name = e.Name
	vals, err := e.Inputs.Unpack(body)
	if err != nil || len(vals) != len(e.Inputs) {
		r.Message = fmt.Sprintf("%s(<malformed arguments %s>)", e.Name, hexutil.Encode(body))
		return
	}
	parts := make([]string, len(vals))
	for i, in := range e.Inputs {
		nv := NamedValue{Name: argName(in.Name), Type: in.Type.String(), Value: Normalize(vals[i])}
		r.Args = append(r.Args, nv)
		parts[i] = fmt.Sprintf("%s=%v", nv.Name, nv.Value)
	}
	r.Message = fmt.Sprintf("%s(%s)", e.Name, strings.Join(parts, ", "))
}

// argName drops Solidity's leading-underscore parameter convention, which
// reads as noise in a CLI ("_requestId" → "requestId").
func argName(n string) string {
	if t := strings.TrimLeft(n, "_"); t != "" {
		return t
	}
	return n
}

func mustType(t string) abi.Type {
	typ, err := abi.NewType(t, "", nil)
	if err != nil {
		panic(err) // only called with elementary type literals
	}
	return typ
}

// RevertData extracts the revert data from an error returned by an
// eth_call or eth_estimateGas through go-ethereum's rpc client (which
// implements rpc.DataError). ok is false when err carries no data; a revert
// without a reason yields empty data and ok true.
func RevertData(err error) (data []byte, ok bool) {
	var de rpc.DataError
	if err == nil || !errors.As(err, &de) {
		return nil, false
	}
	return dataFrom(de.ErrorData())
}

func dataFrom(v any) ([]byte, bool) {
	switch d := v.(type) {
	case string:
		// Some nodes prefix the data ("Reverted 0x…"); "0x" cannot occur
		// inside hex digits, so the last one starts the data.
		if i := strings.LastIndex(d, "0x"); i >= 0 {
			d = d[i:]
		}
		b, err := hexutil.Decode(d)
		if err != nil {
			return nil, false
		}
		return b, true
	case []byte:
		return bytes.Clone(d), true
	case hexutil.Bytes:
		return bytes.Clone(d), true
	case map[string]any:
		// e.g. {"data": "0x…", "message": "…"} from some providers.
		if inner, ok := d["data"]; ok {
			return dataFrom(inner)
		}
	}
	return nil, false
}

// FromError decodes the revert carried by err, if any. It uses the rpc
// error data when present and falls back to the "execution reverted: X"
// message that some providers return without data.
func FromError(err error, abis ...*abi.ABI) (*Revert, bool) {
	if err == nil {
		return nil, false
	}
	if data, ok := RevertData(err); ok {
		return DecodeRevert(data, abis...), true
	}
	msg := err.Error()
	const marker = "execution reverted"
	i := strings.Index(msg, marker)
	if i < 0 {
		return nil, false
	}
	reason := strings.TrimSpace(strings.TrimPrefix(msg[i+len(marker):], ":"))
	if reason == "" {
		return &Revert{Message: "reverted without a reason"}, true
	}
	return &Revert{Name: "Error", Args: []NamedValue{{Name: "reason", Type: "string", Value: reason}}, Message: reason}, true
}
