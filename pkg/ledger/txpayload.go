package ledger

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// signingPayload is what the Ethereum app hashes and signs: for typed
// transactions the type byte then the RLP list without signature fields,
// for legacy ones the EIP-155 list [nonce, gasPrice, gas, to, value, data,
// chainId, 0, 0]. It is checked against go-ethereum's signing hash so the
// device never signs something other than what we will broadcast.
func signingPayload(tx *types.Transaction, chainID *big.Int) ([]byte, error) {
	var (
		fields []any
		prefix []byte
	)
	switch tx.Type() {
	case types.LegacyTxType:
		fields = []any{tx.Nonce(), tx.GasPrice(), tx.Gas(), tx.To(), tx.Value(), tx.Data(), chainID, uint(0), uint(0)}
	case types.AccessListTxType:
		fields = []any{chainID, tx.Nonce(), tx.GasPrice(), tx.Gas(), tx.To(), tx.Value(), tx.Data(), tx.AccessList()}
		prefix = []byte{types.AccessListTxType}
	case types.DynamicFeeTxType:
		fields = []any{chainID, tx.Nonce(), tx.GasTipCap(), tx.GasFeeCap(), tx.Gas(), tx.To(), tx.Value(), tx.Data(), tx.AccessList()}
		prefix = []byte{types.DynamicFeeTxType}
	default:
		return nil, &Error{Kind: ErrUnsupported, Msg: fmt.Sprintf("signing type-%d transactions on a Ledger is not supported; use an EIP-1559 transaction", tx.Type())}
	}
	body, err := rlp.EncodeToBytes(fields)
	if err != nil {
		return nil, fmt.Errorf("ledger: encoding the transaction: %w", err)
	}
	payload := append(prefix, body...)
	want := types.LatestSignerForChainID(chainID).Hash(tx)
	if got := crypto.Keccak256Hash(payload); got != want {
		return nil, fmt.Errorf("ledger: internal error: payload hash %s differs from the signing hash %s", got, want)
	}
	return payload, nil
}

// span is a half-open range [lo, hi) of offsets into the payload.
type span struct{ lo, hi int }

// rlpItem is one field of the transaction list, as offsets in the payload.
type rlpItem struct{ start, content, end int }

// txItems returns the offsets of the fields of the payload's RLP list.
func txItems(payload []byte) ([]rlpItem, error) {
	base := 0
	if len(payload) > 0 && payload[0] < 0xc0 {
		base = 1 // EIP-2718 type byte
	}
	in := payload[base:]
	content, rest, err := rlp.SplitList(in)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes after the transaction list", len(rest))
	}
	listContentStart := base + len(in) - len(content)
	var items []rlpItem
	pos := listContentStart
	for rest = content; len(rest) > 0; {
		_, val, tail, err := rlp.Split(rest)
		if err != nil {
			return nil, err
		}
		itemLen := len(rest) - len(tail)
		hdr := itemLen - len(val)
		items = append(items, rlpItem{start: pos, content: pos + hdr, end: pos + itemLen})
		pos += itemLen
		rest = tail
	}
	return items, nil
}

// Field positions in the app's parsers (app-ethereum eth_ustream.h).
const (
	legacyTo, legacyData, legacyV = 3, 5, 6
	typed2930To, typed2930Data    = 4, 6
	typed1559To, typed1559Data    = 5, 7
)

// forbiddenBoundaries lists where an APDU chunk must not end, because the
// app's streaming parser misbehaves there:
//   - a legacy transaction's chunk ending at or inside v (the chain id): the
//     app (before the parser fix) takes "no more bytes while at v" for a
//     pre-EIP-155 transaction and signs with chain id 0 (app-ethereum #409);
//   - a chunk ending within the first 4 bytes of calldata to a contract
//     (including right after the data header): the plugin lookup needs the
//     whole selector in one chunk and fails with "Missing function
//     selector" (logic_sign_tx.c custom_processor).
func forbiddenBoundaries(payload []byte, txType byte) ([]span, error) {
	items, err := txItems(payload)
	if err != nil {
		return nil, err
	}
	to, data := typed1559To, typed1559Data
	switch txType {
	case types.LegacyTxType:
		to, data = legacyTo, legacyData
	case types.AccessListTxType:
		to, data = typed2930To, typed2930Data
	}
	if len(items) <= data {
		return nil, fmt.Errorf("ledger: transaction list has %d fields", len(items))
	}
	var spans []span
	d := items[data]
	if items[to].end > items[to].content && d.end-d.content >= 4 {
		spans = append(spans, span{d.content, d.content + 4})
	}
	if txType == types.LegacyTxType && len(items) > legacyV {
		v := items[legacyV]
		spans = append(spans, span{v.start, v.end})
	}
	return spans, nil
}

// chunkSign splits path||payload into SIGN chunks of at most 255 bytes,
// moving a boundary earlier when it falls where the app cannot take it.
func chunkSign(path, payload []byte, forbidden []span) [][]byte {
	buf := append(append([]byte(nil), path...), payload...)
	bad := func(end int) bool {
		b := end - len(path)
		for _, s := range forbidden {
			if b >= s.lo && b < s.hi {
				return true
			}
		}
		return false
	}
	var chunks [][]byte
	for pos := 0; pos < len(buf); {
		end := min(pos+maxAPDUData, len(buf))
		if end < len(buf) {
			e := end
			// The first chunk must carry the path and at least one byte.
			floor := max(pos+1, len(path)+1)
			for e > floor && bad(e) {
				e--
			}
			if !bad(e) {
				end = e
			}
		}
		chunks = append(chunks, buf[pos:end])
		pos = end
	}
	return chunks
}
