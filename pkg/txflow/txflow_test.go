package txflow

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// fakeChain is an in-memory Backend: it "mines" every sent transaction
// into the next block with the configured status.
type fakeChain struct {
	mu      sync.Mutex
	chainID int64
	// sendErrs are answered to the next sends, one each, before sendErr.
	sendErrs   []error
	balance    *big.Int
	callErr    error // returned by CallContract
	sendErr    error // returned by SendTransaction (the tx is still "mined" when maybeSent)
	mineStatus uint64
	noMine     bool

	journalDir string
	// sawJournal records, at each send, whether the tx was already on disk.
	sawJournal []bool
	sent       []*types.Transaction
	receipts   map[common.Hash]*types.Receipt
	block      uint64

	// Fee data and estimates, as a node would answer them.
	baseFee, tip  *big.Int
	gas           uint64 // eth_estimateGas's answer
	blockGasLimit uint64
	// simulations counts eth_calls.
	simulations int
	// nonceLag is subtracted from the pending nonce: a node behind.
	nonceLag uint64
}

func newFake(t *testing.T) *fakeChain {
	return &fakeChain{chainID: 1337, balance: big.NewInt(1e18), mineStatus: types.ReceiptStatusSuccessful, receipts: map[common.Hash]*types.Receipt{}, block: 10,
		baseFee: big.NewInt(1e9), tip: big.NewInt(1e8), gas: 50_000, blockGasLimit: 30_000_000}
}

func (c *fakeChain) ChainID(context.Context) (*big.Int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return big.NewInt(c.chainID), nil
}
func (c *fakeChain) BlockNumber(context.Context) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.block, nil
}
func (c *fakeChain) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &types.Header{Number: new(big.Int).SetUint64(c.block), BaseFee: c.baseFee, GasLimit: c.blockGasLimit}, nil
}
func (c *fakeChain) BalanceAt(context.Context, common.Address, *big.Int) (*big.Int, error) {
	return c.balance, nil
}

// PendingNonceAt counts from 7 the transactions the node took, as a node's
// pool does.
func (c *fakeChain) PendingNonceAt(context.Context, common.Address) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return 7 + uint64(len(c.sent)) - c.nonceLag, nil
}
func (c *fakeChain) SuggestGasTipCap(context.Context) (*big.Int, error) { return c.tip, nil }
func (c *fakeChain) EstimateGas(context.Context, ethereum.CallMsg) (uint64, error) {
	if c.callErr != nil {
		return 0, c.callErr
	}
	return c.gas, nil
}
func (c *fakeChain) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	c.mu.Lock()
	c.simulations++
	c.mu.Unlock()
	return nil, c.callErr
}
func (c *fakeChain) SendTransaction(_ context.Context, tx *types.Transaction) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.sendErrs) > 0 {
		err := c.sendErrs[0]
		c.sendErrs = c.sendErrs[1:]
		if err != nil {
			// Another sender's transaction took the nonce: the node's
			// next nonce moves on, ours was not taken.
			c.sent = append(c.sent, nil)
			return err
		}
	}
	_, err := os.Stat(filepath.Join(c.journalDir, "1337-"+tx.Hash().Hex()+".json"))
	c.sawJournal = append(c.sawJournal, err == nil)
	if c.sendErr != nil && !errors.Is(c.sendErr, chain.ErrMaybeSent) {
		return c.sendErr
	}
	c.sent = append(c.sent, tx)
	if !c.noMine {
		c.block++
		c.receipts[tx.Hash()] = &types.Receipt{Status: c.mineStatus, BlockNumber: new(big.Int).SetUint64(c.block), GasUsed: 40_000, EffectiveGasPrice: big.NewInt(1e9), TxHash: tx.Hash()}
	}
	return c.sendErr
}
func (c *fakeChain) TransactionReceipt(_ context.Context, h common.Hash) (*types.Receipt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.receipts[h]; ok {
		return r, nil
	}
	return nil, ethereum.NotFound
}

