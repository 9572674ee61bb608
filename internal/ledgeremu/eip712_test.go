package ledgeremu

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/stakewallet/stakewallet/pkg/ledger"
)

var path0 = accounts.DerivationPath{h + 44, h + 60, h + 0, 0, 0}

// mailTypedData is EIP-712's own example (EIPS/eip-712.md, "Example").
func mailTypedData() apitypes.TypedData {
	return apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {{Name: "name", Type: "string"}, {Name: "version", Type: "string"}, {Name: "chainId", Type: "uint256"}, {Name: "verifyingContract", Type: "address"}},
			"Person":       {{Name: "name", Type: "string"}, {Name: "wallet", Type: "address"}},
			"Mail":         {{Name: "from", Type: "Person"}, {Name: "to", Type: "Person"}, {Name: "contents", Type: "string"}},
		},
		PrimaryType: "Mail",
		Domain: apitypes.TypedDataDomain{Name: "Ether Mail", Version: "1", ChainId: math.NewHexOrDecimal256(1),
			VerifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
		Message: apitypes.TypedDataMessage{
			"from":     map[string]any{"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
			"to":       map[string]any{"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
			"contents": "Hello, Bob!",
		},
	}
}

// permitTypedData is an EIP-2612 permit under stETH's domain on mainnet.
func permitTypedData() apitypes.TypedData {
	return apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {{Name: "name", Type: "string"}, {Name: "version", Type: "string"}, {Name: "chainId", Type: "uint256"}, {Name: "verifyingContract", Type: "address"}},
			"Permit":       {{Name: "owner", Type: "address"}, {Name: "spender", Type: "address"}, {Name: "value", Type: "uint256"}, {Name: "nonce", Type: "uint256"}, {Name: "deadline", Type: "uint256"}},
		},
		PrimaryType: "Permit",
		Domain: apitypes.TypedDataDomain{Name: "Liquid staked Ether 2.0", Version: "2", ChainId: math.NewHexOrDecimal256(1),
			VerifyingContract: "0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84"},
		Message: apitypes.TypedDataMessage{
			"owner":    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
			"spender":  "0x889edC2eDab5f40e902b864aD4d7AdE8E412F9B1",
			"value":    (*math.HexOrDecimal256)(big.NewInt(3e17)),
			"nonce":    math.NewHexOrDecimal256(0),
			"deadline": math.NewHexOrDecimal256(1767225600),
		},
	}
}

// mixedTypedData has every kind of field: negative ints, dynamic and fixed
// arrays (of atoms and of structs), bytes, bytesN, bool, and a string long
// enough to need several APDUs.
func mixedTypedData() apitypes.TypedData {
	long := strings.Repeat("stake ", 100) // 600 bytes: three APDUs
	return apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {{Name: "name", Type: "string"}, {Name: "chainId", Type: "uint256"}},
			"Leg":          {{Name: "who", Type: "address"}, {Name: "amount", Type: "int64"}},
			"Order": {{Name: "delta", Type: "int8"}, {Name: "ids", Type: "uint16[]"}, {Name: "blob", Type: "bytes"},
				{Name: "ok", Type: "bool"}, {Name: "tag", Type: "bytes4"}, {Name: "legs", Type: "Leg[2]"}, {Name: "memo", Type: "string"}},
		},
		PrimaryType: "Order",
		Domain:      apitypes.TypedDataDomain{Name: "Mixed", ChainId: math.NewHexOrDecimal256(560048)},
		Message: apitypes.TypedDataMessage{
			"delta": "-5",
			"ids":   []any{"1", "65535", "0"},
			"blob":  "0x0102030405",
			"ok":    true,
			"tag":   "0xdeadbeef",
			"legs": []any{
				map[string]any{"who": "0x1100000000000000000000000000000000000009", "amount": "-1000000"},
				map[string]any{"who": "0x2200000000000000000000000000000000000002", "amount": "7"},
			},
			"memo": long,
		},
	}
}

func exchangeAll(t *testing.T, e *Emulator, apdus []ledger.APDU) ([]byte, uint16) {
	t.Helper()
	var resp []byte
	var sw uint16
	for i, a := range apdus {
		resp, sw = e.Exchange(a.Bytes())
		if sw != SWOK {
			return resp, sw
		}
		if i < len(apdus)-1 && len(resp) != 0 {
			t.Fatalf("APDU %d answered %x before SIGN", i, resp)
		}
	}
	return resp, sw
}

