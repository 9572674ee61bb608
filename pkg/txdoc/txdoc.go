// Package txdoc is the transaction document of offline signing: what
// `--unsigned` writes on the machine that talks to the network, `tx sign`
// signs on the machine that holds the key (with no network), and `tx send`
// broadcasts.
//
// A document is JSON, versioned by its "type" ("stakewallet/unsigned-tx",
// "stakewallet/signed-tx") and "version". It carries the network and chain
// ID, the sending account, every transaction of the plan (nonce, EIP-1559
// fees, gas, to, value, data, with the protocol's action, description and
// amount) and the preview's human lines, so that the offline side can show
// what it signs. It never holds a secret.
//
// The preview is not trusted: Check re-derives every line from the
// transactions (their calldata decoded with the protocol's ABI) and
// refuses a document whose lines, descriptions, amounts, contracts or
// values disagree with what the transactions do.
package txdoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// Document types.
const (
	TypeUnsigned = "stakewallet/unsigned-tx"
	TypeSigned   = "stakewallet/signed-tx"
)

// Version is the format version this package writes and reads; a newer
// one is refused (an older stakewallet must not sign what it cannot check).
const Version = 1

// MaxSize bounds what Parse reads: a document of a few transactions is a
// few KiB; 1 MiB leaves room for large calldata and typed data.
const MaxSize = 1 << 20

// Errors Parse and Check wrap.
var (
	// ErrFormat: not a stakewallet document, or a malformed one.
	ErrFormat = errors.New("not a valid transaction document")
	// ErrVersion: written by a newer stakewallet.
	ErrVersion = errors.New("unsupported document version")
	// ErrMismatch: the document's fields disagree with each other (a
	// preview line, a description, an amount, a contract or a value does
	// not match what the transaction does): it was edited or corrupted.
	ErrMismatch = errors.New("the document disagrees with itself")
)

// Wei is an amount in base units, written as a decimal string.
type Wei struct{ big.Int }

// NewWei copies v (nil = 0).
func NewWei(v *big.Int) *Wei {
	w := new(Wei)
	if v != nil {
		w.Set(v)
	}
	return w
}

// Big is the amount as a *big.Int (0 for a nil Wei).
func (w *Wei) Big() *big.Int {
	if w == nil {
		return new(big.Int)
	}
	return &w.Int
}

// MarshalJSON writes a decimal string (big.Int's own would be a number,
// which JSON readers round above 2^53).
func (w Wei) MarshalJSON() ([]byte, error) { return []byte(`"` + w.String() + `"`), nil }

// UnmarshalJSON reads a decimal string; a bare number is refused.
func (w *Wei) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("amount %s must be a decimal string in base units", b)
	}
	s := string(b[1 : len(b)-1])
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return fmt.Errorf("%q is not a decimal amount in base units", s)
	}
	if _, ok := w.SetString(s, 10); !ok {
		return fmt.Errorf("%q is not a decimal amount in base units", s)
	}
	return nil
}

// Token is what an amount is counted in.
type Token struct {
	Symbol   string `json:"symbol"`
	Decimals uint8  `json:"decimals"`
	// Address is the token contract; absent for the native coin.
	Address *common.Address `json:"address,omitempty"`
}

// IsNative reports whether t is the chain's coin.
func (t *Token) IsNative() bool {
	return t == nil || t.Address == nil || *t.Address == (common.Address{})
}

// SigWords are the byte offsets, in a transaction's data, of the three
// 32-byte ABI words v, r and s of a signature made when signing (a permit):
// zero in an unsigned document, filled by tx sign.
type SigWords struct {
	V int `json:"v"`
	R int `json:"r"`
	S int `json:"s"`
}

// Permit is EIP-712 typed data to sign before the transaction that
// carries its signature (an EIP-2612 permit).
type Permit struct {
	// TypedData is the EIP-712 document as eth_signTypedData_v4 takes it
	// (types, primaryType, domain, message).
	TypedData json.RawMessage `json:"typedData"`
	// SignatureWords place the signature in the transaction's data.
	SignatureWords SigWords `json:"signatureWords"`
	// Signature (65 bytes, r ‖ s ‖ v) once signed.
	Signature hexutil.Bytes `json:"signature,omitempty"`
}

