package tx

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/txflow"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// fakeReader answers from maps; a missing key is ethereum.NotFound.
type fakeReader struct {
	nonce    uint64
	receipts map[common.Hash]*types.Receipt
	pool     map[common.Hash]*types.Transaction
	err      error // returned by every call when set
}

func (r *fakeReader) NonceAt(context.Context, common.Address, *big.Int) (uint64, error) {
	return r.nonce, r.err
}

func (r *fakeReader) TransactionReceipt(_ context.Context, h common.Hash) (*types.Receipt, error) {
	if r.err != nil {
		return nil, r.err
	}
	if rc, ok := r.receipts[h]; ok {
		return rc, nil
	}
	return nil, ethereum.NotFound
}

func (r *fakeReader) TransactionByHash(_ context.Context, h common.Hash) (*types.Transaction, bool, error) {
	if r.err != nil {
		return nil, false, r.err
	}
	if tx, ok := r.pool[h]; ok {
		return tx, true, nil
	}
	return nil, false, ethereum.NotFound
}

func signTx(t *testing.T, chainID int64, nonce uint64, tip int64) (*types.Transaction, common.Address) {
	t.Helper()
	key, err := crypto.HexToECDSA("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d") // devnet test account 1
	if err != nil {
		t.Fatal(err)
	}
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(chainID), Nonce: nonce, GasTipCap: big.NewInt(tip), GasFeeCap: big.NewInt(100), Gas: 21000, To: &to, Value: big.NewInt(1)})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(big.NewInt(chainID)), key)
	if err != nil {
		t.Fatal(err)
	}
	return signed, crypto.PubkeyToAddress(key.PublicKey)
}

