package ledger

import (
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

func TestEmbeddedDescriptorsVerify(t *testing.T) {
	toks := Tokens()
	if len(toks) == 0 {
		t.Fatal("no embedded ERC-20 descriptors")
	}
	for _, tok := range toks {
		if err := VerifyTokenDescriptor(tok.Descriptor, CALPublicKey()); err != nil {
			t.Errorf("%s on chain %d: %v", tok.Ticker, tok.ChainID, err)
		}
	}
	for _, want := range []struct {
		ticker string
		addr   string
	}{
		{"stETH", "0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84"},
		{"wstETH", "0x7f39C581F595B53c5cb19bD0b3f8dA6c935E2Ca0"},
		{"rETH", "0xae78736Cd615f374D3085123A210448E74Fc6393"},
	} {
		tok, ok := LookupToken(1, common.HexToAddress(want.addr))
		if !ok || tok.Ticker != want.ticker || tok.Decimals != 18 {
			t.Errorf("mainnet %s: got %+v, %v", want.ticker, tok, ok)
		}
	}
}

func TestVerifyTokenDescriptorRejectsTampering(t *testing.T) {
	tok, ok := LookupToken(1, common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84"))
	if !ok {
		t.Fatal("stETH missing")
	}
	bad := append([]byte(nil), tok.Descriptor...)
	bad[1+int(bad[0])+20+3] = 6 // decimals 18 -> 6
	if err := VerifyTokenDescriptor(bad, CALPublicKey()); err == nil {
		t.Error("tampered descriptor verifies")
	}
}

func TestPlan(t *testing.T) {
	steth := common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84")
	other := common.HexToAddress("0x1100000000000000000000000000000000000001")
	transfer := append(append([]byte{0xa9, 0x05, 0x9c, 0xbb}, make([]byte, 31)...), append([]byte{1}, make([]byte, 32)...)...)
	submit := append([]byte{0xa1, 0x90, 0x3e, 0xab}, make([]byte, 32)...)
	tests := []struct {
		name  string
		to    *common.Address
		data  []byte
		chain int64
		blind bool
		token string
	}{
		{"plain transfer", &other, nil, 1, false, ""},
		{"stETH transfer on mainnet", &steth, transfer, 1, false, "stETH"},
		{"stETH transfer on hoodi (no descriptor)", &steth, transfer, 560048, true, ""},
		{"transfer of an unknown token", &other, transfer, 1, true, ""},
		{"Lido submit", &steth, submit, 1, true, ""},
		{"deployment", nil, []byte{0x60, 0x80}, 1, true, ""},
	}
	for _, tt := range tests {
		tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(tt.chain), To: tt.to, Data: tt.data, Gas: 1})
		p := Plan(tx, big.NewInt(tt.chain))
		got := ""
		if p.Token != nil {
			got = p.Token.Ticker
		}
		if p.Blind != tt.blind || got != tt.token || (p.Blind && p.Reason == "") {
			t.Errorf("%s: got %+v", tt.name, p)
		}
	}
}

// The embedded file must be what the extraction script gives for the npm
// package version the repository pins.
func TestEmbeddedDescriptorsUpToDate(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join("..", "..", "scripts", "node_modules", "@ledgerhq", "cryptoassets-evm-signatures", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot check the embedded ERC-20 descriptors under CI: %v", err)
		}
		t.Skipf("skipping: node or scripts/node_modules missing (%v)", err)
	}
	out, err := exec.Command(node, filepath.Join("..", "..", "scripts", "extract-ledger-erc20.js"), "--check", "--out", "erc20_descriptors.json").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}
