package ledgeremu

import (
	"bytes"
	"encoding/binary"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

const h = 0x80000000

func TestDerivation(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Expected values: index 0 and 1 of m/44'/60'/0'/0 are the well-known
	// Hardhat/Foundry accounts; the others were derived by an independent
	// Node.js implementation (node:crypto + elliptic), which
	// scripts/ledger-crosscheck.js also runs.
	tests := []struct {
		path []uint32
		want string
	}{
		{[]uint32{h + 44, h + 60, h + 0, 0, 0}, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"},
		{[]uint32{h + 44, h + 60, h + 0, 0, 1}, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"},
		{[]uint32{h + 44, h + 60, h + 1, 0, 0}, "0x8C8d35429F74ec245F8Ef2f4Fd1e551cFF97d650"},
		{[]uint32{h + 44, h + 60, h + 2, 0, 0}, "0x98E503f35D0a019cB0a251aD243a4cCFCF371F46"},
		{[]uint32{h + 44, h + 60, h + 0, 1}, "0xc89D42189f0450C2b2c3c61f58Ec5d628176A1E7"},
	}
	for _, tt := range tests {
		got, err := e.Address(tt.path)
		if err != nil || got != common.HexToAddress(tt.want) {
			t.Errorf("%v: got %s, %v; want %s", tt.path, got.Hex(), err, tt.want)
		}
	}
}

func apdu(cla, ins, p1, p2 byte, data []byte) []byte {
	return append([]byte{cla, ins, p1, p2, byte(len(data))}, data...)
}

func pathBytes(p ...uint32) []byte {
	b := []byte{byte(len(p))}
	for _, c := range p {
		b = binary.BigEndian.AppendUint32(b, c)
	}
	return b
}

func TestBasicCommands(t *testing.T) {
	e, _ := New(Options{Version: "1.13.2", BlindSigning: true})
	data, sw := e.Exchange(apdu(0xe0, 0x06, 0, 0, nil))
	if sw != SWOK || !bytes.Equal(data, []byte{0x03, 1, 13, 2}) {
		t.Errorf("config: % x %04x", data, sw)
	}
	data, sw = e.Exchange(apdu(0xb0, 0x01, 0, 0, nil))
	if sw != SWOK || !bytes.Contains(data, []byte("Ethereum")) || !bytes.Contains(data, []byte("1.13.2")) {
		t.Errorf("app and version: % x %04x", data, sw)
	}
	data, sw = e.Exchange(apdu(0xe0, 0x02, 0, 0, pathBytes(h+44, h+60, h, 0, 0)))
	if sw != SWOK || data[0] != 65 || data[66] != 40 || string(data[67:107]) != "f39Fd6e51aad88F6F4ce6aB8827279cffFb92266" {
		t.Errorf("address: %q %04x", data, sw)
	}
	tests := []struct {
		name string
		apdu []byte
		sw   uint16
	}{
		{"wrong CLA", apdu(0xe1, 0x06, 0, 0, nil), SWInvalidCLA},
		{"unknown INS", apdu(0xe0, 0x42, 0, 0, nil), SWInvalidINS},
		{"bad Lc", []byte{0xe0, 0x02, 0, 0, 9, 1}, SWWrongLength},
		{"path too deep", apdu(0xe0, 0x02, 0, 0, pathBytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)), SWInvalidData},
		{"address P1", apdu(0xe0, 0x02, 2, 0, pathBytes(h+44)), SWWrongP1P2},
		{"sign continuation first", apdu(0xe0, 0x04, 0x80, 0, []byte{0xc0}), SWCommandNotAllowed},
		{"sign type 3", apdu(0xe0, 0x04, 0, 0, append(pathBytes(h+44), 3, 0xc0)), SWTxTypeUnsupported},
		{"plugin missing", apdu(0xe0, 0x12, 0, 0, append(append([]byte{4}, "Lido"...), make([]byte, 24+70)...)), SWFileNotFound},
		{"bad token descriptor", apdu(0xe0, 0x0a, 0, 0, append(append([]byte{3}, "ABC"...), make([]byte, 28+70)...)), SWInvalidData},
	}
	for _, tt := range tests {
		if _, sw := e.Exchange(tt.apdu); sw != tt.sw {
			t.Errorf("%s: sw %04x, want %04x", tt.name, sw, tt.sw)
		}
	}
}

func TestDeviceStates(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		sw   uint16
	}{
		{"locked", Options{Locked: true}, 0x5515},
		{"locked nano x", Options{Locked: true, LockedSW: 0x6b0c}, 0x6b0c},
		{"dashboard", Options{AppName: "BOLOS"}, 0x6e00},
		{"other app", Options{AppName: "Bitcoin", NotOpenSW: 0x6d00}, 0x6d00},
	}
	for _, tt := range tests {
		e, _ := New(tt.opts)
		if _, sw := e.Exchange(apdu(0xe0, 0x06, 0, 0, nil)); sw != tt.sw {
			t.Errorf("%s: sw %04x, want %04x", tt.name, sw, tt.sw)
		}
	}
}

// swEarly marks a signature returned before the whole payload was sent.
const swEarly = 0xffff

// signAll sends path||payload in chunks of the given sizes.
func signAll(e *Emulator, path, payload []byte, sizes ...int) ([]byte, uint16) {
	buf := append(append([]byte(nil), path...), payload...)
	p1 := byte(0)
	for len(buf) > 0 {
		n := len(buf)
		if len(sizes) > 0 {
			n = min(sizes[0], n)
			sizes = sizes[1:]
		}
		data, sw := e.Exchange(apdu(0xe0, 0x04, p1, 0, buf[:n]))
		buf = buf[n:]
		p1 = 0x80
		if sw != SWOK || len(buf) == 0 {
			return data, sw
		}
		if len(data) != 0 {
			return data, swEarly // signed before the end
		}
	}
	return nil, 0xffff
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

func legacyPayload(chainID int64, to common.Address, data []byte) []byte {
	p, _ := rlp.EncodeToBytes([]any{uint64(3), big.NewInt(1e9), uint64(60000), to, big.NewInt(5), data, big.NewInt(chainID), uint(0), uint(0)})
	return p
}

func TestLegacyV(t *testing.T) {
	e, _ := New(Options{})
	path := pathBytes(h+44, h+60, h, 0, 0)
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	for _, chain := range []int64{1, 109, 110, 17000, 560048, 11155111} {
		resp, sw := signAll(e, path, legacyPayload(chain, to, nil))
		if sw != SWOK || len(resp) != 65 {
			t.Fatalf("chain %d: %04x", chain, sw)
		}
		full := new(big.Int).Add(big.NewInt(chain*2+35), big.NewInt(0))
		base := byte(full.Uint64())
		parity := resp[0] - base
		if parity > 1 {
			t.Errorf("chain %d: v byte %d is not (chainId*2+35+parity) mod 256", chain, resp[0])
		}
		sig := append(append([]byte(nil), resp[1:]...), parity)
		pub, err := crypto.SigToPub(crypto.Keccak256(legacyPayload(chain, to, nil)), sig)
		if err != nil || crypto.PubkeyToAddress(*pub) != common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") {
			t.Errorf("chain %d: signature does not recover to account 0", chain)
		}
	}
}

func TestChunkRules(t *testing.T) {
	path := pathBytes(h+44, h+60, h, 0, 0) // 21 bytes
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	call := append([]byte{0xa1, 0x90, 0x3e, 0xab}, make([]byte, 32)...)
	payload := legacyPayload(17000, to, call)
	// Offsets in path||payload of the calldata (after its 1-byte header)
	// and of v (82 42 68, then r and s as 80 80).
	dataStart := bytes.Index(append(append([]byte(nil), path...), payload...), call[:4])
	vStart := len(path) + len(payload) - 5 // 82 42 68 80 80

	tests := []struct {
		name  string
		opts  Options
		sizes []int
		sw    uint16
	}{
		{"whole", Options{BlindSigning: true}, nil, SWOK},
		{"blind signing off", Options{}, nil, SWInvalidData},
		{"boundary before the data header", Options{BlindSigning: true}, []int{dataStart - 1}, SWOK},
		{"boundary right after the data header", Options{BlindSigning: true}, []int{dataStart}, SWInvalidData},
		{"boundary inside the selector", Options{BlindSigning: true}, []int{dataStart + 2}, SWInvalidData},
		{"boundary after the selector", Options{BlindSigning: true}, []int{dataStart + 4}, SWOK},
		{"boundary at v, fixed app", Options{BlindSigning: true}, []int{vStart}, SWOK},
		{"byte by byte after the selector", Options{BlindSigning: true}, append([]int{dataStart + 4}, ones(200)...), SWOK},
	}
	for _, tt := range tests {
		e, _ := New(tt.opts)
		resp, sw := signAll(e, path, payload, tt.sizes...)
		if sw != tt.sw {
			t.Errorf("%s: sw %04x, want %04x", tt.name, sw, tt.sw)
		}
		if sw == SWOK && len(resp) != 65 {
			t.Errorf("%s: %d bytes", tt.name, len(resp))
		}
	}

	// An old app stops at v and signs without chain id (#409): the
	// signature is over the partial payload and recovers to someone else.
	e, _ := New(Options{BlindSigning: true, LegacyEarlyFinish: true})
	resp, sw := signAll(e, path, payload, vStart)
	if sw != swEarly || (resp[0] != 27 && resp[0] != 28) {
		t.Fatalf("early finish: sw %04x v %d", sw, resp[0])
	}
	sig := append(append([]byte(nil), resp[1:]...), resp[0]-27)
	pub, err := crypto.SigToPub(crypto.Keccak256(payload), sig)
	if err == nil && crypto.PubkeyToAddress(*pub) == common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") {
		t.Error("early-finish signature unexpectedly valid for the full payload")
	}
}