func TestObserve(t *testing.T) {
	tx, from := signTx(t, 1337, 5, 1)
	h := tx.Hash()
	mined := &types.Receipt{Status: 1, BlockNumber: big.NewInt(9)}
	rpcDown := errors.New("connection refused")
	tests := []struct {
		name    string
		r       *fakeReader
		sender  *sender
		want    seen
		wantErr bool
	}{
		{"mined", &fakeReader{nonce: 6, receipts: map[common.Hash]*types.Receipt{h: mined}}, &sender{from, 5}, seenIncluded, false},
		{"in the pool", &fakeReader{nonce: 5, pool: map[common.Hash]*types.Transaction{h: tx}}, &sender{from, 5}, seenMempool, false},
		{"nonce used by another", &fakeReader{nonce: 6}, &sender{from, 5}, seenReplaced, false},
		{"dropped, nonce free", &fakeReader{nonce: 5}, &sender{from, 5}, seenUnknown, false},
		{"unknown sender cannot be replaced", &fakeReader{nonce: 6}, nil, seenUnknown, false},
		{"rpc error is an error, not unknown", &fakeReader{err: rpcDown}, &sender{from, 5}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := observe(context.Background(), tt.r, h, tt.sender)
			if tt.wantErr {
				if !errors.Is(err, rpcDown) {
					t.Fatalf("err = %v, want the RPC error wrapped", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Seen != tt.want {
				t.Errorf("seen = %s, want %s", o.Seen, tt.want)
			}
		})
	}
}

// refresh moves journal entries forward: mined → included, outbid and
// mined by a sibling → replaced by that sibling; the pool's copy promotes
// signed → broadcast.
func TestRefresh(t *testing.T) {
	orig, from := signTx(t, 1337, 5, 1)
	repl, _ := signTx(t, 1337, 5, 2)
	next, _ := signTx(t, 1337, 6, 1)
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	record := func(tx *types.Transaction, st journal.State) *journal.Entry {
		e, err := j.Record("devnet", 1337, from, "stake", "Stake", tx)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Update(e, st, 0, ""); err != nil {
			t.Fatal(err)
		}
		return e
	}
	eOrig := record(orig, journal.StateBroadcast)
	eRepl := record(repl, journal.StateBroadcast)
	eNext := record(next, journal.StateSigned)
	r := &fakeReader{
		nonce:    6,
		receipts: map[common.Hash]*types.Receipt{repl.Hash(): {Status: 1, BlockNumber: big.NewInt(9)}},
		pool:     map[common.Hash]*types.Transaction{next.Hash(): next},
	}
	tests := []struct {
		e         *journal.Entry
		wantState journal.State
		wantBy    *common.Hash
	}{
		{eOrig, journal.StateReplaced, ptr(repl.Hash())},
		{eRepl, journal.StateIncluded, nil},
		{eNext, journal.StateBroadcast, nil},
	}
	for _, tt := range tests {
		if _, err := refresh(context.Background(), r, j, tt.e); err != nil {
			t.Fatal(err)
		}
		got, err := j.Get(1337, tt.e.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != tt.wantState {
			t.Errorf("%s (nonce %d): state %s, want %s", got.Hash, got.Nonce, got.State, tt.wantState)
		}
		if (got.ReplacedBy == nil) != (tt.wantBy == nil) || got.ReplacedBy != nil && *got.ReplacedBy != *tt.wantBy {
			t.Errorf("%s: replacedBy %v, want %v", got.Hash, got.ReplacedBy, tt.wantBy)
		}
	}
	// A lagging node that no longer has the receipt never reopens it.
	if _, err := refresh(context.Background(), &fakeReader{nonce: 5}, j, eRepl); err != nil {
		t.Fatal(err)
	}
	if got, _ := j.Get(1337, repl.Hash()); got.State != journal.StateIncluded {
		t.Errorf("included entry moved back to %s", got.State)
	}
}

func ptr(h common.Hash) *common.Hash { return &h }

func TestMarkSuperseded(t *testing.T) {
	a, from := signTx(t, 1337, 5, 1)
	b, _ := signTx(t, 1337, 5, 2)
	c, _ := signTx(t, 1337, 7, 1)
	entry := func(tx *types.Transaction) *journal.Entry {
		return &journal.Entry{Hash: tx.Hash(), From: from, Nonce: tx.Nonce()}
	}
	items := []pendingItem{
		{e: entry(a), o: &observation{Seen: seenUnknown}},
		{e: entry(b), o: &observation{Seen: seenMempool}},
		{e: entry(c), o: &observation{Seen: seenUnknown}},
	}
	markSuperseded(items)
	if items[0].supersededBy == nil || *items[0].supersededBy != b.Hash() {
		t.Errorf("outbid original: supersededBy = %v, want %s", items[0].supersededBy, b.Hash())
	}
	if items[1].supersededBy != nil || items[2].supersededBy != nil {
		t.Errorf("only the outbid one is superseded: %v, %v", items[1].supersededBy, items[2].supersededBy)
	}
}

func TestDecodeSigned(t *testing.T) {
	tx, from := signTx(t, 1337, 3, 1)
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	hexRaw := hexutil.Encode(raw)
	unsigned := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Gas: 21000, GasFeeCap: big.NewInt(1), GasTipCap: big.NewInt(1)})
	unsignedRaw, _ := unsigned.MarshalBinary()
	legacyKey, _ := crypto.GenerateKey()
	legacy, _ := types.SignTx(types.NewTx(&types.LegacyTx{Gas: 21000, GasPrice: big.NewInt(1)}), types.HomesteadSigner{}, legacyKey)
	legacyRaw, _ := legacy.MarshalBinary()
	tests := []struct {
		name string
		in   string
		msg  string // "" = valid
	}{
		{"0x hex", hexRaw, ""},
		{"bare hex with newline", strings.TrimPrefix(hexRaw, "0x") + "\n", ""},
		{"journal entry", `{"txHash":"0x00","raw":"` + hexRaw + `","state":"signed"}`, ""},
		{"empty", "  \n", "empty"},
		{"garbage", "hello world", "not a hex-encoded"},
		{"odd hex", "0xabc", "not a hex-encoded"},
		{"hex but not a transaction", "0xdeadbeef", "not a signed transaction"},
		{"json without raw", `{"txHash":"0x00"}`, "no \"raw\""},
		{"broken json", `{"raw":`, "not a journal entry"},
		{"unsigned", hexutil.Encode(unsignedRaw), "no valid signature"},
		{"pre-EIP-155", hexutil.Encode(legacyRaw), "replayed on any chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sender, err := decodeSigned([]byte(tt.in))
			if tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got.Hash() != tx.Hash() || sender != from {
					t.Errorf("decoded %s from %s, want %s from %s", got.Hash(), sender, tx.Hash(), from)
				}
				return
			}
			var ee *cmdutil.ExitError
			if !errors.As(err, &ee) || ee.Code != cmdutil.ExitBadInput {
				t.Fatalf("err = %v, want exit 2", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
}

func TestParseHash(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"0x" + strings.Repeat("ab", 32), true},
		{"0x" + strings.Repeat("AB", 32), true},
		{strings.Repeat("ab", 32), false}, // no 0x
		{"0x" + strings.Repeat("ab", 31), false},
		{"0x" + strings.Repeat("zz", 32), false},
		{"", false},
	}
	for _, tt := range tests {
		_, err := parseHash(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseHash(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestFeeOverrides(t *testing.T) {
	tests := []struct {
		tip, max       string
		wantTip, wantM *big.Int
		bad            bool
	}{
		{"", "", nil, nil, false},
		{"1.5", "30", big.NewInt(1.5e9), big.NewInt(30e9), false},
		{"0.000000001", "", big.NewInt(1), nil, false},
		{"-1", "", nil, nil, true},
		{"", "1e9", nil, nil, true},
		{"0.0000000001", "", nil, nil, true}, // below 1 wei
	}
	for _, tt := range tests {
		got, err := feeOverrides(cmdutil.TxFlags{PriorityFee: tt.tip, MaxFee: tt.max})
		if tt.bad {
			var ee *cmdutil.ExitError
			if !errors.As(err, &ee) || ee.Code != cmdutil.ExitBadInput {
				t.Errorf("feeOverrides(%q, %q) err = %v, want exit 2", tt.tip, tt.max, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("feeOverrides(%q, %q): %v", tt.tip, tt.max, err)
		}
		if !sameBig(got.Tip, tt.wantTip) || !sameBig(got.MaxFee, tt.wantM) {
			t.Errorf("feeOverrides(%q, %q) = %v %v", tt.tip, tt.max, got.Tip, got.MaxFee)
		}
	}
}

func sameBig(a, b *big.Int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Cmp(b) == 0
}

// The replacement's nonce, gas and fees reach txcmd through a copy of the
// env's transaction flags, exactly (gwei strings parse back to the same
// wei), and the caller's env is left alone.
func TestWithOverrides(t *testing.T) {
	user := cmdutil.TxFlags{Nonce: -1, MaxFee: "7", Yes: true}
	env := &txcmd.Env{Tx: user}
	fees := txflow.Fees{Tip: big.NewInt(2), MaxFee: big.NewInt(1_285_051_739)}
	out := withOverrides(env, 42, 70927, fees)
	g := out.Tx
	if g.Nonce != 42 || g.GasLimit != 70927 || g.MaxFee != "1.285051739" || g.PriorityFee != "0.000000002" || !g.Yes {
		t.Errorf("overrides = %+v", g)
	}
	if env.Tx != user {
		t.Errorf("caller's flags changed: %+v", env.Tx)
	}
	if out == env {
		t.Error("withOverrides returned the caller's env")
	}
}
