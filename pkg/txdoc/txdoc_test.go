package txdoc

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/erc20"
)

// A pool with a payable stake and a queue taking lists of amounts: the
// shapes of Lido's submit and requestWithdrawals (same signatures).
const poolJSON = `[
 {"type":"function","name":"submit","stateMutability":"payable","inputs":[{"name":"_referral","type":"address"}],"outputs":[{"type":"uint256"}]},
 {"type":"function","name":"requestWithdrawals","stateMutability":"nonpayable","inputs":[{"name":"_amounts","type":"uint256[]"},{"name":"_owner","type":"address"}],"outputs":[{"type":"uint256[]"}]}
]`

var (
	pool       = common.HexToAddress("0x1100000000000000000000000000000000000001")
	queue      = common.HexToAddress("0x1100000000000000000000000000000000000003")
	elsewhere  = common.HexToAddress("0x00000000000000000000000000000000DeaDBeef")
	testKey, _ = crypto.HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
	me         = crypto.PubkeyToAddress(testKey.PublicKey)
)

func poolABI(t testing.TB) *abi.ABI {
	t.Helper()
	a, err := abi.JSON(strings.NewReader(poolJSON))
	if err != nil {
		t.Fatal(err)
	}
	return &a
}

func deployment(t testing.TB) Deployment {
	return Deployment{
		Network: "devnet", ChainID: 1337, Native: Token{Symbol: "ETH", Decimals: 18},
		ABIs:      []*abi.ABI{poolABI(t), erc20.ABI},
		Contracts: map[common.Address]string{pool: "stETH", queue: "withdrawalQueue"},
		Tokens:    map[string]common.Address{"stETH": pool},
	}
}

func pack(t testing.TB, a *abi.ABI, method string, args ...any) []byte {
	t.Helper()
	b, err := a.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func eth(tenths int64) *big.Int {
	return new(big.Int).Mul(big.NewInt(tenths), big.NewInt(1e17))
}

// unstakeDoc is an approve + request document, and a stake one, built as
// txcmd builds them.
func unstakeDoc(t testing.TB) *Doc {
	t.Helper()
	a := poolABI(t)
	steth := pool
	half := eth(5)
	fee, tip := NewWei(big.NewInt(2e9)), NewWei(big.NewInt(1e9))
	d := &Doc{
		Type: TypeUnsigned, Version: Version, Network: "devnet", ChainID: 1337, From: me,
		Native: Token{Symbol: "ETH", Decimals: 18}, Action: "unstake", Title: "Request withdrawal of 0.5 stETH from Lido",
		Protocol: "lido", CreatedAt: time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC),
		Transactions: []*Tx{
			{
				Action: "approve", Description: "Approve 0.5 stETH for the Lido withdrawal queue",
				Nonce: 7, To: pool, Value: NewWei(nil), Data: pack(t, erc20.ABI, "approve", queue, half),
				Gas: 55000, GasEstimated: true, MaxFeePerGas: fee, MaxPriorityFeePerGas: tip,
				Amount: NewWei(half), Token: &Token{Symbol: "stETH", Decimals: 18, Address: &steth},
			},
			{
				Action: "requestWithdrawals", Description: "Request withdrawal of 0.5 stETH from Lido",
				Nonce: 8, To: queue, Value: NewWei(nil), Data: pack(t, a, "requestWithdrawals", []*big.Int{eth(3), eth(2)}, me),
				Gas: 400000, MaxFeePerGas: fee, MaxPriorityFeePerGas: tip,
				Amount: NewWei(half), Token: &Token{Symbol: "stETH", Decimals: 18, Address: &steth},
			},
		},
	}
	d.Preview = Lines(d, deployment(t).ABIs...)
	return d
}

