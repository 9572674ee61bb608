package ledgeremu

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// EIP-712 as app-ethereum takes it (doc/ethapp.adoc "EIP712 SEND STRUCT
// DEFINITION" 0x1A, "EIP712 SEND STRUCT IMPLEMENTATION" 0x1C, "SIGN ETH
// EIP 712" 0x0C; src/features/signMessageEIP712): the host defines every
// struct, then sends the domain's and the message's values field by field
// (depth first, array sizes before their elements); the device hashes as
// it goes (encodeType, typeHash, hashStruct), shows each field, and signs
// keccak256(0x19 0x01 ‖ domain hash ‖ message hash) at SIGN with P2 = 1.
// This is an implementation of its own, not the client's: the tests check
// the two against each other and against go-ethereum.

// TypedField is one value the device showed while reviewing typed data.
type TypedField struct {
	// Path is "Struct.field", with [i] for array elements.
	Path  string
	Value string
}

// eip712Field is one STRUCT DEFINITION field.
type eip712Field struct {
	name     string
	code     byte // 0 custom, 1 int, 2 uint, 3 address, 4 bool, 5 string, 6 bytesN, 7 bytes
	size     int  // bytes, for int/uint/bytesN
	typeName string
	levels   []int // array levels, outermost first: -1 dynamic, N fixed
}

// eip712Event is a value or an array size received for the current root.
type eip712Event struct {
	array bool
	size  int
	value []byte
}

type eip712State struct {
	structs map[string][]eip712Field
	curDef  string
	root    string
	events  []eip712Event
	partial []byte // a field value in several APDUs (P1 = partial)
	domain  []byte // hash of the domain, once complete
	message []byte // hash of the message, once complete
	shown   []TypedField
	fields  []TypedField // of the root being received
}

func (e *Emulator) resetEIP712() { e.eip712 = eip712State{} }

// eip712StructDef is INS 0x1A.
func (e *Emulator) eip712StructDef(p1, p2 byte, data []byte) ([]byte, uint16) {
	st := &e.eip712
	if p1 != 0 {
		return nil, SWWrongP1P2
	}
	if st.root != "" || st.domain != nil {
		// Definitions come before any value (a new message starts over).
		e.resetEIP712()
	}
	if st.structs == nil {
		st.structs = map[string][]eip712Field{}
	}
	switch p2 {
	case 0x00:
		if len(data) == 0 {
			return nil, SWInvalidData
		}
		name := string(data)
		if _, dup := st.structs[name]; dup {
			return nil, SWInvalidData
		}
		st.structs[name] = nil
		st.curDef = name
		return nil, SWOK
	case 0xff:
		if st.curDef == "" {
			return nil, SWInvalidData
		}
		f, ok := parseFieldDef(data)
		if !ok {
			return nil, SWInvalidData
		}
		st.structs[st.curDef] = append(st.structs[st.curDef], f)
		return nil, SWOK
	}
	return nil, SWWrongP1P2
}

// parseFieldDef reads TypeDesc, [TypeNameLength TypeName], [TypeSize],
// [ArrayLevelCount ArrayLevels], KeyNameLength KeyName.
func parseFieldDef(b []byte) (eip712Field, bool) {
	var f eip712Field
	if len(b) < 1 {
		return f, false
	}
	desc := b[0]
	b = b[1:]
	f.code = desc & 0x0f
	if desc&0x30 != 0 || f.code > 7 {
		return f, false
	}
	next := func() (byte, bool) {
		if len(b) == 0 {
			return 0, false
		}
		x := b[0]
		b = b[1:]
		return x, true
	}
	if f.code == 0 {
		n, ok := next()
		if !ok || n == 0 || len(b) < int(n) {
			return f, false
		}
		f.typeName, b = string(b[:n]), b[n:]
	}
	hasSize := desc&0x40 != 0
	switch f.code {
	case 1, 2, 6:
		if !hasSize {
			return f, false
		}
	default:
		if hasSize {
			return f, false
		}
	}
	if hasSize {
		n, ok := next()
		if !ok || n == 0 || n > 32 {
			return f, false
		}
		f.size = int(n)
	}
	if desc&0x80 != 0 {
		n, ok := next()
		if !ok || n == 0 {
			return f, false
		}
		for range int(n) {
			kind, ok := next()
			if !ok {
				return f, false
			}
			switch kind {
			case 0:
				f.levels = append(f.levels, -1)
			case 1:
				size, ok := next()
				if !ok {
					return f, false
				}
				f.levels = append(f.levels, int(size))
			default:
				return f, false
			}
		}
	}
	n, ok := next()
	if !ok || n == 0 || len(b) != int(n) {
		return f, false
	}
	f.name = string(b)
	return f, true
}