// Tx is one transaction of the plan.
type Tx struct {
	// Action is the protocol call's machine name ("approve",
	// "requestWithdrawals"); Description its human line.
	Action      string `json:"action"`
	Description string `json:"description"`

	Nonce uint64         `json:"nonce"`
	To    common.Address `json:"to"`
	Value *Wei           `json:"value"`
	Data  hexutil.Bytes  `json:"data"`
	Gas   uint64         `json:"gas"`
	// GasEstimated is false when Gas is the protocol's hint: the call
	// depends on an earlier transaction of the plan (an approve) that must
	// be mined before the node can estimate it.
	GasEstimated         bool `json:"gasEstimated"`
	MaxFeePerGas         *Wei `json:"maxFeePerGas"`
	MaxPriorityFeePerGas *Wei `json:"maxPriorityFeePerGas"`

	// Amount and Token say what moves (optional).
	Amount *Wei   `json:"amount,omitempty"`
	Token  *Token `json:"token,omitempty"`

	// Permit is typed data signed before this transaction (optional).
	Permit *Permit `json:"permit,omitempty"`

	// Raw and Hash are set in a signed document.
	Raw  hexutil.Bytes `json:"raw,omitempty"`
	Hash *common.Hash  `json:"hash,omitempty"`
}

// Doc is an unsigned or signed transaction document.
type Doc struct {
	Type    string         `json:"type"`
	Version int            `json:"version"`
	Network string         `json:"network"`
	ChainID uint64         `json:"chainId"`
	From    common.Address `json:"from"`
	// Native is the network's coin, for values and fees.
	Native Token `json:"native"`
	// Action is the command ("unstake"); Title the preview's heading.
	Action string `json:"action"`
	Title  string `json:"title"`
	// Protocol is the adapter's name ("lido"), "" for plain token
	// transfers; its ABI decodes the calldata.
	Protocol string `json:"protocol,omitempty"`
	// Notes are said beside the preview (the second call's gas is a hint…).
	Notes []string `json:"notes,omitempty"`
	// Preview is the human preview, one line per entry: exactly
	// Lines(doc) (Check refuses anything else).
	Preview      []string  `json:"preview"`
	CreatedAt    time.Time `json:"createdAt"`
	SignedAt     time.Time `json:"signedAt,omitzero"`
	Transactions []*Tx     `json:"transactions"`
}

// Signed reports whether d is a signed document.
func (d *Doc) Signed() bool { return d.Type == TypeSigned }

// Marshal writes d as indented JSON with a final newline.
func (d *Doc) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// LooksLikeDoc reports whether data is a JSON object with a "type" of a
// stakewallet document, without checking the rest.
func LooksLikeDoc(data []byte) bool {
	var head struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(bytes.TrimSpace(data), &head) != nil {
		return false
	}
	return head.Type == TypeUnsigned || head.Type == TypeSigned
}

// Read reads and parses a document from r (bounded by MaxSize).
func Read(r io.Reader) (*Doc, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrFormat, MaxSize)
	}
	return Parse(data)
}

// Parse decodes a document and checks its shape: type, version, the
// fields every transaction needs, consecutive nonces, and (signed) that
// every raw transaction is the one described, signed by From.
func Parse(data []byte) (*Doc, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Doc
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one JSON value", ErrFormat)
	}
	switch d.Type {
	case TypeUnsigned, TypeSigned:
	case "":
		return nil, fmt.Errorf("%w: no \"type\" (want %q or %q)", ErrFormat, TypeUnsigned, TypeSigned)
	default:
		return nil, fmt.Errorf("%w: type %q (want %q or %q)", ErrFormat, d.Type, TypeUnsigned, TypeSigned)
	}
	if d.Version > Version {
		return nil, fmt.Errorf("%w: version %d, this stakewallet reads up to %d; upgrade it", ErrVersion, d.Version, Version)
	}
	if d.Version < 1 {
		return nil, fmt.Errorf("%w: version %d", ErrVersion, d.Version)
	}
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	return &d, nil
}

func (d *Doc) checkShape() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, a...))
	}
	switch {
	case d.Network == "":
		return bad("no network")
	case d.ChainID == 0:
		return bad("no chainId")
	case d.From == (common.Address{}):
		return bad("no from")
	case d.Native.Symbol == "":
		return bad("no native coin")
	case len(d.Transactions) == 0:
		return bad("no transactions")
	}
	for i, t := range d.Transactions {
		n := i + 1
		switch {
		case t == nil:
			return bad("transaction %d is null", n)
		case t.Action == "":
			return bad("transaction %d has no action", n)
		case t.To == (common.Address{}):
			return bad("transaction %d has no \"to\" (contract creation is not supported)", n)
		case t.Value == nil || t.MaxFeePerGas == nil || t.MaxPriorityFeePerGas == nil:
			return bad("transaction %d lacks value, maxFeePerGas or maxPriorityFeePerGas", n)
		case t.Gas == 0:
			return bad("transaction %d has no gas limit", n)
		case t.MaxPriorityFeePerGas.Big().Cmp(t.MaxFeePerGas.Big()) > 0:
			return bad("transaction %d: maxPriorityFeePerGas is above maxFeePerGas", n)
		case i > 0 && t.Nonce != d.Transactions[i-1].Nonce+1:
			return bad("transaction %d has nonce %d, not %d: the nonces of a plan are consecutive", n, t.Nonce, d.Transactions[i-1].Nonce+1)
		case t.Permit != nil && len(t.Permit.TypedData) == 0:
			return bad("transaction %d: permit without typedData", n)
		}
		if d.Signed() {
			if err := d.checkRaw(n, t); err != nil {
				return err
			}
		} else if len(t.Raw) > 0 || t.Hash != nil {
			return bad("transaction %d of an unsigned document carries raw bytes or a hash", n)
		}
	}
	return nil
}