func stakeDoc(t testing.TB) *Doc {
	t.Helper()
	one := eth(10)
	d := &Doc{
		Type: TypeUnsigned, Version: Version, Network: "devnet", ChainID: 1337, From: me,
		Native: Token{Symbol: "ETH", Decimals: 18}, Action: "stake", Title: "Stake 1 ETH with Lido", Protocol: "lido",
		Transactions: []*Tx{{
			Action: "stake", Description: "Stake 1 ETH with Lido for stETH", Nonce: 0, To: pool, Value: NewWei(one),
			Data: pack(t, poolABI(t), "submit", common.Address{}), Gas: 100000, GasEstimated: true,
			MaxFeePerGas: NewWei(big.NewInt(3e9)), MaxPriorityFeePerGas: NewWei(big.NewInt(1)),
			Amount: NewWei(one), Token: &Token{Symbol: "ETH", Decimals: 18},
		}},
	}
	d.Preview = Lines(d, deployment(t).ABIs...)
	return d
}

func transferDoc(t testing.TB) *Doc {
	t.Helper()
	steth := pool
	d := &Doc{
		Type: TypeUnsigned, Version: Version, Network: "devnet", ChainID: 1337, From: me,
		Native: Token{Symbol: "ETH", Decimals: 18}, Action: "transfer", Title: "Transfer 0.5 stETH",
		Transactions: []*Tx{{
			Action: "transfer", Description: "Transfer 0.5 stETH to " + elsewhere.Hex(), Nonce: 3, To: pool, Value: NewWei(nil),
			Data: pack(t, erc20.ABI, "transfer", elsewhere, eth(5)), Gas: 60000, GasEstimated: true,
			MaxFeePerGas: NewWei(big.NewInt(3e9)), MaxPriorityFeePerGas: NewWei(big.NewInt(1)),
			Amount: NewWei(eth(5)), Token: &Token{Symbol: "stETH", Decimals: 18, Address: &steth},
		}},
	}
	dep := deployment(t)
	d.Preview = Lines(d, dep.ABIs[1])
	return d
}

func TestRoundTrip(t *testing.T) {
	dep := deployment(t)
	for name, d := range map[string]*Doc{"unstake": unstakeDoc(t), "stake": stakeDoc(t)} {
		t.Run(name, func(t *testing.T) {
			if err := Check(d, dep); err != nil {
				t.Fatalf("a freshly built document fails its check: %v", err)
			}
			data, err := d.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			// Amounts are decimal strings, never JSON numbers.
			if !bytes.Contains(data, []byte(`"maxFeePerGas": "`)) || !bytes.Contains(data, []byte(`"value": "`)) {
				t.Fatalf("amounts are not decimal strings:\n%s", data)
			}
			back, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			again, err := back.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, again) {
				t.Fatalf("round trip changed the document:\n%s\n---\n%s", data, again)
			}
			if err := Check(back, dep); err != nil {
				t.Fatalf("parsed document fails its check: %v", err)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	good, err := unstakeDoc(t).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("fixture lacks %q", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"newer version", edit(`"version": 1`, `"version": 2`), ErrVersion, "reads up to 1"},
		{"no version", edit(`"version": 1`, `"version": 0`), ErrVersion, "version 0"},
		{"other type", edit(`"stakewallet/unsigned-tx"`, `"stakewallet/other"`), ErrFormat, "type"},
		{"unknown field", edit(`"version": 1`, `"version": 1, "extra": true`), ErrFormat, "unknown field"},
		{"amount as a number", edit(`"value": "0"`, `"value": 0`), ErrFormat, "decimal string"},
		{"negative amount", edit(`"value": "0"`, `"value": "-1"`), ErrFormat, "decimal"},
		{"nonce gap", edit(`"nonce": 8`, `"nonce": 9`), ErrFormat, "consecutive"},
		{"no gas", edit(`"gas": 55000`, `"gas": 0`), ErrFormat, "gas limit"},
		{"raw in unsigned", edit(`"gas": 55000`, `"gas": 55000, "raw": "0x02"`), ErrFormat, "raw"},
		{"two documents", append(append([]byte{}, good...), good...), ErrFormat, "more than one"},
		{"not JSON", []byte("0x02f8"), ErrFormat, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.data)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Parse = %v, want %v mentioning %q", err, tc.want, tc.msg)
			}
		})
	}
}

