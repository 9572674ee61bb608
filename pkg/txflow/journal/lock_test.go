package journal

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

var (
	alice = common.HexToAddress("0x00000000000000000000000000000000000a11ce")
	bob   = common.HexToAddress("0x0000000000000000000000000000000000000b0b")
)

// TestLockAccount: one holder per account and chain; a second run waits,
// is told who holds it, and gets it when it is released; other accounts
// and chains are not held up; a wait that runs out names the holder.
func TestLockAccount(t *testing.T) {
	j, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := j.LockAccount(ctx, 1337, alice, "stakewallet stake 1", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	first.Doing("signing with ledger m/44'/60'/0'/0/0")

	// Another account, another chain: no wait.
	for _, o := range []struct {
		chain uint64
		who   common.Address
	}{{1337, bob}, {1, alice}} {
		l, err := j.LockAccount(ctx, o.chain, o.who, "x", 10*time.Millisecond, func(Holder) { t.Errorf("waited for %d/%s", o.chain, o.who.Hex()) })
		if err != nil {
			t.Fatalf("%d/%s: %v", o.chain, o.who.Hex(), err)
		}
		l.Unlock()
	}

	// The same account: times out, naming the holder and what it does.
	var told Holder
	_, err = j.LockAccount(ctx, 1337, alice, "stakewallet claim", 100*time.Millisecond, func(h Holder) { told = h })
	if !errors.Is(err, ErrAccountBusy) || !strings.Contains(err.Error(), "stakewallet stake 1") || !strings.Contains(err.Error(), "signing with ledger") {
		t.Fatalf("busy: %v", err)
	}
	if told.Command != "stakewallet stake 1" || told.Doing == "" || told.PID == 0 {
		t.Errorf("onWait got %+v", told)
	}

	// Released while the other waits: it gets the lock.
	got := make(chan error, 1)
	go func() {
		l, err := j.LockAccount(ctx, 1337, alice, "stakewallet claim", 5*time.Second, nil)
		if err == nil {
			l.Unlock()
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	first.Unlock()
	first.Unlock() // twice is harmless
	if err := <-got; err != nil {
		t.Fatalf("after release: %v", err)
	}

	// A cancelled context ends the wait with the context's error.
	held, _ := j.LockAccount(ctx, 1337, alice, "x", time.Second, nil)
	defer held.Unlock()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := j.LockAccount(cctx, 1337, alice, "y", time.Second, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// rec is a journal entry to create: whose, which nonce, in which state.
type rec struct {
	who   common.Address
	nonce uint64
	state State
}

// journalWith is a journal on chain 1337 holding recs, each in its state.
func journalWith(t *testing.T, recs []rec) *Journal {
	t.Helper()
	j, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range recs {
		tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Nonce: e.nonce, Gas: uint64(21000 + i)})
		entry, err := j.Record("devnet", 1337, e.who, "stake", "d", tx)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Update(entry, e.state, 0, ""); err != nil {
			t.Fatal(err)
		}
	}
	return j
}

// TestNextNonce: the node's pending nonce, unless open journal entries it
// does not know lie at or past it.
func TestNextNonce(t *testing.T) {
	tests := []struct {
		name    string
		entries []rec
		pending uint64
		want    uint64
		gap     int
	}{
		{name: "empty journal", pending: 5, want: 5},
		{name: "mined entries only", pending: 5, want: 5, entries: []rec{{alice, 3, StateIncluded}, {alice, 4, StateReverted}}},
		{name: "open entry the node has", pending: 5, want: 5, entries: []rec{{alice, 4, StateBroadcast}}},
		{name: "open entries the node lost", pending: 5, want: 8, gap: 3, entries: []rec{{alice, 5, StateBroadcast}, {alice, 6, StateSigned}, {alice, 7, StateBroadcast}}},
		{name: "failed and replaced entries do not count", pending: 5, want: 5, entries: []rec{{alice, 5, StateFailed}, {alice, 6, StateReplaced}}},
		{name: "another account's entries do not count", pending: 5, want: 5, entries: []rec{{bob, 9, StateBroadcast}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := journalWith(t, tt.entries)
			got, gap, err := j.NextNonce(1337, alice, tt.pending)
			if err != nil || got != tt.want || len(gap) != tt.gap {
				t.Errorf("NextNonce = %d, gap %d, %v; want %d, gap %d", got, len(gap), err, tt.want, tt.gap)
			}
		})
	}
}

// TestLastMined: the mined (or replaced) entry of the account with the
// highest nonce; open and failed entries, other accounts and other chains
// do not count.
func TestLastMined(t *testing.T) {
	tests := []struct {
		name    string
		entries []rec
		want    int64 // nonce, -1 = none
	}{
		{name: "empty journal", want: -1},
		{name: "open and failed only", want: -1, entries: []rec{{alice, 3, StateBroadcast}, {alice, 4, StateSigned}, {alice, 5, StateFailed}}},
		{name: "highest of included, reverted, replaced", want: 6, entries: []rec{{alice, 2, StateIncluded}, {alice, 6, StateReplaced}, {alice, 4, StateReverted}, {alice, 9, StateBroadcast}}},
		{name: "another account's", want: 1, entries: []rec{{alice, 1, StateIncluded}, {bob, 8, StateIncluded}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := journalWith(t, tt.entries)
			// The same account on another chain never counts.
			other := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), Nonce: 50, Gas: 21000})
			if e, err := j.Record("mainnet", 1, alice, "stake", "d", other); err != nil || j.Update(e, StateIncluded, 1, "") != nil {
				t.Fatal(err)
			}
			got, err := j.LastMined(1337, alice)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want < 0 && got != nil:
				t.Errorf("LastMined = nonce %d, want none", got.Nonce)
			case tt.want >= 0 && (got == nil || got.Nonce != uint64(tt.want)):
				t.Errorf("LastMined = %+v, want nonce %d", got, tt.want)
			}
		})
	}
}
