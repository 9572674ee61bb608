package ledger

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// EIP-712 instructions of the Ethereum app (app-ethereum doc/ethapp.adoc,
// "SIGN ETH EIP 712", "EIP712 SEND STRUCT DEFINITION", "EIP712 SEND STRUCT
// IMPLEMENTATION").
const (
	insSignEIP712      = 0x0c
	insEIP712StructDef = 0x1a
	insEIP712StructImp = 0x1c

	// SIGN ETH EIP 712 P2.
	eip712ModeV0   = 0x00 // domain hash + message hash (blind)
	eip712ModeFull = 0x01 // after the definitions and values

	// STRUCT DEFINITION P2.
	eip712DefName  = 0x00
	eip712DefField = 0xff
	// STRUCT IMPLEMENTATION P1 and P2.
	eip712ImpComplete = 0x00
	eip712ImpPartial  = 0x01
	eip712ImpRoot     = 0x00
	eip712ImpArray    = 0x0f
	eip712ImpField    = 0xff

	// TypeDesc: array bit, size bit, then the type in the low 4 bits.
	eip712TypeArray   = 0x80
	eip712TypeHasSize = 0x40
)

// EIP-712 field types as the app codes them (TypeDesc low nibble).
const (
	EIP712Custom  = 0
	EIP712Int     = 1
	EIP712Uint    = 2
	EIP712Address = 3
	EIP712Bool    = 4
	EIP712String  = 5
	EIP712BytesN  = 6
	EIP712Bytes   = 7
)

// Versions of the Ethereum app that sign typed data: v0 (two hashes,
// blind) since 1.5.0, full (the device hashes the JSON and shows the
// fields) since 1.9.19 (ethapp.adoc).
var (
	minEIP712V0   = Version{1, 5, 0}
	minEIP712Full = Version{1, 9, 19}
)

// APDU is one command to the device.
type APDU struct {
	CLA, INS, P1, P2 byte
	Data             []byte
}

// Bytes is the short APDU encoding.
func (a APDU) Bytes() []byte {
	b, _ := buildAPDU(a.CLA, a.INS, a.P1, a.P2, a.Data)
	return b
}

var typeRE = regexp.MustCompile(`^([A-Za-z_$][A-Za-z0-9_$]*?)(\d*)((?:\[\d*\])*)$`)

// eip712FieldType splits a field type ("uint256", "Person[]", "bytes32[2][]")
// into the app's type code, its byte size (0 when none), its struct name
// (custom types) and its array levels (-1 dynamic, N fixed), outermost first.
func eip712FieldType(t string, types apitypes.Types) (code byte, size int, name string, levels []int, err error) {
	m := typeRE.FindStringSubmatch(t)
	if m == nil {
		return 0, 0, "", nil, fmt.Errorf("EIP-712 type %q is not valid", t)
	}
	base, bits, arrays := m[1], m[2], m[3]
	for _, a := range regexp.MustCompile(`\[(\d*)\]`).FindAllStringSubmatch(arrays, -1) {
		if a[1] == "" {
			levels = append(levels, -1)
			continue
		}
		n, err := strconv.Atoi(a[1])
		if err != nil || n > 255 {
			return 0, 0, "", nil, fmt.Errorf("EIP-712 type %q: array size %q", t, a[1])
		}
		levels = append(levels, n)
	}
	if _, ok := types[base+bits]; ok {
		return EIP712Custom, 0, base + bits, levels, nil
	}
	n := 0
	if bits != "" {
		if n, err = strconv.Atoi(bits); err != nil {
			return 0, 0, "", nil, fmt.Errorf("EIP-712 type %q: %w", t, err)
		}
	}
	switch base {
	case "int", "uint":
		if bits == "" {
			n = 256
		}
		if n%8 != 0 || n < 8 || n > 256 {
			return 0, 0, "", nil, fmt.Errorf("EIP-712 type %q: bad size", t)
		}
		code = EIP712Int
		if base == "uint" {
			code = EIP712Uint
		}
		return code, n / 8, "", levels, nil
	case "address", "bool", "string":
		if bits != "" {
			break
		}
		return map[string]byte{"address": EIP712Address, "bool": EIP712Bool, "string": EIP712String}[base], 0, "", levels, nil
	case "bytes":
		if bits == "" {
			return EIP712Bytes, 0, "", levels, nil
		}
		if n < 1 || n > 32 {
			return 0, 0, "", nil, fmt.Errorf("EIP-712 type %q: bad size", t)
		}
		return EIP712BytesN, n, "", levels, nil
	}
	return 0, 0, "", nil, fmt.Errorf("EIP-712 type %q is neither a known type nor a struct of the message", t)
}

