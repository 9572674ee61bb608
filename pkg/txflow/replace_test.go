package txflow

import (
	"context"
	"errors"
	"math/big"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

func gw(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e9)) }

func TestMinReplacement(t *testing.T) {
	tests := []struct{ in, want int64 }{
		{0, 1},       // strictly higher even from zero
		{1, 2},       // +1 beats +10% rounding to nothing
		{10, 11},     // exactly +10%
		{11, 13},     // 12.1 rounds up
		{1e9, 1.1e9}, // 1 gwei → 1.1 gwei
	}
	for _, tt := range tests {
		if got := MinReplacement(big.NewInt(tt.in)); got.Int64() != tt.want {
			t.Errorf("MinReplacement(%d) = %s, want %d", tt.in, got, tt.want)
		}
	}
}

func TestReplacementFees(t *testing.T) {
	prev := []Fees{{Tip: gw(2), MaxFee: gw(10)}}
	tests := []struct {
		name      string
		prev      []Fees
		base, sug *big.Int
		override  Fees
		wantTip   *big.Int
		wantMax   *big.Int
		wantErr   error
	}{
		{name: "default bump 25%", prev: prev, base: gw(1), sug: gw(1),
			wantTip: big.NewInt(2.5e9), wantMax: big.NewInt(12.5e9)},
		{name: "today's fees when higher", prev: prev, base: gw(20), sug: gw(3),
			wantTip: gw(3), wantMax: gw(43)},
		{name: "outbids the highest earlier replacement", prev: []Fees{{Tip: gw(2), MaxFee: gw(10)}, {Tip: gw(4), MaxFee: gw(8)}}, base: gw(1), sug: gw(1),
			wantTip: gw(5), wantMax: big.NewInt(12.5e9)},
		{name: "overrides at the minimum", prev: prev, base: gw(1), sug: gw(1), override: Fees{Tip: big.NewInt(2.2e9), MaxFee: gw(11)},
			wantTip: big.NewInt(2.2e9), wantMax: gw(11)},
		{name: "tip override below minimum", prev: prev, base: gw(1), sug: gw(1), override: Fees{Tip: big.NewInt(2.1e9)},
			wantErr: ErrUnderpriced},
		{name: "max fee override below minimum", prev: prev, base: gw(1), sug: gw(1), override: Fees{MaxFee: big.NewInt(10.5e9)},
			wantErr: ErrUnderpriced},
		{name: "max fee below tip", prev: prev, base: gw(1), sug: gw(1), override: Fees{Tip: gw(50), MaxFee: gw(11)},
			wantErr: ErrUnderpriced},
		{name: "zero fees still bump", prev: []Fees{{Tip: big.NewInt(0), MaxFee: big.NewInt(0)}}, base: big.NewInt(0), sug: big.NewInt(0),
			wantTip: big.NewInt(1), wantMax: big.NewInt(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReplacementFees(tt.prev, tt.base, tt.sug, tt.override)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Tip.Cmp(tt.wantTip) != 0 || got.MaxFee.Cmp(tt.wantMax) != 0 {
				t.Fatalf("fees = tip %s max %s, want tip %s max %s", got.Tip, got.MaxFee, tt.wantTip, tt.wantMax)
			}
			for _, p := range tt.prev {
				if got.Tip.Cmp(MinReplacement(p.Tip)) < 0 || got.MaxFee.Cmp(MinReplacement(p.MaxFee)) < 0 {
					t.Errorf("fees %v do not replace %v", got, p)
				}
			}
		})
	}
}

// fakeBackend is a chain that records what it is sent and mines on demand.
type fakeBackend struct {
	mu       sync.Mutex
	chainID  *big.Int
	sendErr  error
	status   uint64 // receipt status once mined
	mine     bool   // whether a sent transaction gets a receipt
	sent     []*types.Transaction
	onSend   func(tx *types.Transaction) // runs before the send is accepted
	receipts map[common.Hash]*types.Receipt
}

func (b *fakeBackend) ChainID(context.Context) (*big.Int, error)   { return b.chainID, nil }
func (b *fakeBackend) BlockNumber(context.Context) (uint64, error) { return 10, nil }
func (b *fakeBackend) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return &types.Header{Number: big.NewInt(10), BaseFee: big.NewInt(1)}, nil
}
func (b *fakeBackend) BalanceAt(context.Context, common.Address, *big.Int) (*big.Int, error) {
	return gw(1e9), nil
}
func (b *fakeBackend) PendingNonceAt(context.Context, common.Address) (uint64, error) { return 0, nil }
func (b *fakeBackend) SuggestGasTipCap(context.Context) (*big.Int, error)             { return big.NewInt(1), nil }
func (b *fakeBackend) EstimateGas(context.Context, ethereum.CallMsg) (uint64, error) {
	return 21000, nil
}
func (b *fakeBackend) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return nil, errors.New("execution reverted: NO")
}
func (b *fakeBackend) SendTransaction(_ context.Context, tx *types.Transaction) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.onSend != nil {
		b.onSend(tx)
	}
	if b.sendErr != nil {
		return b.sendErr
	}
	b.sent = append(b.sent, tx)
	if b.mine {
		if b.receipts == nil {
			b.receipts = map[common.Hash]*types.Receipt{}
		}
		b.receipts[tx.Hash()] = &types.Receipt{TxHash: tx.Hash(), Status: b.status, BlockNumber: big.NewInt(10), GasUsed: 21000, EffectiveGasPrice: big.NewInt(1)}
	}
	return nil
}
func (b *fakeBackend) TransactionReceipt(_ context.Context, h common.Hash) (*types.Receipt, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r, ok := b.receipts[h]; ok {
		return r, nil
	}
	return nil, ethereum.NotFound
}

