package ledgeremu

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
)

type crosscheckOut struct {
	Config struct {
		ArbitraryDataEnabled int    `json:"arbitraryDataEnabled"`
		Version              string `json:"version"`
	} `json:"config"`
	Addresses []struct {
		Path    string `json:"path"`
		Address string `json:"address"`
		Derived string `json:"derived"`
	} `json:"addresses"`
	Signatures []struct {
		Path    string `json:"path"`
		V, R, S string
	} `json:"signatures"`
	Typed []struct {
		Path string `json:"path"`
		V    int    `json:"v"`
		R, S string
	} `json:"typed"`
}

// runCrosscheck serves the emulator on loopback and runs Ledger's JS client
// (scripts/ledger-crosscheck.js) against it.
func runCrosscheck(t *testing.T, emu *Emulator, args ...string) crosscheckOut {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "ledger-crosscheck.js"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not installed"
	default:
		for _, pkg := range []string{"@ledgerhq/hw-app-eth", "@ledgerhq/hw-transport-node-speculos", "@ledgerhq/cryptoassets-evm-signatures", "elliptic"} {
			if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", pkg, "package.json")); err != nil {
				missing = pkg + " is not installed in scripts/node_modules (run npm ci in scripts/)"
				break
			}
		}
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("JS cross-check cannot run under CI: %s", missing)
		}
		t.Skipf("skipping the JS cross-check: %s", missing)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	addr, err := emu.ServeTCP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	cmd := exec.CommandContext(ctx, node, append([]string{script, "--port", port}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("ledger-crosscheck.js: %v\n%s", err, stderr.String())
	}
	var out crosscheckOut
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("ledger-crosscheck.js output %q: %v", stdout, err)
	}
	return out
}

// unsigned returns the serialisation hw-app-eth expects: typed = type byte
// || RLP without signature, legacy = RLP with chainId, 0, 0.
func unsigned(t *testing.T, tx *types.Transaction, chainID *big.Int) string {
	t.Helper()
	var fields []any
	var prefix []byte
	switch tx.Type() {
	case types.LegacyTxType:
		fields = []any{tx.Nonce(), tx.GasPrice(), tx.Gas(), tx.To(), tx.Value(), tx.Data(), chainID, uint(0), uint(0)}
	case types.DynamicFeeTxType:
		fields = []any{chainID, tx.Nonce(), tx.GasTipCap(), tx.GasFeeCap(), tx.Gas(), tx.To(), tx.Value(), tx.Data(), tx.AccessList()}
		prefix = []byte{types.DynamicFeeTxType}
	default:
		t.Fatalf("type %d", tx.Type())
	}
	b, err := rlp.EncodeToBytes(fields)
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(append(prefix, b...))
}

// senderOf attaches the JS client's v, r, s and recovers the sender.
func senderOf(t *testing.T, tx *types.Transaction, chainID *big.Int, v, r, s string) common.Address {
	t.Helper()
	vb, ok := new(big.Int).SetString(strings.TrimPrefix(v, "0x"), 16)
	if !ok {
		t.Fatalf("v %q", v)
	}
	if tx.Type() == types.LegacyTxType {
		vb.Sub(vb, new(big.Int).Add(new(big.Int).Mul(chainID, big.NewInt(2)), big.NewInt(35)))
	}
	if !vb.IsUint64() || vb.Uint64() > 1 {
		t.Fatalf("v %s does not give a parity for chain %s", v, chainID)
	}
	sig := append(append(common.FromHex(r), common.FromHex(s)...), byte(vb.Uint64()))
	if len(sig) != 65 {
		t.Fatalf("signature of %d bytes", len(sig))
	}
	signer := types.LatestSignerForChainID(chainID)
	signed, err := tx.WithSignature(signer, sig)
	if err != nil {
		t.Fatal(err)
	}
	from, err := types.Sender(signer, signed)
	if err != nil {
		t.Fatal(err)
	}
	return from
}