// EncodeFieldDef is the STRUCT DEFINITION field payload of one field:
// TypeDesc, [TypeName], [TypeSize], [ArrayLevelCount, ArrayLevels], KeyName.
func EncodeFieldDef(f apitypes.Type, types apitypes.Types) ([]byte, error) {
	code, size, name, levels, err := eip712FieldType(f.Type, types)
	if err != nil {
		return nil, err
	}
	desc := code
	if len(levels) > 0 {
		desc |= eip712TypeArray
	}
	if size > 0 {
		desc |= eip712TypeHasSize
	}
	b := []byte{desc}
	if code == EIP712Custom {
		if len(name) > 255 {
			return nil, fmt.Errorf("EIP-712 type name %q too long", name)
		}
		b = append(b, byte(len(name)))
		b = append(b, name...)
	}
	if size > 0 {
		b = append(b, byte(size))
	}
	if len(levels) > 0 {
		b = append(b, byte(len(levels)))
		for _, l := range levels {
			if l < 0 {
				b = append(b, 0)
			} else {
				b = append(b, 1, byte(l))
			}
		}
	}
	if len(f.Name) == 0 || len(f.Name) > 255 {
		return nil, fmt.Errorf("EIP-712 field name %q: empty or too long", f.Name)
	}
	b = append(b, byte(len(f.Name)))
	return append(b, f.Name...), nil
}

// EIP712FullAPDUs is the whole full-mode exchange for td, in the order the
// app takes it (and @ledgerhq/hw-app-eth sends it): every struct
// definition (types in alphabetical order), the domain's values under the
// root "EIP712Domain", the message's under its primary type, then SIGN
// with P2 = full.
func EIP712FullAPDUs(path accounts.DerivationPath, td apitypes.TypedData) ([]APDU, error) {
	pathBytes, err := encodePath(path)
	if err != nil {
		return nil, err
	}
	if _, ok := td.Types["EIP712Domain"]; !ok {
		return nil, errors.New("EIP-712: the types have no EIP712Domain")
	}
	if _, ok := td.Types[td.PrimaryType]; !ok {
		return nil, fmt.Errorf("EIP-712: primary type %q is not among the types", td.PrimaryType)
	}
	var out []APDU
	names := make([]string, 0, len(td.Types))
	for n := range td.Types {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if len(n) > maxAPDUData {
			return nil, fmt.Errorf("EIP-712 type name %q too long", n)
		}
		out = append(out, APDU{claEth, insEIP712StructDef, 0, eip712DefName, []byte(n)})
		for _, f := range td.Types[n] {
			b, err := EncodeFieldDef(f, td.Types)
			if err != nil {
				return nil, err
			}
			if len(b) > maxAPDUData {
				return nil, fmt.Errorf("EIP-712 field %s.%s: definition too long", n, f.Name)
			}
			out = append(out, APDU{claEth, insEIP712StructDef, 0, eip712DefField, b})
		}
	}
	for _, root := range []struct {
		name string
		vals map[string]any
	}{{"EIP712Domain", td.Domain.Map()}, {td.PrimaryType, td.Message}} {
		out = append(out, APDU{claEth, insEIP712StructImp, eip712ImpComplete, eip712ImpRoot, []byte(root.name)})
		if out, err = appendStructValues(out, td.Types, root.name, root.vals); err != nil {
			return nil, err
		}
	}
	return append(out, APDU{claEth, insSignEIP712, 0, eip712ModeFull, pathBytes}), nil
}