func setup(t *testing.T, c *fakeChain) (*Flow, *testSigner) {
	t.Helper()
	dir := t.TempDir()
	c.journalDir = dir
	j, err := journal.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := New(c, j, Options{Network: "devnet", ChainID: big.NewInt(1337), Timeout: 300 * time.Millisecond, PollInterval: 10 * time.Millisecond})
	return f, newTestSigner(t)
}

type testSigner struct {
	addr common.Address
	sign func(*types.Transaction, *big.Int) (*types.Transaction, error)
}

func newTestSigner(t *testing.T) *testSigner {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &testSigner{addr: crypto.PubkeyToAddress(key.PublicKey), sign: func(tx *types.Transaction, id *big.Int) (*types.Transaction, error) {
		return types.SignTx(tx, types.LatestSignerForChainID(id), key)
	}}
}

func (s *testSigner) Address() common.Address { return s.addr }
func (s *testSigner) String() string          { return "test" }
func (s *testSigner) SignTx(_ context.Context, tx *types.Transaction, id *big.Int) (*types.Transaction, error) {
	return s.sign(tx, id)
}

var target = common.HexToAddress("0x1100000000000000000000000000000000000001")

// stakeValue is what each call of calls stakes: 0.01 ETH, enough that the
// fee (0.000126 ETH at most) is in proportion.
var stakeValue = big.NewInt(1e16)

func calls(n int) []protocol.Call {
	var out []protocol.Call
	for i := 0; i < n; i++ {
		out = append(out, protocol.Call{Action: "stake", To: target, Value: new(big.Int).Set(stakeValue), Data: []byte{0xa1, 0x90, 0x3e, 0xab}})
	}
	return out
}