// eip712StructImpl is INS 0x1C.
func (e *Emulator) eip712StructImpl(p1, p2 byte, data []byte) ([]byte, uint16) {
	st := &e.eip712
	if p1 > 1 {
		return nil, SWWrongP1P2
	}
	if st.structs == nil {
		return nil, SWInvalidData // no definitions
	}
	switch p2 {
	case 0x00:
		name := string(data)
		if _, ok := st.structs[name]; !ok || p1 != 0 {
			e.resetEIP712()
			return nil, SWInvalidData
		}
		if st.root != "" || st.partial != nil {
			// The previous root is not complete.
			e.resetEIP712()
			return nil, SWInvalidData
		}
		if name != "EIP712Domain" && st.domain == nil {
			e.resetEIP712()
			return nil, SWInvalidData // the domain comes first
		}
		st.root, st.events, st.fields = name, nil, nil
		return nil, SWOK
	case 0x0f:
		if st.root == "" || len(data) != 1 || p1 != 0 || st.partial != nil {
			e.resetEIP712()
			return nil, SWInvalidData
		}
		st.events = append(st.events, eip712Event{array: true, size: int(data[0])})
	case 0xff:
		if st.root == "" {
			e.resetEIP712()
			return nil, SWInvalidData
		}
		st.partial = append(st.partial, data...)
		if p1 == 1 {
			if len(st.partial) >= 2 && len(st.partial) > 2+int(binary.BigEndian.Uint16(st.partial)) {
				e.resetEIP712()
				return nil, SWInvalidData
			}
			return nil, SWOK
		}
		v := st.partial
		st.partial = nil
		if len(v) < 2 || len(v) != 2+int(binary.BigEndian.Uint16(v)) {
			e.resetEIP712()
			return nil, SWInvalidData
		}
		st.events = append(st.events, eip712Event{value: v[2:]})
	default:
		return nil, SWWrongP1P2
	}
	// Hash what arrived: complete, incomplete, or not what the type says.
	p := &eip712Parser{structs: st.structs, events: st.events}
	h, err := p.hashStruct(st.root, st.root)
	switch {
	case err == errIncomplete:
		return nil, SWOK
	case err != nil || p.pos != len(st.events):
		e.resetEIP712()
		return nil, SWInvalidData
	}
	st.shown = append(st.shown, p.shown...)
	if st.root == "EIP712Domain" {
		st.domain = h
	} else {
		st.message = h
	}
	st.root = ""
	return nil, SWOK
}

// eip712Sign is INS 0x0C: P2 0 = v0 (path, domain hash, message hash),
// P2 1 = full (path, after the values).
func (e *Emulator) eip712Sign(p1, p2 byte, data []byte) ([]byte, uint16) {
	if p1 != 0 || p2 > 1 {
		return nil, SWWrongP1P2
	}
	defer e.resetEIP712()
	path, rest, err := parseBIP32(data)
	if err != nil {
		return nil, SWInvalidData
	}
	var domain, message []byte
	blind := false
	if p2 == 0 {
		if e.version[0] == 1 && e.version[1] < 5 {
			return nil, SWInvalidINS
		}
		if len(rest) != 64 {
			return nil, SWInvalidData
		}
		if !e.opts.BlindSigning {
			return nil, SWInvalidData // blind-signing friction (1.12.0)
		}
		domain, message, blind = rest[:32], rest[32:], true
	} else {
		st := &e.eip712
		if len(rest) != 0 || st.domain == nil || st.message == nil || st.root != "" || st.partial != nil {
			return nil, SWInvalidData
		}
		domain, message = st.domain, st.message
	}
	key, _, err := e.key(path)
	if err != nil {
		return nil, SWInvalidData
	}
	sc := Screen{Kind: "typed data", Address: addressOf(key), Blind: blind,
		DomainHash: common.BytesToHash(domain), MessageHash: common.BytesToHash(message)}
	if !blind {
		sc.Fields = append([]TypedField(nil), e.eip712.shown...)
	}
	ok := e.userReview()
	sc.Approved = ok
	e.screens = append(e.screens, sc)
	if !ok {
		return nil, SWConditions
	}
	digest := crypto.Keccak256([]byte{0x19, 0x01}, domain, message)
	sig, err := crypto.Sign(digest, key)
	if err != nil {
		return nil, SWInvalidData
	}
	return append([]byte{27 + sig[64]}, sig[:64]...), SWOK
}

var errIncomplete = fmt.Errorf("incomplete")

// eip712Parser hashes a root struct from the events received so far.
type eip712Parser struct {
	structs map[string][]eip712Field
	events  []eip712Event
	pos     int
	shown   []TypedField
}

func (p *eip712Parser) next() (eip712Event, error) {
	if p.pos >= len(p.events) {
		return eip712Event{}, errIncomplete
	}
	ev := p.events[p.pos]
	p.pos++
	return ev, nil
}