func signedTransfer(t *testing.T, chainID int64) (*types.Transaction, common.Address) {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(chainID), Nonce: 3, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(3), Gas: 21000, To: &to, Value: big.NewInt(7)})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(big.NewInt(chainID)), key)
	if err != nil {
		t.Fatal(err)
	}
	return signed, crypto.PubkeyToAddress(key.PublicKey)
}

func TestSendSigned(t *testing.T) {
	tests := []struct {
		name      string
		txChain   int64
		sendErr   error
		mine      bool
		status    uint64
		wantErr   error
		wantState journal.State // "" = no journal entry at all
		wantSent  bool
	}{
		{name: "mined", txChain: 1337, mine: true, status: 1, wantState: journal.StateIncluded, wantSent: true},
		{name: "reverted", txChain: 1337, mine: true, status: 0, wantErr: ErrReverted, wantState: journal.StateReverted, wantSent: true},
		{name: "not mined in time", txChain: 1337, wantErr: ErrTimeout, wantState: journal.StateBroadcast, wantSent: true},
		{name: "refused by the node", txChain: 1337, sendErr: errors.New("nonce too low"), wantErr: ErrBroadcast, wantState: journal.StateFailed},
		{name: "already known counts as sent", txChain: 1337, sendErr: errors.New("already known"), wantErr: ErrTimeout, wantState: journal.StateBroadcast},
		{name: "wrong chain is not journaled", txChain: 1, wantErr: ErrWrongChain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := journal.Open(filepath.Join(t.TempDir(), "journal"))
			if err != nil {
				t.Fatal(err)
			}
			tx, from := signedTransfer(t, tt.txChain)
			b := &fakeBackend{chainID: big.NewInt(1337), sendErr: tt.sendErr, mine: tt.mine, status: tt.status}
			// The money rule: the entry is on disk before the node sees it.
			b.onSend = func(tx *types.Transaction) {
				if e, err := j.Get(1337, tx.Hash()); err != nil || e.State != journal.StateSigned {
					t.Errorf("at broadcast the journal has %+v, %v; want a signed entry", e, err)
				}
			}
			f := New(b, j, Options{Network: "devnet", ChainID: big.NewInt(1337), Timeout: 50 * time.Millisecond, PollInterval: 10 * time.Millisecond})
			res, err := f.SendSigned(context.Background(), tx, "send", "raw transfer", Hooks{})
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := len(b.sent) == 1; got != tt.wantSent {
				t.Errorf("sent = %v, want %v", got, tt.wantSent)
			}
			e, jerr := j.Get(1337, tx.Hash())
			if tt.wantState == "" {
				if jerr == nil {
					t.Errorf("journaled %+v, want nothing", e)
				}
				return
			}
			if jerr != nil {
				t.Fatal(jerr)
			}
			if e.State != tt.wantState || e.From != from || e.Action != "send" {
				t.Errorf("journal entry %+v, want state %s from %s", e, tt.wantState, from)
			}
			if tt.wantErr != ErrBroadcast && (res == nil || res.Hash != tx.Hash()) {
				t.Errorf("result %+v does not carry the hash", res)
			}
		})
	}
}

// Re-broadcasting a journaled transaction keeps its entry's action and
// description rather than overwriting them.
func TestSendSignedKeepsJournalEntry(t *testing.T) {
	j, _ := journal.Open(t.TempDir())
	tx, from := signedTransfer(t, 1337)
	if _, err := j.Record("devnet", 1337, from, "stake", "Stake 1 ETH with Lido", tx); err != nil {
		t.Fatal(err)
	}
	b := &fakeBackend{chainID: big.NewInt(1337), mine: true, status: 1}
	f := New(b, j, Options{Network: "devnet", ChainID: big.NewInt(1337), PollInterval: 10 * time.Millisecond})
	res, err := f.SendSigned(context.Background(), tx, "send", "raw", Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := j.Get(1337, tx.Hash())
	if e.Action != "stake" || res.Step.Call.Action != "stake" || e.State != journal.StateIncluded {
		t.Errorf("entry %+v, step %+v", e, res.Step.Call)
	}
}