func TestPrepareFillsNoncesFeesAndGas(t *testing.T) {
	c := newFake(t)
	f, s := setup(t, c)
	plan, err := f.Prepare(context.Background(), s.addr, calls(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 2 || plan.Steps[0].Nonce != 7 || plan.Steps[1].Nonce != 8 {
		t.Fatalf("nonces: %+v", plan.Steps)
	}
	st := plan.Steps[0]
	if st.GasLimit != 60_000 || st.Tip.Int64() != 1e8 || st.MaxFee.Int64() != 2e9+1e8 {
		t.Errorf("step: gas %d tip %s max %s; want 60000 (50000+20%%), 1e8, 2×base+tip", st.GasLimit, st.Tip, st.MaxFee)
	}
	if want := big.NewInt(2 * 60_000 * (2e9 + 1e8)); plan.MaxCost().Cmp(want) != 0 {
		t.Errorf("max cost %s, want %s", plan.MaxCost(), want)
	}
	if plan.Value().Cmp(new(big.Int).Mul(stakeValue, big.NewInt(2))) != 0 {
		t.Errorf("value %s", plan.Value())
	}
}

// TestPrepareAddsGasExtra: a call's GasExtra (gas the estimate cannot see
// coming) is added to the estimate before the margin, and only to its call.
func TestPrepareAddsGasExtra(t *testing.T) {
	c := newFake(t)
	f, s := setup(t, c)
	cs := calls(2)
	cs[1].GasExtra = 17_100
	plan, err := f.Prepare(context.Background(), s.addr, cs)
	if err != nil {
		t.Fatal(err)
	}
	if got := []uint64{plan.Steps[0].GasLimit, plan.Steps[1].GasLimit}; got[0] != 60_000 || got[1] != (50_000+17_100)*120/100 {
		t.Errorf("gas limits %v, want [60000 %d]: (estimate + extra) + 20%%", got, (50_000+17_100)*120/100)
	}
}

func TestPrepareRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*fakeChain)
		want  error
	}{
		{"wrong chain", func(c *fakeChain) { c.chainID = 1 }, ErrWrongChain},
		{"insufficient funds", func(c *fakeChain) { c.balance = big.NewInt(1) }, ErrInsufficientFunds},
		{"would revert", func(c *fakeChain) { c.callErr = errors.New("execution reverted: STAKE_LIMIT") }, ErrSimulation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFake(t)
			tt.setup(c)
			f, s := setup(t, c)
			if _, err := f.Prepare(context.Background(), s.addr, calls(1)); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestExecuteJournalsBeforeBroadcast(t *testing.T) {
	c := newFake(t)
	f, s := setup(t, c)
	plan, err := f.Prepare(context.Background(), s.addr, calls(2))
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Execute(context.Background(), plan, s, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || len(c.sent) != 2 {
		t.Fatalf("results %d, sent %d", len(res), len(c.sent))
	}
	for i, saw := range c.sawJournal {
		if !saw {
			t.Errorf("transaction %d reached the node before the journal", i)
		}
	}
	for _, r := range res {
		e, err := f.journal.Get(1337, r.Hash)
		if err != nil || e.State != journal.StateIncluded {
			t.Errorf("journal entry %v: %+v", err, e)
		}
		if from, _ := types.Sender(types.LatestSignerForChainID(big.NewInt(1337)), c.sent[0]); from != s.addr {
			t.Errorf("sender %s", from.Hex())
		}
	}
}

func TestExecuteOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(*fakeChain)
		want      error
		state     journal.State
		broadcast bool // a result (with hash) must come back
	}{
		{"node refuses", func(c *fakeChain) { c.sendErr = errors.New("nonce too low") }, ErrBroadcast, journal.StateFailed, false},
		{"maybe sent is waited for", func(c *fakeChain) { c.sendErr = chain.ErrMaybeSent }, nil, journal.StateIncluded, true},
		{"maybe sent, never mined", func(c *fakeChain) { c.sendErr = chain.ErrMaybeSent; c.noMine = true }, ErrTimeout, journal.StateBroadcast, true},
		{"reverted", func(c *fakeChain) { c.mineStatus = types.ReceiptStatusFailed }, ErrReverted, journal.StateReverted, true},
		{"not mined in time", func(c *fakeChain) { c.noMine = true }, ErrTimeout, journal.StateBroadcast, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFake(t)
			f, s := setup(t, c)
			plan, err := f.Prepare(context.Background(), s.addr, calls(1))
			if err != nil {
				t.Fatal(err)
			}
			tt.setup(c)
			res, err := f.Execute(context.Background(), plan, s, Hooks{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want == ErrTimeout && !strings.Contains(err.Error(), "do not resubmit") {
				t.Errorf("timeout message %q lacks the do-not-resubmit warning", err)
			}
			if got := len(res) == 1; got != tt.broadcast {
				t.Fatalf("results %d, want broadcast=%v", len(res), tt.broadcast)
			}
			entries, _ := f.journal.List(1337)
			if len(entries) != 1 || entries[0].State != tt.state {
				t.Fatalf("journal %+v, want one entry in state %s", entries, tt.state)
			}
		})
	}
}

func TestExecuteRefusesForeignSigner(t *testing.T) {
	c := newFake(t)
	f, s := setup(t, c)
	plan, err := f.Prepare(context.Background(), s.addr, calls(1))
	if err != nil {
		t.Fatal(err)
	}
	other := newTestSigner(t)
	if _, err := f.Execute(context.Background(), plan, other, Hooks{}); err == nil || len(c.sent) != 0 {
		t.Fatalf("signed by another account: err %v, sent %d", err, len(c.sent))
	}
	// A signer that returns a signature of another key is caught too.
	liar := &testSigner{addr: s.addr, sign: other.sign}
	if _, err := f.Execute(context.Background(), plan, liar, Hooks{}); err == nil || len(c.sent) != 0 {
		t.Fatalf("wrong signature accepted: err %v, sent %d", err, len(c.sent))
	}
}

// TestExecuteReplansATakenNonce: a node that refuses a transaction it never
// had from us, because its nonce is taken, gets the step once more with a
// fresh nonce; never the same bytes again, and never more than once.
func TestExecuteReplansATakenNonce(t *testing.T) {
	tests := []struct {
		name   string
		errs   []error
		fixed  bool
		want   error
		nonces []uint64 // of the journal entries, in order
		states []journal.State
		notes  int
	}{
		{"already known: someone sent these bytes", []error{errors.New("already known")}, false, nil,
			[]uint64{7, 8}, []journal.State{journal.StateFailed, journal.StateIncluded}, 1},
		{"nonce too low", []error{errors.New("nonce too low: next nonce 8, tx nonce 7")}, false, nil,
			[]uint64{7, 8}, []journal.State{journal.StateFailed, journal.StateIncluded}, 1},
		{"taken twice: give up", []error{errors.New("nonce too low"), errors.New("replacement transaction underpriced")}, false, ErrBroadcast,
			[]uint64{7, 8}, []journal.State{journal.StateFailed, journal.StateFailed}, 1},
		{"a fixed --nonce is never chosen again", []error{errors.New("nonce too low")}, true, ErrBroadcast,
			[]uint64{7}, []journal.State{journal.StateFailed}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFake(t)
			f, s := setup(t, c)
			if tt.fixed {
				n := uint64(7)
				f.opts.Nonce = &n
			}
			plan, err := f.Prepare(context.Background(), s.addr, calls(1))
			if err != nil {
				t.Fatal(err)
			}
			c.sendErrs = tt.errs
			notes := 0
			res, err := f.Execute(context.Background(), plan, s, Hooks{Note: func(int, string) { notes++ }})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			entries, _ := f.journal.List(1337)
			var nonces []uint64
			var states []journal.State
			for _, e := range entries {
				nonces, states = append(nonces, e.Nonce), append(states, e.State)
			}
			if fmt.Sprint(nonces) != fmt.Sprint(tt.nonces) || fmt.Sprint(states) != fmt.Sprint(tt.states) || notes != tt.notes {
				t.Errorf("journal nonces %v states %v, notes %d; want %v %v %d", nonces, states, notes, tt.nonces, tt.states, tt.notes)
			}
			if tt.want == nil && (len(res) != 1 || res[0].Receipt == nil || res[0].Step.Nonce != tt.nonces[len(tt.nonces)-1]) {
				t.Errorf("results %+v", res)
			}
		})
	}
}

// TestExecuteHoldsTheAccountLock: two runs for one account at once. The
// second waits (and is told why) while the first signs, then takes the
// next nonce: never the same one.
func TestExecuteHoldsTheAccountLock(t *testing.T) {
	c := newFake(t)
	f1, s := setup(t, c)
	j := f1.journal
	f2 := New(c, j, f1.opts)
	plan1, err := f1.Prepare(context.Background(), s.addr, calls(1))
	if err != nil {
		t.Fatal(err)
	}
	plan2, err := f2.Prepare(context.Background(), s.addr, calls(1))
	if err != nil {
		t.Fatal(err)
	}
	if plan1.Steps[0].Nonce != plan2.Steps[0].Nonce {
		t.Fatalf("both plans should preview the same nonce: %d, %d", plan1.Steps[0].Nonce, plan2.Steps[0].Nonce)
	}
	signing, release := make(chan struct{}), make(chan struct{})
	slow := &testSigner{addr: s.addr, sign: func(tx *types.Transaction, id *big.Int) (*types.Transaction, error) {
		close(signing)
		<-release // a person approving on a device
		return s.sign(tx, id)
	}}
	done := make(chan error, 1)
	go func() {
		_, err := f1.Execute(context.Background(), plan1, slow, Hooks{})
		done <- err
	}()
	<-signing
	waited := make(chan journal.Holder, 1)
	second := make(chan []*Result, 1)
	go func() {
		res, err := f2.Execute(context.Background(), plan2, s, Hooks{LockWait: func(h journal.Holder) { waited <- h }})
		if err != nil {
			t.Error(err)
		}
		second <- res
	}()
	select {
	case h := <-waited:
		if !strings.Contains(h.Doing, "signing with test") {
			t.Errorf("the waiting run was told %+v", h)
		}
	case <-time.After(5 * time.Second):
		close(release)
		t.Fatal("the second run did not wait for the first one's lock")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	res := <-second
	if len(c.sent) != 2 || c.sent[0].Nonce() != 7 || c.sent[1].Nonce() != 8 || c.sent[0].Hash() == c.sent[1].Hash() || len(res) != 1 {
		t.Fatalf("sent %d transactions: %v", len(c.sent), c.sent)
	}
}