// Every field an attacker (or a bit flip) could change between the online
// and the offline machine, changed alone: refused, saying what disagrees.
func TestTamperDetected(t *testing.T) {
	dep := deployment(t)
	a := poolABI(t)
	tests := []struct {
		name   string
		doc    func(testing.TB) *Doc
		tamper func(d *Doc)
		want   error
		msg    string
	}{
		{"to: another contract", unstakeDoc, func(d *Doc) { d.Transactions[1].To = elsewhere }, ErrMismatch, "is not a lido contract"},
		{"to: the other protocol contract", unstakeDoc, func(d *Doc) { d.Transactions[1].To = pool }, ErrMismatch, "preview line"},
		{"value on a call that takes none", unstakeDoc, func(d *Doc) { d.Transactions[0].Value = NewWei(big.NewInt(1)) }, ErrMismatch, "takes no coin"},
		{"value of a stake", stakeDoc, func(d *Doc) { d.Transactions[0].Value = NewWei(eth(20)) }, ErrMismatch, "is not the amount"},
		{"data: approve amount", unstakeDoc, func(d *Doc) { d.Transactions[0].Data = pack(t, erc20.ABI, "approve", queue, eth(50)) }, ErrMismatch, "does not carry the amount"},
		{"data: approve spender", unstakeDoc, func(d *Doc) { d.Transactions[0].Data = pack(t, erc20.ABI, "approve", elsewhere, eth(5)) }, ErrMismatch, "preview line"},
		{"data: request owner", unstakeDoc, func(d *Doc) {
			d.Transactions[1].Data = pack(t, a, "requestWithdrawals", []*big.Int{eth(3), eth(2)}, elsewhere)
		}, ErrMismatch, "preview line"},
		{"data: unknown selector", unstakeDoc, func(d *Doc) { d.Transactions[1].Data[0] ^= 0xff }, ErrMismatch, "no function"},
		{"data: trailing bytes", unstakeDoc, func(d *Doc) { d.Transactions[0].Data = append(d.Transactions[0].Data, 1) }, ErrMismatch, "canonical"},
		{"data: transfer recipient", transferDoc, func(d *Doc) { d.Transactions[0].Data = pack(t, erc20.ABI, "transfer", queue, eth(5)) }, ErrMismatch, "names " + elsewhere.Hex()},
		{"transfer: look-alike token", transferDoc, func(d *Doc) {
			d.Transactions[0].To = elsewhere
			d.Transactions[0].Token.Address = &elsewhere
		}, ErrMismatch, "is not stETH on devnet"},
		{"amount field", unstakeDoc, func(d *Doc) { d.Transactions[1].Amount = NewWei(eth(9)) }, ErrMismatch, "does not carry the amount"},
		{"description", unstakeDoc, func(d *Doc) { d.Transactions[1].Description = "Request withdrawal of 0.05 stETH from Lido" }, ErrMismatch, "does not state the amount"},
		{"preview line", unstakeDoc, func(d *Doc) { d.Preview[4] = "1. Approve 0.5 stETH (harmless)" }, ErrMismatch, "preview line 5"},
		{"preview shortened", unstakeDoc, func(d *Doc) { d.Preview = d.Preview[:5] }, ErrMismatch, "preview line 6"},
		{"from", unstakeDoc, func(d *Doc) { d.From = elsewhere }, ErrMismatch, "preview line"},
		{"chain ID", unstakeDoc, func(d *Doc) { d.ChainID = 1 }, ErrChain, "chain 1"},
		{"native coin", unstakeDoc, func(d *Doc) { d.Native.Decimals = 6 }, ErrMismatch, "native coin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.doc(t)
			if err := Check(d, dep); err != nil {
				t.Fatalf("untampered document refused: %v", err)
			}
			tc.tamper(d)
			// Through the file format, as tx sign reads it.
			data, err := d.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = Check(back, dep)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Check = %v\nwant %v mentioning %q", err, tc.want, tc.msg)
			}
		})
	}
}

