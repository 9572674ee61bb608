package lidofake_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// TestLensMatchesReadsWithoutIt: the queue's lens (LidoQueueLens, run for
// real in go-ethereum's EVM over the fake queue) and the reads the adapter
// makes without it say the same of every request (id, owner, amount,
// status, time, claimable ETH) and build the same claims (checkpoint
// hints), for owners with no, one page of, and several pages of requests,
// finalized across checkpoints, some claimed, listed one owner at a time
// and many at once; and the lens takes fewer round trips.
func TestLensMatchesReadsWithoutIt(t *testing.T) {
	e := setup(t)
	carol := common.HexToAddress("0xca201000000000000000000000000000000ca201")
	nobody := common.HexToAddress("0x0000000000000000000000000000000000000e11")
	// 600 of Alice's requests (three lens pages), Bob's 12 among them
	// (more than the 10 a many-owner call lists per owner), finalized by
	// four reports, Carol's one pending at the end.
	for i := 1; i <= 612; i++ {
		owner := e.alice
		if i%50 == 0 {
			owner = bob
		}
		e.fake.AddRequest(owner, eth(int64(1+i%7)), i == 90 || i == 250 || i == 251 || i == 400)
	}
	e.fake.AddRequest(carol, eth(3), false)
	// Alice claims three: the queue drops them from her list.
	e.send(e.requests().Claim(e.ctx, e.alice, []protocol.RequestID{"1", "2", "95"}))

	adapter := func() protocol.Requests {
		t.Helper()
		p, err := lido.New(protocol.Env{Network: "devnet", Addresses: addrs.Protocol(), Backend: e.client,
			Native: protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}})
		if err != nil {
			t.Fatal(err)
		}
		return p.(protocol.Requests)
	}
	type view struct {
		lists  map[common.Address]string
		ids    string
		claims string
		trips  int // round trips of Alice's listing
	}
	read := func(lens bool) view {
		t.Helper()
		e.node.SetCreate(lens)
		r := adapter()
		v := view{lists: map[common.Address]string{}}
		for _, o := range []common.Address{e.alice, bob, carol, nobody} {
			before := e.node.Requests()
			ws, err := r.Withdrawals(e.ctx, o, nil)
			if err != nil {
				t.Fatalf("lens %v: Withdrawals(%s): %v", lens, o, err)
			}
			if o == e.alice {
				v.trips = e.node.Requests() - before
			}
			v.lists[o] = describe(ws)
		}
		ws, err := r.Withdrawals(e.ctx, common.Address{}, []protocol.RequestID{"600", "1", "250", "251", "252", "95", "613"})
		if err != nil {
			t.Fatalf("lens %v: Withdrawals by id: %v", lens, err)
		}
		v.ids = describe(ws)
		calls, err := r.Claim(e.ctx, e.alice, nil)
		if err != nil {
			t.Fatalf("lens %v: Claim: %v", lens, err)
		}
		var b strings.Builder
		for _, c := range calls {
			fmt.Fprintf(&b, "%s %s %x %s\n", c.Action, c.To, c.Data, c.Amount)
		}
		v.claims = b.String()
		return v
	}
	with, without := read(true), read(false)
	for o, want := range without.lists {
		if with.lists[o] != want {
			t.Errorf("requests of %s through the lens:\n%s\nwithout:\n%s", o, with.lists[o], want)
		}
	}
	// 612 requests, 12 of them Bob's, 3 claimed.
	if n := strings.Count(without.lists[e.alice], "\n"); n != 597 {
		t.Errorf("Alice lists %d requests, want 597", n)
	}
	if with.ids != without.ids {
		t.Errorf("requests by id through the lens:\n%s\nwithout:\n%s", with.ids, without.ids)
	}
	if with.claims != without.claims || with.claims == "" {
		t.Errorf("claims through the lens:\n%s\nwithout:\n%s", with.claims, without.claims)
	}
	if with.trips != 2 || without.trips != 3 {
		t.Errorf("Alice's listing: %d round trips through the lens (want 2: three pages), %d without (want 3)", with.trips, without.trips)
	}

	// Many owners at once: the same lists as one at a time.
	e.node.SetCreate(true)
	many, ok := adapter().(protocol.ManyOwners)
	if !ok {
		t.Fatal("the Lido adapter is not ManyOwners")
	}
	owners := []common.Address{nobody, bob, e.alice, carol, bob}
	before := e.node.Requests()
	lists, err := many.WithdrawalsOf(e.ctx, owners)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.node.Requests() - before; got != 2 {
		t.Errorf("WithdrawalsOf: %d round trips, want 2 (Alice and Bob have more than 10)", got)
	}
	for i, o := range owners {
		if got := describe(lists[i]); got != without.lists[o] {
			t.Errorf("WithdrawalsOf, owner %d (%s):\n%s\nwant:\n%s", i, o, got, without.lists[o])
		}
	}
	// A node that runs no lens: the caller is told to read one by one.
	e.node.SetCreate(false)
	if _, err := adapter().(protocol.ManyOwners).WithdrawalsOf(e.ctx, owners); err != protocol.ErrNoShortcut {
		t.Errorf("WithdrawalsOf on a node without creation calls: %v, want ErrNoShortcut", err)
	}
}

// describe is one line per withdrawal, every field the wallet shows.
func describe(ws []protocol.Withdrawal) string {
	var b bytes.Buffer
	for _, w := range ws {
		fmt.Fprintf(&b, "%s %s %s %s %s %s %v\n", w.ID, w.Owner, w.Amount, w.Token.Symbol, w.Status, w.RequestedAt.UTC().Format("15:04:05"), w.Claimable)
	}
	return b.String()
}
