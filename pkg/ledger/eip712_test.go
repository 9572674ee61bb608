package ledger

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

// TestEncodeFieldDef: STRUCT DEFINITION field payloads as ethapp.adoc lays
// them out: TypeDesc (array bit 0x80, size bit 0x40, type in the low
// nibble), [name of a struct type], [size], [levels], key name.
func TestEncodeFieldDef(t *testing.T) {
	types := apitypes.Types{"Person": {{Name: "name", Type: "string"}}, "Leg": {{Name: "x", Type: "bool"}}}
	tests := []struct {
		typ, name, want string
	}{
		{"uint256", "value", "42" + "20" + "05" + hex.EncodeToString([]byte("value"))},
		{"uint8", "v", "42" + "01" + "01" + "76"},
		{"int64", "n", "41" + "08" + "01" + "6e"},
		{"address", "owner", "03" + "05" + hex.EncodeToString([]byte("owner"))},
		{"bool", "ok", "04" + "02" + "6f6b"},
		{"string", "name", "05" + "04" + "6e616d65"},
		{"bytes32", "r", "46" + "20" + "01" + "72"},
		{"bytes", "blob", "07" + "04" + "626c6f62"},
		{"Person", "from", "00" + "06" + hex.EncodeToString([]byte("Person")) + "04" + "66726f6d"},
		{"uint16[]", "ids", "c2" + "02" + "01" + "00" + "03" + "696473"},
		{"Leg[2]", "legs", "80" + "03" + hex.EncodeToString([]byte("Leg")) + "01" + "01" + "02" + "04" + "6c656773"},
		{"address[][3]", "m", "83" + "02" + "00" + "01" + "03" + "01" + "6d"},
	}
	for _, tt := range tests {
		got, err := EncodeFieldDef(apitypes.Type{Name: tt.name, Type: tt.typ}, types)
		if err != nil {
			t.Errorf("%s %s: %v", tt.typ, tt.name, err)
			continue
		}
		if hex.EncodeToString(got) != tt.want {
			t.Errorf("%s %s: %x, want %s", tt.typ, tt.name, got, tt.want)
		}
	}
	for _, bad := range []string{"uint7", "bytes33", "Unknown", "uint256[300]"} {
		if _, err := EncodeFieldDef(apitypes.Type{Name: "x", Type: bad}, types); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestEncodeEIP712Value: raw values as hw-app-eth sends them (minimal
// big-endian integers, 0 as one byte, negatives in two's complement of
// the type's size).
func TestEncodeEIP712Value(t *testing.T) {
	tests := []struct {
		code byte
		size int
		v    any
		want string
	}{
		{EIP712Uint, 32, "0", "00"},
		{EIP712Uint, 32, math.NewHexOrDecimal256(256), "0100"},
		{EIP712Uint, 32, "0x1234", "1234"},
		{EIP712Int, 1, "-5", "fb"},
		{EIP712Int, 8, "-1000000", "fffffffffff0bdc0"},
		{EIP712Address, 0, "0x889edC2eDab5f40e902b864aD4d7AdE8E412F9B1", "889edc2edab5f40e902b864ad4d7ade8e412f9b1"},
		{EIP712Bool, 0, true, "01"},
		{EIP712String, 0, "2", "32"},
		{EIP712BytesN, 4, "0xdeadbeef", "deadbeef"},
	}
	for _, tt := range tests {
		got, err := EncodeEIP712Value(tt.code, tt.size, tt.v)
		if err != nil || hex.EncodeToString(got) != tt.want {
			t.Errorf("%d/%d %v: %x %v, want %s", tt.code, tt.size, tt.v, got, err, tt.want)
		}
	}
	for _, bad := range []struct {
		code byte
		size int
		v    any
	}{{EIP712Uint, 1, "256"}, {EIP712Uint, 32, "-1"}, {EIP712BytesN, 4, "0xdead"}, {EIP712Address, 0, "0x12"}} {
		if _, err := EncodeEIP712Value(bad.code, bad.size, bad.v); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// TestEIP712FullAPDUsChunking: a value longer than one APDU is cut into
// 255-byte pieces, all but the last with P1 = partial, the 2-byte length
// first; types are defined in alphabetical order, then the domain, then
// the message, then SIGN with P2 = 1.
func TestEIP712FullAPDUsChunking(t *testing.T) {
	long := strings.Repeat("x", 600)
	td := apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {{Name: "name", Type: "string"}},
			"Note":         {{Name: "text", Type: "string"}},
		},
		PrimaryType: "Note",
		Domain:      apitypes.TypedDataDomain{Name: "N"},
		Message:     apitypes.TypedDataMessage{"text": long},
	}
	path := accounts.DerivationPath{0x8000002c, 0x8000003c, 0x80000000, 0, 0}
	apdus, err := EIP712FullAPDUs(path, td)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	var text []byte
	for _, a := range apdus {
		switch {
		case a.INS == insEIP712StructDef && a.P2 == eip712DefName:
			order = append(order, "def "+string(a.Data))
		case a.INS == insEIP712StructImp && a.P2 == eip712ImpRoot:
			order = append(order, "root "+string(a.Data))
		case a.INS == insEIP712StructImp && a.P2 == eip712ImpField && len(order) > 0 && order[len(order)-1] == "root Note":
			if len(a.Data) > maxAPDUData {
				t.Fatalf("APDU of %d bytes", len(a.Data))
			}
			text = append(text, a.Data...)
			if (a.P1 == eip712ImpPartial) != (len(text) < 602) {
				t.Errorf("P1 %d after %d bytes", a.P1, len(text))
			}
		case a.INS == insSignEIP712:
			order = append(order, "sign")
			if a.P2 != eip712ModeFull || len(a.Data) != 21 {
				t.Errorf("SIGN %+v", a)
			}
		}
	}
	if got := strings.Join(order, ","); got != "def EIP712Domain,def Note,root EIP712Domain,root Note,sign" {
		t.Errorf("order %s", got)
	}
	if !bytes.Equal(text, append([]byte{0x02, 0x58}, long...)) {
		t.Errorf("field data %d bytes, want 2+600", len(text))
	}
}