func TestCrosscheckWithLedgerJS(t *testing.T) {
	emu, err := New(Options{BlindSigning: true})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	to := common.HexToAddress("0x1100000000000000000000000000000000000009")
	calldata := make([]byte, 300)
	copy(calldata, []byte{0xa1, 0x90, 0x3e, 0xab})
	hoodi, sepolia := big.NewInt(560048), big.NewInt(11155111)
	tx1559 := types.NewTx(&types.DynamicFeeTx{ChainID: hoodi, Nonce: 3, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(40e9), Gas: 21000, To: &to, Value: big.NewInt(1e18)})
	txLegacy := types.NewTx(&types.LegacyTx{Nonce: 8, GasPrice: big.NewInt(3e9), Gas: 200000, To: &to, Value: big.NewInt(0), Data: calldata})

	out := runCrosscheck(t, emu,
		"--mnemonic", TestMnemonic,
		"--address", "44'/60'/0'/0/0",
		"--address", "44'/60'/1'/0/0",
		"--sign", "44'/60'/1'/0/0:"+unsigned(t, tx1559, hoodi),
		"--sign", "44'/60'/0'/0/0:"+unsigned(t, txLegacy, sepolia),
	)
	if out.Config.Version != "1.22.0" || out.Config.ArbitraryDataEnabled != 1 {
		t.Errorf("config %+v", out.Config)
	}
	live1, _ := emu.Address([]uint32{h + 44, h + 60, h + 1, 0, 0})
	wants := []common.Address{common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), live1}
	if len(out.Addresses) != 2 {
		t.Fatalf("addresses %+v", out.Addresses)
	}
	for i, a := range out.Addresses {
		// The device's answer, the independent JS derivation and ours agree.
		if common.HexToAddress(a.Address) != wants[i] || common.HexToAddress(a.Derived) != wants[i] {
			t.Errorf("%s: device %s, JS derivation %s, Go %s", a.Path, a.Address, a.Derived, wants[i].Hex())
		}
		// The app returns EIP-55 checksummed hex.
		if a.Address != wants[i].Hex() {
			t.Errorf("%s: address %s not checksummed like %s", a.Path, a.Address, wants[i].Hex())
		}
	}
	if len(out.Signatures) != 2 {
		t.Fatalf("signatures %+v", out.Signatures)
	}
	if from := senderOf(t, tx1559, hoodi, out.Signatures[0].V, out.Signatures[0].R, out.Signatures[0].S); from != live1 {
		t.Errorf("EIP-1559 signature recovers to %s, want %s", from.Hex(), live1.Hex())
	}
	if from := senderOf(t, txLegacy, sepolia, out.Signatures[1].V, out.Signatures[1].R, out.Signatures[1].S); from != wants[0] {
		t.Errorf("legacy signature recovers to %s, want %s", from.Hex(), wants[0].Hex())
	}
}

func TestCrosscheckERC20ClearSigning(t *testing.T) {
	// Blind signing off: the stETH transfer signs only because the JS client
	// provides Ledger's descriptor, which the emulator checks with the
	// production CAL key.
	emu, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	steth := common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84")
	recipient := common.HexToAddress("0x1100000000000000000000000000000000000009")
	data := append([]byte{0xa9, 0x05, 0x9c, 0xbb}, common.LeftPadBytes(recipient.Bytes(), 32)...)
	data = append(data, common.LeftPadBytes(big.NewInt(25e16).Bytes(), 32)...)
	mainnet := big.NewInt(1)
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: mainnet, Nonce: 1, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(40e9), Gas: 80000, To: &steth, Data: data})

	out := runCrosscheck(t, emu, "--erc20", strings.ToLower(steth.Hex())+":1", "--sign", "44'/60'/0'/0/0:"+unsigned(t, tx, mainnet))
	if len(out.Signatures) != 1 {
		t.Fatalf("signatures %+v", out.Signatures)
	}
	if from := senderOf(t, tx, mainnet, out.Signatures[0].V, out.Signatures[0].R, out.Signatures[0].S); from != common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266") {
		t.Errorf("recovers to %s", from.Hex())
	}
	sc := emu.Screens()
	if len(sc) != 1 || sc[0].Token != "stETH" || sc[0].Amount.Cmp(big.NewInt(25e16)) != 0 || sc[0].Recipient != recipient {
		t.Errorf("device showed %+v", sc)
	}
}
