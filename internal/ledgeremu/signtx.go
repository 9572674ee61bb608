package ledgeremu

import (
	"bytes"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// SIGN ETH TRANSACTION, modelled on app-ethereum cmd_sign_tx.c,
// eth_ustream.c, logic_sign_tx.c and ui_common_sign_tx.c.

const (
	txLegacy = 0xc0 // the app's marker: a legacy tx starts with a list header
	tx2930   = 0x01
	tx1559   = 0x02
)

// fieldLayout gives, per transaction type, the number of list fields the
// parser reads, and the positions of to, data and (legacy) v.
type fieldLayout struct{ count, to, data, v, accessList int }

var layouts = map[byte]fieldLayout{
	txLegacy: {count: 9, to: 3, data: 5, v: 6, accessList: -1},
	tx2930:   {count: 8, to: 4, data: 6, v: -1, accessList: 7},
	tx1559:   {count: 9, to: 5, data: 7, v: -1, accessList: 8},
}

type signState struct {
	active bool
	path   []uint32
	txType byte
	buf    []byte // transaction bytes received, type byte included
}

func (e *Emulator) resetSign() { e.sign = signState{} }

func (e *Emulator) signTx(p1, p2 byte, data []byte) ([]byte, uint16) {
	if p2 != 0 {
		// P2 1/2 (store / start flow) belong to generic clear signing,
		// which the emulator does not implement.
		return nil, SWWrongP1P2
	}
	switch p1 {
	case 0x00:
		e.resetSign()
		path, rest, err := parseBIP32(data)
		if err != nil || len(rest) == 0 {
			return nil, SWInvalidData
		}
		t := rest[0]
		if t <= 0x7f {
			typed := t == tx1559 || t == tx2930
			if !typed || e.version[0] == 1 && e.version[1] < 9 {
				return nil, SWTxTypeUnsupported
			}
		} else {
			t = txLegacy
		}
		e.sign = signState{active: true, path: path, txType: t}
		data = rest
	case 0x80:
		if !e.sign.active {
			return nil, SWCommandNotAllowed
		}
	default:
		return nil, SWWrongP1P2
	}
	resp, sw := e.signChunk(data)
	if sw != SWOK || resp != nil {
		e.resetSign()
	}
	return resp, sw
}

// scan is how far the app's streaming parser gets through the bytes so far.
type scan struct {
	fields   []field // fields whose header is complete
	complete int     // fields completely received
	bad      bool    // RLP the app rejects
}

type field struct {
	start, content, end int // offsets into the transaction bytes
	list                bool
}

// header decodes an RLP header at b[0:]; ok is false when more bytes are
// needed.
func header(b []byte) (hdr, size int, list, ok, bad bool) {
	if len(b) == 0 {
		return 0, 0, false, false, false
	}
	c := b[0]
	switch {
	case c < 0x80:
		return 0, 1, false, true, false // single byte, self-encoded
	case c <= 0xb7:
		return 1, int(c - 0x80), false, true, false
	case c < 0xc0:
		return longHeader(b, int(c-0xb7), false)
	case c <= 0xf7:
		return 1, int(c - 0xc0), true, true, false
	default:
		return longHeader(b, int(c-0xf7), true)
	}
}

func longHeader(b []byte, n int, list bool) (int, int, bool, bool, bool) {
	if n > 4 {
		return 0, 0, list, true, true
	}
	if len(b) < 1+n {
		return 0, 0, list, false, false
	}
	size := 0
	for _, x := range b[1 : 1+n] {
		size = size<<8 | int(x)
	}
	return 1 + n, size, list, true, false
}

// scanTx walks the list's fields as far as the bytes go. off is where the
// RLP list starts (after the type byte, if any).
func scanTx(b []byte, off int, layout fieldLayout) scan {
	var s scan
	hdr, _, list, ok, bad := header(b[off:])
	if bad || (ok && !list) {
		s.bad = true
		return s
	}
	if !ok {
		return s
	}
	pos := off + hdr
	for i := 0; i < layout.count && pos < len(b); i++ {
		h, size, list, ok, bad := header(b[pos:])
		if bad {
			s.bad = true
			return s
		}
		if !ok {
			return s
		}
		if list != (i == layout.accessList) {
			s.bad = true // assert_fields / assert_empty_list
			return s
		}
		f := field{start: pos, content: pos + h, end: pos + h + size}
		if h == 0 {
			f.content, f.end = pos, pos+1
		}
		f.list = list
		s.fields = append(s.fields, f)
		if f.end > len(b) {
			return s
		}
		s.complete++
		pos = f.end
	}
	return s
}

func (e *Emulator) signChunk(chunk []byte) ([]byte, uint16) {
	st := &e.sign
	layout := layouts[st.txType]
	start := len(st.buf)
	st.buf = append(st.buf, chunk...)
	end := len(st.buf)
	off := 0
	if st.txType != txLegacy {
		off = 1
	}
	s := scanTx(st.buf, off, layout)
	if s.bad {
		return nil, SWInvalidData
	}

	// The calldata check runs when the parser enters the data field
	// (custom_processor with currentFieldPos == 0), in the chunk that
	// holds the end of the data header.
	hasTo := len(s.fields) > layout.to && s.fields[layout.to].end > s.fields[layout.to].content
	if len(s.fields) > layout.data && hasTo {
		d := s.fields[layout.data]
		dataLen := d.end - d.content
		if dataLen >= 4 && d.content > start && d.content <= end {
			if end-d.content < 4 {
				return nil, SWInvalidData // "Missing function selector"
			}
			sel := st.buf[d.content : d.content+4]
			if !isERC20Selector(sel) && !e.opts.BlindSigning {
				return nil, SWInvalidData // ui_error_blind_signing
			}
		}
	}

	if s.complete < layout.count {
		// Old apps stop at v when a chunk ends there (app-ethereum #409).
		if e.opts.LegacyEarlyFinish && st.txType == txLegacy && s.complete == layout.v {
			return e.finish(st.buf, s, true)
		}
		return nil, SWOK // wait for the next chunk
	}
	return e.finish(st.buf[:s.fields[layout.count-1].end], s, false)
}

func isERC20Selector(sel []byte) bool {
	return bytes.Equal(sel, []byte{0xa9, 0x05, 0x9c, 0xbb}) || bytes.Equal(sel, []byte{0x09, 0x5e, 0xa7, 0xb3})
}

// finish validates, shows and signs. consumed is what the app hashed.
func (e *Emulator) finish(consumed []byte, s scan, early bool) ([]byte, uint16) {
	st := &e.sign
	layout := layouts[st.txType]
	b := st.buf
	fieldBytes := func(i int) []byte {
		if i >= s.complete {
			return nil
		}
		return b[s.fields[i].content:s.fields[i].end]
	}
	var chainID *big.Int
	vLength := 0
	switch st.txType {
	case txLegacy:
		if !early {
			vLength = len(fieldBytes(layout.v))
			chainID = new(big.Int).SetBytes(fieldBytes(layout.v))
		}
		if vLength == 0 && !e.opts.LegacyEarlyFinish {
			// Current apps refuse replayable pre-EIP-155 transactions.
			return nil, SWInvalidData
		}
	default:
		chainID = new(big.Int).SetBytes(fieldBytes(0))
	}

	key, _, err := e.key(st.path)
	if err != nil {
		return nil, SWInvalidData
	}
	sc := Screen{Kind: "transaction", Address: addressOf(key), ChainID: chainID}
	if to := fieldBytes(layout.to); len(to) == 20 {
		a := common.BytesToAddress(to)
		sc.To = &a
	}
	valueIdx := layout.to + 1
	sc.Value = new(big.Int).SetBytes(fieldBytes(valueIdx))
	data := fieldBytes(layout.data)
	if len(data) > 0 {
		tok, ok := e.knownToken(sc.To, chainID, data)
		switch {
		case ok:
			sc.Token = tok.ticker
			sc.Recipient = common.BytesToAddress(data[4:36])
			sc.Amount = new(big.Int).SetBytes(data[36:68])
		case !e.opts.BlindSigning:
			return nil, SWInvalidData // blind signing needed but off
		default:
			sc.Blind = true
		}
	}
	ok := e.userReview()
	sc.Approved = ok
	e.screens = append(e.screens, sc)
	e.tokens = nil
	if !ok {
		return nil, SWConditions
	}

	hash := crypto.Keccak256(consumed)
	sig, err := crypto.Sign(hash, key)
	if err != nil {
		return nil, SWInvalidData
	}
	recid := sig[64]
	var v byte
	switch {
	case st.txType != txLegacy:
		v = recid
	case vLength == 0:
		v = 27 + recid // ETHEREUM_SIGNATURE_V_BASE
	default:
		// (chainId*2 + 35 + parity) in one byte, from at most the first 4
		// bytes of the chain id: "wrong for a large v, but ledgerjs will
		// recover" (ui_common_sign_tx.c).
		cb := fieldBytes(layout.v)
		var c uint32
		for _, x := range cb[:min(4, len(cb))] {
			c = c<<8 | uint32(x)
		}
		v = byte(c*2+35) + recid
	}
	out := append([]byte{v}, sig[:64]...)
	return out, SWOK
}

// knownToken reports an ERC-20 transfer/approve of a token whose
// descriptor was provided: the ERC20 plugin then shows it in clear.
func (e *Emulator) knownToken(to *common.Address, chainID *big.Int, data []byte) (token, bool) {
	if to == nil || len(data) != 68 || !isERC20Selector(data[:4]) || chainID == nil {
		return token{}, false
	}
	for _, t := range e.tokens {
		if t.address == *to && chainID.IsUint64() && t.chainID == chainID.Uint64() {
			return t, true
		}
	}
	return token{}, false
}