func (p *eip712Parser) hashStruct(name, path string) ([]byte, error) {
	fields, ok := p.structs[name]
	if !ok {
		return nil, fmt.Errorf("struct %s not defined", name)
	}
	typeStr, err := encodeType(p.structs, name)
	if err != nil {
		return nil, err
	}
	enc := crypto.Keccak256([]byte(typeStr))
	for _, f := range fields {
		b, err := p.field(f, f.levels, path+"."+f.name)
		if err != nil {
			return nil, err
		}
		enc = append(enc, b...)
	}
	return crypto.Keccak256(enc), nil
}

// field is the 32-byte encoding of one field value (levels: the array
// levels still to open).
func (p *eip712Parser) field(f eip712Field, levels []int, path string) ([]byte, error) {
	if len(levels) > 0 {
		ev, err := p.next()
		if err != nil {
			return nil, err
		}
		if !ev.array || (levels[0] >= 0 && ev.size != levels[0]) {
			return nil, fmt.Errorf("%s: array size expected", path)
		}
		var cat []byte
		for i := range ev.size {
			b, err := p.field(f, levels[1:], fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			cat = append(cat, b...)
		}
		return crypto.Keccak256(cat), nil
	}
	if f.code == 0 {
		return p.hashStruct(f.typeName, path)
	}
	ev, err := p.next()
	if err != nil {
		return nil, err
	}
	if ev.array {
		return nil, fmt.Errorf("%s: value expected", path)
	}
	v := ev.value
	out := make([]byte, 32)
	var shown string
	switch f.code {
	case 1, 2: // int, uint: big-endian, sign-extended for int
		if len(v) > f.size || len(v) == 0 {
			return nil, fmt.Errorf("%s: %d bytes for a %d-byte integer", path, len(v), f.size)
		}
		neg := f.code == 1 && v[0]&0x80 != 0
		if neg {
			for i := range out {
				out[i] = 0xff
			}
		}
		copy(out[32-len(v):], v)
		n := new(big.Int).SetBytes(v)
		if neg {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(v))))
		}
		shown = n.String()
	case 3: // address
		if len(v) != 20 {
			return nil, fmt.Errorf("%s: %d bytes for an address", path, len(v))
		}
		copy(out[12:], v)
		shown = common.BytesToAddress(v).Hex()
	case 4: // bool
		if len(v) != 1 || v[0] > 1 {
			return nil, fmt.Errorf("%s: not a bool", path)
		}
		out[31] = v[0]
		shown = map[byte]string{0: "false", 1: "true"}[v[0]]
	case 5: // string
		out = crypto.Keccak256(v)
		shown = string(v)
	case 6: // bytesN: left-aligned
		if len(v) > f.size {
			return nil, fmt.Errorf("%s: %d bytes for a bytes%d", path, len(v), f.size)
		}
		copy(out, v)
		shown = "0x" + hex.EncodeToString(v)
	case 7: // bytes
		out = crypto.Keccak256(v)
		shown = "0x" + hex.EncodeToString(v)
	}
	p.shown = append(p.shown, TypedField{Path: path, Value: shown})
	return out, nil
}

// typeString is a field's type as encodeType writes it.
func (f eip712Field) typeString() string {
	var b strings.Builder
	switch f.code {
	case 0:
		b.WriteString(f.typeName)
	case 1:
		fmt.Fprintf(&b, "int%d", f.size*8)
	case 2:
		fmt.Fprintf(&b, "uint%d", f.size*8)
	case 3:
		b.WriteString("address")
	case 4:
		b.WriteString("bool")
	case 5:
		b.WriteString("string")
	case 6:
		fmt.Fprintf(&b, "bytes%d", f.size)
	case 7:
		b.WriteString("bytes")
	}
	for _, l := range f.levels {
		if l < 0 {
			b.WriteString("[]")
		} else {
			fmt.Fprintf(&b, "[%d]", l)
		}
	}
	return b.String()
}

// encodeType is EIP-712's encodeType: the primary type, then every struct
// it references (transitively) sorted by name.
func encodeType(structs map[string][]eip712Field, primary string) (string, error) {
	deps := map[string]bool{}
	var walk func(string) error
	walk = func(n string) error {
		fs, ok := structs[n]
		if !ok {
			return fmt.Errorf("struct %s not defined", n)
		}
		for _, f := range fs {
			if f.code == 0 && !deps[f.typeName] && f.typeName != primary {
				deps[f.typeName] = true
				if err := walk(f.typeName); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(primary); err != nil {
		return "", err
	}
	names := []string{primary}
	var rest []string
	for n := range deps {
		rest = append(rest, n)
	}
	slices.Sort(rest)
	names = append(names, rest...)
	var b bytes.Buffer
	for _, n := range names {
		b.WriteString(n + "(")
		for i, f := range structs[n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.typeString() + " " + f.name)
		}
		b.WriteByte(')')
	}
	return b.String(), nil
}