// appendStructValues sends the fields of struct typ depth first: values
// of atomic fields, array sizes before arrays' elements, nested structs'
// fields in place.
func appendStructValues(out []APDU, types apitypes.Types, typ string, vals map[string]any) ([]APDU, error) {
	for _, f := range types[typ] {
		v, ok := vals[f.Name]
		if !ok {
			return nil, fmt.Errorf("EIP-712 %s: no value for field %q", typ, f.Name)
		}
		var err error
		if out, err = appendValue(out, types, typ+"."+f.Name, f.Type, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func appendValue(out []APDU, types apitypes.Types, where, t string, v any) ([]APDU, error) {
	code, size, name, levels, err := eip712FieldType(t, types)
	if err != nil {
		return nil, err
	}
	if len(levels) > 0 {
		items, ok := v.([]any)
		if !ok {
			if rv, ok2 := toAnySlice(v); ok2 {
				items = rv
			} else {
				return nil, fmt.Errorf("EIP-712 %s: %T is not an array", where, v)
			}
		}
		if len(items) > 255 {
			return nil, fmt.Errorf("EIP-712 %s: %d elements, the Ledger takes at most 255", where, len(items))
		}
		if n := levels[0]; n >= 0 && n != len(items) {
			return nil, fmt.Errorf("EIP-712 %s: %d elements for a %s", where, len(items), t)
		}
		out = append(out, APDU{claEth, insEIP712StructImp, eip712ImpComplete, eip712ImpArray, []byte{byte(len(items))}})
		inner := t[:strings.LastIndex(t, "[")]
		for i, it := range items {
			if out, err = appendValue(out, types, fmt.Sprintf("%s[%d]", where, i), inner, it); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if code == EIP712Custom {
		m, ok := v.(map[string]any)
		if !ok {
			if tm, ok2 := v.(apitypes.TypedDataMessage); ok2 {
				m = tm
			} else {
				return nil, fmt.Errorf("EIP-712 %s: %T is not a struct", where, v)
			}
		}
		return appendStructValues(out, types, name, m)
	}
	raw, err := EncodeEIP712Value(code, size, v)
	if err != nil {
		return nil, fmt.Errorf("EIP-712 %s: %w", where, err)
	}
	return append(out, fieldChunks(raw)...), nil
}

func toAnySlice(v any) ([]any, bool) {
	switch s := v.(type) {
	case []string:
		out := make([]any, len(s))
		for i := range s {
			out[i] = s[i]
		}
		return out, true
	case []map[string]any:
		out := make([]any, len(s))
		for i := range s {
			out[i] = s[i]
		}
		return out, true
	}
	return nil, false
}

// fieldChunks is one field value's STRUCT IMPLEMENTATION commands: the
// 2-byte big-endian length then the value, cut into 255-byte APDUs, all
// but the last with P1 = partial.
func fieldChunks(raw []byte) []APDU {
	data := binary.BigEndian.AppendUint16(nil, uint16(len(raw)))
	data = append(data, raw...)
	var out []APDU
	for len(data) > 0 {
		n := min(len(data), maxAPDUData)
		p1 := byte(eip712ImpPartial)
		if n == len(data) {
			p1 = eip712ImpComplete
		}
		out = append(out, APDU{claEth, insEIP712StructImp, p1, eip712ImpField, append([]byte(nil), data[:n]...)})
		data = data[n:]
	}
	return out
}

// EncodeEIP712Value is a field's raw value as the app takes it: integers
// as their minimal big-endian bytes (two's complement in size bytes when
// negative; zero as one 0x00 byte), addresses as 20 bytes, bools as one
// byte, strings as UTF-8, bytes as themselves.
func EncodeEIP712Value(code byte, size int, v any) ([]byte, error) {
	switch code {
	case EIP712Int, EIP712Uint:
		n, err := toBig(v)
		if err != nil {
			return nil, err
		}
		if n.Sign() < 0 {
			if code == EIP712Uint {
				return nil, fmt.Errorf("negative value %s for a uint", n)
			}
			n = new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(size*8)), n)
		}
		if n.BitLen() > size*8 {
			return nil, fmt.Errorf("value %s does not fit %d bytes", n, size)
		}
		b := n.Bytes()
		if len(b) == 0 {
			b = []byte{0}
		}
		return b, nil
	case EIP712Address:
		switch a := v.(type) {
		case common.Address:
			return a.Bytes(), nil
		case string:
			if !common.IsHexAddress(a) {
				return nil, fmt.Errorf("%q is not an address", a)
			}
			return common.HexToAddress(a).Bytes(), nil
		}
		return nil, fmt.Errorf("%T is not an address", v)
	case EIP712Bool:
		switch b := v.(type) {
		case bool:
			if b {
				return []byte{1}, nil
			}
			return []byte{0}, nil
		case string:
			switch b {
			case "true":
				return []byte{1}, nil
			case "false":
				return []byte{0}, nil
			}
		}
		return nil, fmt.Errorf("%v is not a bool", v)
	case EIP712String:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%T is not a string", v)
		}
		return []byte(s), nil
	case EIP712BytesN, EIP712Bytes:
		var b []byte
		switch x := v.(type) {
		case []byte:
			b = x
		case string:
			h, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(x, "0x"), "0X"))
			if err != nil {
				return nil, fmt.Errorf("%q is not hex bytes", x)
			}
			b = h
		case [32]byte:
			b = x[:]
		case common.Hash:
			b = x[:]
		default:
			return nil, fmt.Errorf("%T is not bytes", v)
		}
		if code == EIP712BytesN && len(b) != size {
			return nil, fmt.Errorf("%d bytes for a bytes%d", len(b), size)
		}
		if len(b) > 0xffff {
			return nil, fmt.Errorf("%d bytes: the Ledger takes at most 65535", len(b))
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown EIP-712 type code %d", code)
}

func toBig(v any) (*big.Int, error) {
	switch x := v.(type) {
	case *math.HexOrDecimal256:
		if x == nil {
			return nil, errors.New("nil integer")
		}
		return new(big.Int).Set((*big.Int)(x)), nil
	case *big.Int:
		return new(big.Int).Set(x), nil
	case math.HexOrDecimal256:
		return new(big.Int).Set((*big.Int)(&x)), nil
	case string:
		n, ok := math.ParseBig256(x)
		if !ok {
			// negative decimals
			if m, ok2 := new(big.Int).SetString(x, 10); ok2 {
				return m, nil
			}
			return nil, fmt.Errorf("%q is not an integer", x)
		}
		return n, nil
	case float64:
		if x != float64(int64(x)) {
			return nil, fmt.Errorf("%v is not an integer", x)
		}
		return big.NewInt(int64(x)), nil
	case json.Number:
		n, ok := new(big.Int).SetString(string(x), 10)
		if !ok {
			return nil, fmt.Errorf("%q is not an integer", x)
		}
		return n, nil
	case int:
		return big.NewInt(int64(x)), nil
	case int64:
		return big.NewInt(x), nil
	case uint64:
		return new(big.Int).SetUint64(x), nil
	}
	return nil, fmt.Errorf("%T is not an integer", v)
}

// EIP712Mode is how the app will sign typed data.
type EIP712Mode int

const (
	// EIP712Unsupported: the app is too old for EIP-712.
	EIP712Unsupported EIP712Mode = iota
	// EIP712Hashed: v0, the device shows the two hashes (blind).
	EIP712Hashed
	// EIP712Full: the device hashes the message itself and shows its fields.
	EIP712Full
)

// EIP712ModeFor is the mode an app of version v signs typed data in.
func EIP712ModeFor(v Version) EIP712Mode {
	switch {
	case v.AtLeast(minEIP712Full):
		return EIP712Full
	case v.AtLeast(minEIP712V0):
		return EIP712Hashed
	}
	return EIP712Unsupported
}

// TypedDataSupport says whether the app signs typed data now: nil (full
// mode, or v0 with blind signing on), or why not (wrapping
// signer.ErrTypedDataUnsupported).
func (a *App) TypedDataSupport(ctx context.Context) (EIP712Mode, error) {
	cfg, err := a.Ready(ctx)
	if err != nil {
		return EIP712Unsupported, err
	}
	switch EIP712ModeFor(cfg.Version) {
	case EIP712Full:
		return EIP712Full, nil
	case EIP712Hashed:
		if !cfg.BlindSigning {
			return EIP712Hashed, fmt.Errorf("the Ledger's Ethereum app %s signs typed data only as hashes (full EIP-712 needs %s), which needs \"Blind signing\" on: %w",
				cfg.Version, minEIP712Full, signer.ErrTypedDataUnsupported)
		}
		return EIP712Hashed, nil
	}
	return EIP712Unsupported, fmt.Errorf("the Ledger's Ethereum app %s cannot sign typed data (EIP-712 needs %s): %w", cfg.Version, minEIP712V0, signer.ErrTypedDataUnsupported)
}

// SignTypedData has the device sign td with the key at path: in full mode
// (the device shows the message's fields) when the app is new enough,
// else v0 (domain and message hashes). The signature r ‖ s ‖ v (v 27/28)
// is checked to recover to from over td's EIP-712 digest.
func (a *App) SignTypedData(ctx context.Context, path accounts.DerivationPath, td apitypes.TypedData, from common.Address) ([]byte, error) {
	digest, err := signer.TypedDataDigest(td)
	if err != nil {
		return nil, err
	}
	mode, err := a.TypedDataSupport(ctx)
	if err != nil {
		return nil, err
	}
	var apdus []APDU
	if mode == EIP712Full {
		if apdus, err = EIP712FullAPDUs(path, td); err != nil {
			return nil, err
		}
	} else {
		pathBytes, err := encodePath(path)
		if err != nil {
			return nil, err
		}
		d, m, err := signer.TypedDataHashes(td)
		if err != nil {
			return nil, err
		}
		data := append(append(pathBytes, d[:]...), m[:]...)
		apdus = []APDU{{claEth, insSignEIP712, 0, eip712ModeV0, data}}
		a.emit(EventBlindSigning, "The Ledger's Ethereum app is too old to show the permit's fields: it will show only its hashes")
	}
	// The device shows the values as they come (full mode) and asks for
	// approval at SIGN: from the first value on, a person is reading.
	var resp []byte
	reviewing := false
	for _, c := range apdus {
		if c.INS != insEIP712StructDef && !reviewing {
			reviewing = true
			a.emit(EventReview, MsgReview)
		}
		resp, err = a.call(ctx, opSign, reviewing, c.CLA, c.INS, c.P1, c.P2, c.Data)
		if err != nil {
			if reviewing {
				a.emit(EventDone, "")
			}
			return nil, err
		}
	}
	a.emit(EventDone, "")
	if len(resp) != 65 {
		return nil, newError(ErrProtocol, "unexpected answer from the Ledger to SIGN EIP-712", fmt.Errorf("%d bytes, want 65", len(resp)))
	}
	sig := make([]byte, 65)
	copy(sig, resp[1:])
	v := resp[0]
	if v >= 27 {
		v -= 27
	}
	if v > 1 {
		return nil, newError(ErrProtocol, "unexpected signature from the Ledger", fmt.Errorf("v = %d", resp[0]))
	}
	sig[64] = v
	normalizeLowS(sig)
	sig[64] += 27
	if err := signer.VerifyTypedData(digest, sig, from); err != nil {
		return nil, newError(ErrProtocol, "the Ledger signed the typed data with another key than expected, or hashed it differently", err)
	}
	return sig, nil
}
