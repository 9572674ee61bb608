package savax

import (
	"context"
	"errors"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// noChain is the backend of tests that only build calldata: any read fails.
type noChain struct{}

var errNoChain = errors.New("no chain in this test")

func (noChain) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return nil, errNoChain
}
func (noChain) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errNoChain
}
func (noChain) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errNoChain
}

var testNative = protocol.Token{Symbol: "AVAX", Decimals: 18}

func testAdapter(t *testing.T) *SAvax {
	t.Helper()
	p, err := New(protocol.Env{Network: "devnet-avalanche", Addresses: Deployments["devnet-avalanche"], Backend: noChain{}, Native: testNative})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*SAvax)
}

func unix(s int64) time.Time { return time.Unix(s, 0) }

func TestParseRequestID(t *testing.T) {
	s := testAdapter(t)
	for _, c := range []struct {
		in, want string
	}{
		{"1732890000-500000000000000000", "1732890000-500000000000000000"},
		{"#1732890000-5", "1732890000-5"},
		{" 1732890000-0005 ", "1732890000-5"},
		{"1732890000-5-2", "1732890000-5-2"},
		{"1732890000-5-1", ""}, // the first of identical ones has no suffix
		{"1732890000", ""},
		{"1732890000-", ""},
		{"0-5", ""},
		{"1732890000-0", ""},
		{"1732890000--5", ""},
		{"1732890000-+5", ""},
		{"-1732890000-5", ""},
		{"1732890000-5-2-3", ""},
		{"18446744073709551616-5", ""},        // startedAt beyond uint64
		{"1-1" + strings.Repeat("0", 80), ""}, // beyond uint256
		{"12", ""},
		{"", ""},
	} {
		got, err := s.ParseRequestID(c.in)
		if c.want == "" {
			var le *protocol.LimitError
			if !errors.As(err, &le) {
				t.Errorf("ParseRequestID(%q) = %q, %v: want a LimitError", c.in, got, err)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("ParseRequestID(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func FuzzParseRequestID(f *testing.F) {
	for _, s := range []string{"1732890000-500000000000000000", "1-1-2", "#5-5", "", "1-", "9-9-9-9"} {
		f.Add(s)
	}
	s := &SAvax{}
	f.Fuzz(func(t *testing.T, in string) {
		id, err := s.ParseRequestID(in)
		if err != nil {
			var le *protocol.LimitError
			if !errors.As(err, &le) || id != "" {
				t.Fatalf("ParseRequestID(%q) = %q, %v: errors must be LimitErrors without an id", in, id, err)
			}
			return
		}
		again, err := s.ParseRequestID(string(id))
		if err != nil || again != id {
			t.Fatalf("ParseRequestID(%q) = %q, which parses to %q, %v: not canonical", in, id, again, err)
		}
	})
}

// TestKeysOf: identical requests are numbered in index order, others keep
// their plain content id.
func TestKeysOf(t *testing.T) {
	list := []unlockRequest{
		{idx: 0, startedAt: 100, shares: big.NewInt(5)},
		{idx: 1, startedAt: 100, shares: big.NewInt(6)},
		{idx: 2, startedAt: 100, shares: big.NewInt(5)},
		{idx: 3, startedAt: 101, shares: big.NewInt(5)},
		{idx: 4, startedAt: 100, shares: big.NewInt(5)},
	}
	var got []string
	for _, k := range keysOf(list) {
		got = append(got, string(k.id()))
	}
	want := []string{"100-5", "100-6", "100-5-2", "101-5", "100-5-3"}
	if !slices.Equal(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
}

// contractList is StakedAvax's userUnlockRequests array, with the swap-
// and-pop of _redeem, redeemOverdueShares(uint) and _cancelUnlockRequest
// (sAVAX/StakedAvax.sol@e0cfd24). Entries carry the tag of the request
// they are, to see which one a call removes.
type contractList []int

func (l *contractList) removeAt(t *testing.T, i int) int {
	t.Helper()
	if i >= len(*l) {
		t.Fatalf("index %d out of %d: the contract reverts \"Invalid unlock request index\"", i, len(*l))
	}
	tag := (*l)[i]
	(*l)[i] = (*l)[len(*l)-1]
	*l = (*l)[:len(*l)-1]
	return tag
}

// TestClaimIndices: whatever the array and whichever requests are claimed
// together, the calls in the order returned remove exactly those requests
// when applied one after the other, as the chain mines them.
func TestClaimIndices(t *testing.T) {
	s := testAdapter(t)
	snap := &snapshot{cooldown: 10, redeem: 1000, now: unix(5000)}
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 500 {
		n := 1 + rng.IntN(9)
		list := make([]unlockRequest, n)
		arr := make(contractList, n)
		for i := range n {
			// Old ones expired, recent ones claimable: both kinds of call.
			started := uint64(4000 + rng.IntN(900))
			if rng.IntN(3) == 0 {
				started = uint64(100 + rng.IntN(100))
			}
			list[i] = unlockRequest{idx: i, startedAt: started, shares: big.NewInt(int64(1 + rng.IntN(3)))}
			if snap.now.Unix() <= int64(started+snap.cooldown+snap.redeem) {
				list[i].rate = big.NewInt(1e18)
			}
			arr[i] = i
		}
		var targets []unlockRequest
		want := map[int]bool{}
		for i := range n {
			if rng.IntN(2) == 0 {
				targets = append(targets, list[i])
				want[i] = true
			}
		}
		calls, err := s.claimCalls(snap, keysOf(list), targets)
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) != len(targets) {
			t.Fatalf("trial %d: %d calls for %d targets", trial, len(calls), len(targets))
		}
		removed := map[int]bool{}
		for _, c := range calls {
			idx := int(new(big.Int).SetBytes(c.Data[4:]).Int64())
			tag := arr.removeAt(t, idx)
			if !want[tag] || removed[tag] {
				t.Fatalf("trial %d: %s(%d) removes request %d, not one of the targets %v (or twice)", trial, c.Action, idx, tag, want)
			}
			removed[tag] = true
			if wantAction := map[bool]string{true: "redeem", false: "redeemOverdueShares"}[list[tag].rate != nil]; c.Action != wantAction {
				t.Errorf("trial %d: request %d gets %s, want %s", trial, tag, c.Action, wantAction)
			}
		}
		if len(arr) != n-len(targets) {
			t.Fatalf("trial %d: %d requests left, want %d", trial, len(arr), n-len(targets))
		}
	}
}

// TestStatusBoundaries: the exact boundaries of §4.5 (pending while now ≤
// S+C, claimable while S+C < now ≤ S+C+R, expired after) and that a rate
// from the contract is what makes a request claimable.
func TestStatusBoundaries(t *testing.T) {
	const S, C, R = 1000, 100, 50
	rate := big.NewInt(1e18)
	for _, c := range []struct {
		now     int64
		hasRate bool
		want    protocol.Status
	}{
		{S, false, protocol.StatusPending},
		{S + C, false, protocol.StatusPending},
		{S + C + 1, true, protocol.StatusClaimable},
		{S + C + R, true, protocol.StatusClaimable},
		// The clock says in window but the contract's latest block gave no
		// rate: not claimable yet.
		{S + C + 10, false, protocol.StatusPending},
		{S + C + R + 1, false, protocol.StatusExpired},
		{S + C + R + 1e6, false, protocol.StatusExpired},
	} {
		snap := &snapshot{cooldown: C, redeem: R, now: unix(c.now)}
		r := unlockRequest{startedAt: S, shares: big.NewInt(1)}
		if c.hasRate {
			r.rate = rate
		}
		if got := snap.state(r); got != c.want {
			t.Errorf("now = S%+d (rate %v): %s, want %s", c.now-S, c.hasRate, got, c.want)
		}
	}
	s := testAdapter(t)
	snap := &snapshot{cooldown: C, redeem: R, now: unix(S + C)}
	w := s.withdrawal(snap, common.Address{1}, unlockRequest{startedAt: S, shares: big.NewInt(9)}, requestKey{startedAt: S, shares: "9", nth: 1})
	if w.ClaimableAt == nil || w.ClaimableAt.Unix() != S+C+1 || w.ClaimBy == nil || w.ClaimBy.Unix() != S+C+R || w.ETA == nil || !w.ETA.Equal(*w.ClaimableAt) {
		t.Errorf("withdrawal %+v: want claimableAt S+C+1, claimBy S+C+R, ETA = claimableAt", w)
	}
	if w.ID != "1000-9" || w.Status != protocol.StatusPending || w.Claimable != nil || w.RequestedAt.Unix() != S {
		t.Errorf("withdrawal %+v", w)
	}
}

// TestStakeChecks judges submit()'s rules on made-up answers: paused,
// minting paused, less than one share, the cap.
func TestStakeChecks(t *testing.T) {
	s := testAdapter(t)
	word := func(n *big.Int) []byte { return common.LeftPadBytes(n.Bytes(), 32) }
	e18 := big.NewInt(1e18)
	max256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	for _, c := range []struct {
		name                   string
		amount                 *big.Int
		paused, minting        bool
		pooled, shares, capAmt *big.Int
		wantLimit              bool
	}{
		{"open", e18, false, false, e18, e18, max256, false},
		{"paused", e18, true, false, e18, e18, max256, true},
		{"minting paused", e18, false, true, e18, e18, max256, true},
		{"one wei at 1:1 mints a share", big.NewInt(1), false, false, e18, e18, max256, false},
		{"one wei at 2:1 mints nothing", big.NewInt(1), false, false, big.NewInt(2e18), e18, max256, true},
		{"empty pool mints the deposit", big.NewInt(1), false, false, new(big.Int), new(big.Int), max256, false},
		{"at the cap", e18, false, false, e18, e18, big.NewInt(2e18), false},
		{"over the cap", big.NewInt(1e18 + 1), false, false, e18, e18, big.NewInt(2e18), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls, err := s.Stake(context.Background(), protocol.StakeRequest{Amount: c.amount})
			if err != nil {
				t.Fatal(err)
			}
			b := func(v bool) []byte {
				if v {
					return word(big.NewInt(1))
				}
				return word(new(big.Int))
			}
			answers := [][]byte{b(c.paused), b(c.minting), word(c.pooled), word(c.shares), word(c.capAmt)}
			_, err = protocol.Judge(calls, answers, make([]error, len(answers)))
			var le *protocol.LimitError
			if got := errors.As(err, &le); got != c.wantLimit {
				t.Errorf("Judge: %v, want a LimitError: %v", err, c.wantLimit)
			}
			if err != nil && !c.wantLimit {
				t.Errorf("Judge: %v", err)
			}
		})
	}
	// A garbled answer is a bad answer, not a refusal.
	calls, _ := s.Stake(context.Background(), protocol.StakeRequest{Amount: e18})
	_, err := protocol.Judge(calls, [][]byte{{1, 2}, nil, nil, nil, nil}, make([]error, 5))
	if !errors.Is(err, protocol.ErrBadAnswer) {
		t.Errorf("garbled paused(): %v, want ErrBadAnswer", err)
	}
}