// TestEIP712FullMode: the client's full-mode APDUs (pkg/ledger) parsed by
// the emulator give go-ethereum's hashes (and the EIP's published ones for
// its example), and a signature by the device's key over the digest.
func TestEIP712FullMode(t *testing.T) {
	tests := []struct {
		name             string
		td               apitypes.TypedData
		domain, message  string // published vectors, when there are
		wantField, value string // one field the device must show
	}{
		{name: "EIP-712 Mail example", td: mailTypedData(),
			domain:    "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f",
			message:   "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e",
			wantField: "Mail.to.wallet", value: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
		{name: "stETH permit", td: permitTypedData(), wantField: "Permit.value", value: "300000000000000000"},
		{name: "every field kind", td: mixedTypedData(), wantField: "Order.legs[0].amount", value: "-1000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			apdus, err := ledger.EIP712FullAPDUs(path0, tt.td)
			if err != nil {
				t.Fatal(err)
			}
			resp, sw := exchangeAll(t, e, apdus)
			if sw != SWOK || len(resp) != 65 {
				t.Fatalf("SIGN: sw %04x, %d bytes", sw, len(resp))
			}
			gd, err := tt.td.HashStruct("EIP712Domain", tt.td.Domain.Map())
			if err != nil {
				t.Fatal(err)
			}
			gm, err := tt.td.HashStruct(tt.td.PrimaryType, tt.td.Message)
			if err != nil {
				t.Fatal(err)
			}
			sc := e.Screens()
			if len(sc) != 1 || sc[0].Kind != "typed data" || sc[0].Blind || !sc[0].Approved {
				t.Fatalf("screens %+v", sc)
			}
			if sc[0].DomainHash != common.BytesToHash(gd) || sc[0].MessageHash != common.BytesToHash(gm) {
				t.Errorf("device hashed domain %s message %s; go-ethereum %x %x", sc[0].DomainHash.Hex(), sc[0].MessageHash.Hex(), gd, gm)
			}
			if tt.domain != "" && (sc[0].DomainHash != common.HexToHash(tt.domain) || sc[0].MessageHash != common.HexToHash(tt.message)) {
				t.Errorf("device hashed domain %s message %s; EIP-712 publishes %s %s", sc[0].DomainHash.Hex(), sc[0].MessageHash.Hex(), tt.domain, tt.message)
			}
			shown := map[string]string{}
			for _, f := range sc[0].Fields {
				shown[f.Path] = f.Value
			}
			if shown[tt.wantField] != tt.value {
				t.Errorf("device showed %s = %q, want %q (all: %v)", tt.wantField, shown[tt.wantField], tt.value, sc[0].Fields)
			}
			digest := crypto.Keccak256([]byte{0x19, 0x01}, gd, gm)
			sig := append(append([]byte(nil), resp[1:]...), resp[0]-27)
			pub, err := crypto.SigToPub(digest, sig)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := e.Address(path0)
			if got := crypto.PubkeyToAddress(*pub); got != want {
				t.Errorf("signature recovers to %s, want %s", got.Hex(), want.Hex())
			}
		})
	}
}

// TestEIP712Errors: the status words of the app for what it refuses.
func TestEIP712Errors(t *testing.T) {
	full, err := ledger.EIP712FullAPDUs(path0, permitTypedData())
	if err != nil {
		t.Fatal(err)
	}
	// Index of the message's root APDU and of the SIGN.
	msgRoot := -1
	for i, a := range full {
		if a.INS == 0x1c && a.P2 == 0 && string(a.Data) == "Permit" {
			msgRoot = i
		}
	}
	sign := len(full) - 1
	var defs []ledger.APDU
	for _, a := range full {
		if a.INS == 0x1a {
			defs = append(defs, a)
		}
	}
	d, m, err := func() (common.Hash, common.Hash, error) {
		td := permitTypedData()
		a, err := td.HashStruct("EIP712Domain", td.Domain.Map())
		if err != nil {
			return common.Hash{}, common.Hash{}, err
		}
		b, err := td.HashStruct("Permit", td.Message)
		return common.BytesToHash(a), common.BytesToHash(b), err
	}()
	if err != nil {
		t.Fatal(err)
	}
	v0 := ledger.APDU{CLA: 0xe0, INS: 0x0c, P1: 0, P2: 0, Data: append(append([]byte{5, 0x80, 0, 0, 44, 0x80, 0, 0, 60, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, d[:]...), m[:]...)}
	withSize := func(a ledger.APDU, data []byte) ledger.APDU { a.Data = data; return a }
	tests := []struct {
		name  string
		opts  Options
		apdus []ledger.APDU
		want  uint16
	}{
		{name: "complete", apdus: full, want: SWOK},
		{name: "values before any definition", apdus: full[len(defs):], want: SWInvalidData},
		{name: "SIGN before the message is complete", apdus: append(append([]ledger.APDU(nil), full[:sign-1]...), full[sign]), want: SWInvalidData},
		{name: "message before the domain", apdus: append(append([]ledger.APDU(nil), defs...), full[msgRoot:]...), want: SWInvalidData},
		{name: "a value longer than it says", apdus: append(append([]ledger.APDU(nil), full[:len(defs)+1]...), withSize(full[len(defs)+1], []byte{0, 1, 'a', 'b'})), want: SWInvalidData},
		{name: "the user rejects", opts: Options{Reject: true}, apdus: full, want: SWConditions},
		{name: "app 1.9.18: no full mode", opts: Options{Version: "1.9.18"}, apdus: full, want: SWInvalidINS},
		{name: "app 1.9.18: v0 with blind signing", opts: Options{Version: "1.9.18", BlindSigning: true}, apdus: []ledger.APDU{v0}, want: SWOK},
		{name: "v0 with blind signing off", apdus: []ledger.APDU{v0}, want: SWInvalidData},
		{name: "app 1.4.0: no EIP-712", opts: Options{Version: "1.4.0", BlindSigning: true}, apdus: []ledger.APDU{v0}, want: SWInvalidINS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			resp, sw := exchangeAll(t, e, tt.apdus)
			if sw != tt.want {
				t.Fatalf("sw %04x, want %04x", sw, tt.want)
			}
			if sw == SWOK && len(resp) != 65 {
				t.Errorf("signature of %d bytes", len(resp))
			}
		})
	}
}