// signAll signs d's transactions with testKey, as tx sign does.
func signAll(t testing.TB, d *Doc) *Doc {
	t.Helper()
	out := *d
	out.Type = TypeSigned
	out.Transactions = nil
	for _, t0 := range d.Transactions {
		tx := *t0
		signed, err := types.SignTx(tx.Unsigned(d.ChainID), types.LatestSignerForChainID(big.NewInt(int64(d.ChainID))), testKey)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := signed.MarshalBinary()
		h := signed.Hash()
		tx.Raw, tx.Hash = raw, &h
		out.Transactions = append(out.Transactions, &tx)
	}
	return &out
}

func TestSignedDocument(t *testing.T) {
	signed := signAll(t, unstakeDoc(t))
	data, err := signed.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	txs, err := back.SignedTxs()
	if err != nil || len(txs) != 2 || txs[0].Nonce() != 7 || txs[1].Nonce() != 8 {
		t.Fatalf("SignedTxs = %v, %v", txs, err)
	}
	if err := Check(back, deployment(t)); err != nil {
		t.Fatalf("signed document fails its check: %v", err)
	}
	if _, err := unstakeDoc(t).SignedTxs(); !errors.Is(err, ErrFormat) {
		t.Fatalf("SignedTxs of an unsigned document = %v", err)
	}

	other, _ := crypto.GenerateKey()
	tests := []struct {
		name   string
		tamper func(d *Doc)
		msg    string
	}{
		{"value changed beside the raw bytes", func(d *Doc) { d.Transactions[0].Value = NewWei(big.NewInt(5)) }, "not the transaction described"},
		{"raw of the other transaction", func(d *Doc) { d.Transactions[0].Raw = d.Transactions[1].Raw }, "hash does not match"},
		{"signed by another key", func(d *Doc) {
			s, _ := types.SignTx(d.Transactions[0].Unsigned(1337), types.LatestSignerForChainID(big.NewInt(1337)), other)
			raw, _ := s.MarshalBinary()
			h := s.Hash()
			d.Transactions[0].Raw, d.Transactions[0].Hash = raw, &h
		}, "is signed by"},
		{"no raw", func(d *Doc) { d.Transactions[1].Raw = nil }, "no raw bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			tc.tamper(d)
			b, err := d.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Parse = %v, want an error mentioning %q", err, tc.msg)
			}
		})
	}
}

func TestLooksLikeDoc(t *testing.T) {
	data, _ := stakeDoc(t).Marshal()
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{string(data), true},
		{`{"raw":"0x02f8"}`, false},
		{"0x02f8", false},
		{`{"type":"stakewallet/signed-tx"}`, true},
	} {
		if got := LooksLikeDoc([]byte(tc.in)); got != tc.want {
			t.Errorf("LooksLikeDoc(%.40q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// A protocol that finds some of its contracts on-chain: a call outside its
// table cannot be checked offline, so it passes Check and is named by
// Warnings; for any other protocol it is refused.
func TestDiscoveredContracts(t *testing.T) {
	d := unstakeDoc(t)
	d.Transactions[1].To = elsewhere
	d.Preview = Lines(d, deployment(t).ABIs...)
	strict := deployment(t)
	if err := Check(d, strict); !errors.Is(err, ErrMismatch) {
		t.Fatalf("strict Check = %v, want ErrMismatch", err)
	}
	if w := Warnings(d, strict); len(w) != 0 {
		t.Errorf("strict Warnings = %v, want none (Check refuses instead)", w)
	}
	lenient := deployment(t)
	lenient.Discovered = "found on-chain"
	if err := Check(d, lenient); err != nil {
		t.Fatalf("Check with Discovered = %v", err)
	}
	w := Warnings(d, lenient)
	if len(w) != 1 || !strings.Contains(w[0], "transaction 2 calls "+elsewhere.Hex()) || !strings.Contains(w[0], "found on-chain") {
		t.Errorf("Warnings = %q", w)
	}
	if w := Warnings(unstakeDoc(t), lenient); len(w) != 0 {
		t.Errorf("Warnings of a document inside the table = %q", w)
	}
}