// checkRaw checks that a signed transaction's bytes are the transaction
// described, for the document's chain, signed by From.
func (d *Doc) checkRaw(n int, t *Tx) error {
	if len(t.Raw) == 0 {
		return fmt.Errorf("%w: transaction %d of a signed document has no raw bytes", ErrFormat, n)
	}
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(t.Raw); err != nil {
		return fmt.Errorf("%w: transaction %d: raw bytes: %w", ErrFormat, n, err)
	}
	if t.Hash == nil || *t.Hash != tx.Hash() {
		return fmt.Errorf("%w: transaction %d: hash does not match its raw bytes (%s)", ErrMismatch, n, tx.Hash().Hex())
	}
	want := t.Unsigned(d.ChainID)
	if got := types.NewTx(&types.DynamicFeeTx{
		ChainID: tx.ChainId(), Nonce: tx.Nonce(), GasTipCap: tx.GasTipCap(), GasFeeCap: tx.GasFeeCap(),
		Gas: tx.Gas(), To: tx.To(), Value: tx.Value(), Data: tx.Data(),
	}); tx.Type() != types.DynamicFeeTxType || got.Hash() != want.Hash() {
		return fmt.Errorf("%w: transaction %d: the signed bytes are not the transaction described (nonce, fees, gas, to, value or data differ)", ErrMismatch, n)
	}
	from, err := types.Sender(types.LatestSignerForChainID(new(big.Int).SetUint64(d.ChainID)), tx)
	if err != nil {
		return fmt.Errorf("%w: transaction %d: signature: %w", ErrFormat, n, err)
	}
	if from != d.From {
		return fmt.Errorf("%w: transaction %d is signed by %s, the document is from %s", ErrMismatch, n, from.Hex(), d.From.Hex())
	}
	return nil
}

// Unsigned is t as an EIP-1559 transaction for chainID, ready to sign.
func (t *Tx) Unsigned(chainID uint64) *types.Transaction {
	to := t.To
	return types.NewTx(&types.DynamicFeeTx{
		ChainID: new(big.Int).SetUint64(chainID), Nonce: t.Nonce,
		GasTipCap: new(big.Int).Set(t.MaxPriorityFeePerGas.Big()), GasFeeCap: new(big.Int).Set(t.MaxFeePerGas.Big()),
		Gas: t.Gas, To: &to, Value: new(big.Int).Set(t.Value.Big()), Data: append([]byte(nil), t.Data...),
	})
}

// SignedTxs decodes the raw transactions of a signed document, in nonce
// order.
func (d *Doc) SignedTxs() ([]*types.Transaction, error) {
	if !d.Signed() {
		return nil, fmt.Errorf("%w: the document is not signed (type %q): sign it with `stakewallet tx sign` first", ErrFormat, d.Type)
	}
	out := make([]*types.Transaction, 0, len(d.Transactions))
	for i, t := range d.Transactions {
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(t.Raw); err != nil {
			return nil, fmt.Errorf("%w: transaction %d: %w", ErrFormat, i+1, err)
		}
		out = append(out, tx)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Nonce() < out[j].Nonce() })
	return out, nil
}

// MaxCost is Σ gas × maxFeePerGas, the most the document can pay in fees.
func (d *Doc) MaxCost() *big.Int {
	sum := new(big.Int)
	for _, t := range d.Transactions {
		sum.Add(sum, new(big.Int).Mul(new(big.Int).SetUint64(t.Gas), t.MaxFeePerGas.Big()))
	}
	return sum
}

// Value is the native coin the document's transactions send.
func (d *Doc) Value() *big.Int {
	sum := new(big.Int)
	for _, t := range d.Transactions {
		sum.Add(sum, t.Value.Big())
	}
	return sum
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