// TestCrosscheckEIP712WithLedgerJS: Ledger's JS client's signEIP712Message
// (full mode, over the Speculos transport) against the emulator: it sends
// byte for byte the APDUs our client sends, the signature recovers to the
// device's address over go-ethereum's digest, and the device showed the
// permit's fields.
func TestCrosscheckEIP712WithLedgerJS(t *testing.T) {
	var mu sync.Mutex
	var jsAPDUs [][]byte
	emu, err := New(Options{Trace: func(a []byte) {
		if len(a) >= 2 && a[0] == 0xe0 && (a[1] == 0x1a || a[1] == 0x1c || a[1] == 0x0c) {
			mu.Lock()
			jsAPDUs = append(jsAPDUs, a)
			mu.Unlock()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	tds := []apitypes.TypedData{permitTypedData(), mailTypedData()}
	dir := t.TempDir()
	var args []string
	for i, td := range tds {
		// eth_signTypedData_v4 JSON as a dapp would pass it: numbers as
		// decimal strings, the domain's chain ID as a number.
		dom := td.Domain.Map()
		dom["chainId"] = (*big.Int)(td.Domain.ChainId).Uint64()
		msg := map[string]any{}
		for k, v := range td.Message {
			if n, ok := v.(*math.HexOrDecimal256); ok {
				v = (*big.Int)(n).String()
			}
			msg[k] = v
		}
		b, err := json.Marshal(map[string]any{"types": td.Types, "primaryType": td.PrimaryType, "domain": dom, "message": msg})
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, td.PrimaryType+".json")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--eip712", []string{"44'/60'/0'/0/0", "44'/60'/1'/0/0"}[i]+":"+f)
	}
	out := runCrosscheck(t, emu, args...)
	if len(out.Typed) != len(tds) {
		t.Fatalf("typed signatures %+v", out.Typed)
	}
	paths := [][]uint32{{h + 44, h + 60, h + 0, 0, 0}, {h + 44, h + 60, h + 1, 0, 0}}
	for i, td := range tds {
		digest, err := func() ([]byte, error) {
			d, err := td.HashStruct("EIP712Domain", td.Domain.Map())
			if err != nil {
				return nil, err
			}
			m, err := td.HashStruct(td.PrimaryType, td.Message)
			return crypto.Keccak256([]byte{0x19, 0x01}, d, m), err
		}()
		if err != nil {
			t.Fatal(err)
		}
		sig := append(common.FromHex(out.Typed[i].R), common.FromHex(out.Typed[i].S)...)
		sig = append(sig, byte(out.Typed[i].V-27))
		pub, err := crypto.SigToPub(digest, sig)
		if err != nil {
			t.Fatalf("%s: %v", td.PrimaryType, err)
		}
		want, _ := emu.Address(paths[i])
		if got := crypto.PubkeyToAddress(*pub); got != want {
			t.Errorf("%s: JS signature recovers to %s, want %s", td.PrimaryType, got.Hex(), want.Hex())
		}
	}
	// Byte for byte, the JS client sent what our client sends.
	var ours [][]byte
	for i, td := range tds {
		apdus, err := ledger.EIP712FullAPDUs(accounts.DerivationPath(paths[i]), td)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range apdus {
			ours = append(ours, a.Bytes())
		}
	}
	mu.Lock()
	if len(jsAPDUs) != len(ours) {
		t.Errorf("the JS client sent %d EIP-712 APDUs, ours %d", len(jsAPDUs), len(ours))
	}
	for i := range min(len(jsAPDUs), len(ours)) {
		if !bytes.Equal(jsAPDUs[i], ours[i]) {
			t.Errorf("APDU %d: JS %x, ours %x", i, jsAPDUs[i], ours[i])
		}
	}
	mu.Unlock()
	sc := emu.Screens()
	if len(sc) != 2 || sc[0].Kind != "typed data" || sc[0].Blind {
		t.Fatalf("screens %+v", sc)
	}
	shown := map[string]string{}
	for _, f := range sc[0].Fields {
		shown[f.Path] = f.Value
	}
	for k, v := range map[string]string{
		"EIP712Domain.name": "Liquid staked Ether 2.0", "EIP712Domain.version": "2", "EIP712Domain.chainId": "1",
		"Permit.spender": "0x889edC2eDab5f40e902b864aD4d7AdE8E412F9B1", "Permit.value": "300000000000000000", "Permit.deadline": "1767225600",
	} {
		if shown[k] != v {
			t.Errorf("device showed %s = %q, want %q", k, shown[k], v)
		}
	}
}