func TestTypedTxAndUserSwitches(t *testing.T) {
	path := pathBytes(h+44, h+60, h+1, 0, 0)
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(560048), Nonce: 1, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 21000, To: &to, Value: big.NewInt(7)})
	body, _ := rlp.EncodeToBytes([]any{big.NewInt(560048), uint64(1), big.NewInt(1), big.NewInt(2), uint64(21000), to, big.NewInt(7), []byte{}, types.AccessList{}})
	payload := append([]byte{2}, body...)
	if got := crypto.Keccak256Hash(payload); got != types.LatestSignerForChainID(big.NewInt(560048)).Hash(tx) {
		t.Fatal("test payload is not the signing preimage")
	}

	e, _ := New(Options{})
	resp, sw := signAll(e, path, payload)
	if sw != SWOK || resp[0] > 1 {
		t.Fatalf("sw %04x v %d", sw, resp[0])
	}
	signed, err := tx.WithSignature(types.LatestSignerForChainID(big.NewInt(560048)), append(append([]byte(nil), resp[1:]...), resp[0]))
	if err != nil {
		t.Fatal(err)
	}
	from, _ := types.Sender(types.LatestSignerForChainID(big.NewInt(560048)), signed)
	if want, _ := e.Address([]uint32{h + 44, h + 60, h + 1, 0, 0}); from != want {
		t.Errorf("sender %s, want %s", from.Hex(), want.Hex())
	}
	sc := e.Screens()
	if len(sc) != 1 || sc[0].Value.Int64() != 7 || sc[0].ChainID.Int64() != 560048 || !sc[0].Approved {
		t.Errorf("screens %+v", sc)
	}

	_ = e.Update(func(o *Options) { o.Reject = true })
	if _, sw := signAll(e, path, payload); sw != SWConditions {
		t.Errorf("rejecting user: sw %04x", sw)
	}
	_ = e.Update(func(o *Options) { o.Version = "1.8.10" })
	if _, sw := signAll(e, path, payload); sw != SWTxTypeUnsupported {
		t.Errorf("old app: sw %04x", sw)
	}
}
