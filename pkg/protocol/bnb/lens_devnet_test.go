package bnb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	bnbmodel "github.com/stakewallet/stakewallet/internal/devnet/models/bnb"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/bnb"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
)

// plainAdapter binds a fresh adapter to node, which refuses the lens.
func (n *bscNet) plainAdapter(t *testing.T, node *protocoltest.NoCreation) *bnb.BNB {
	t.Helper()
	p, err := bnb.New(protocol.Env{Network: "devnet-bsc", Addresses: bnb.Deployments["devnet-bsc"], Backend: node, Native: nativeBNB})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*bnb.BNB)
}

// listing renders a validator list, every field (a *big.Int by its value,
// the credit token by value).
func listing(vs []protocol.Validator) string {
	var b strings.Builder
	for _, v := range vs {
		c := v
		c.Credit = nil
		fmt.Fprintf(&b, "%+v", c)
		if v.Credit != nil {
			fmt.Fprintf(&b, " credit %+v", *v.Credit)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// lensGas is the least gas with which the lens answers (a binary search
// of eth_calls given that much).
func lensGas(ctx context.Context, t *testing.T, n *bscNet, p *bnb.BNB) uint64 {
	t.Helper()
	m, err := p.LensMsg()
	if err != nil {
		t.Fatal(err)
	}
	art, err := os.ReadFile("lens/BNBLens.json")
	if err != nil {
		t.Fatal(err)
	}
	var lensABI struct {
		ABI json.RawMessage `json:"abi"`
	}
	if err := json.Unmarshal(art, &lensABI); err != nil {
		t.Fatal(err)
	}
	parsed, err := abi.JSON(bytes.NewReader(lensABI.ABI))
	if err != nil {
		t.Fatal(err)
	}
	id := parsed.Errors["BNBValidators"].ID
	answer := id[:4]
	answers := func(gas uint64) bool {
		m.Gas = gas
		_, err := n.Client.CallContract(ctx, m, nil)
		data, ok := abidecode.RevertData(err)
		return ok && len(data) > 4 && bytes.Equal(data[:4], answer)
	}
	lo, hi := uint64(21_000), uint64(50_000_000)
	if !answers(hi) {
		t.Fatalf("the lens does not answer with %d gas", hi)
	}
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if answers(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// TestLens: through the lens, Validators lists exactly what it lists
// without it (a node that runs no creation code), every field, errors
// alike, on fresh adapters and again: the genesis validators (one jailed,
// one not elected), then with the stakes reordered so that another one is
// not elected, with fewer elected, and with more validators (one jailed,
// monikers of every kind); a validator whose credit has no code is the same
// error. One round trip through the lens (with getValidators beside it),
// two without, where the lens is asked once and then no more; the credits
// come with the list (an unstake after it reads the shares only).
func TestLens(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	n := startNet(ctx, t)
	node := protocoltest.NewNoCreation(n.backend)

	compare := func(name string, wantErr string) []protocol.Validator {
		t.Helper()
		lens, plain := n.adapter(t), n.plainAdapter(t, node)
		refusedBefore := node.Refused.Load()
		var lv, pv []protocol.Validator
		var le, pe error
		for round := range 2 {
			lt := devnettest.Trips(n.backend, func() { lv, le = lens.Validators(ctx) })
			pt := devnettest.Trips(n.backend, func() { pv, pe = plain.Validators(ctx) })
			if fmt.Sprint(le) != fmt.Sprint(pe) {
				t.Errorf("%s (%d): through the lens %v, without %v", name, round, le, pe)
			}
			if gl, gp := listing(lv), listing(pv); gl != gp {
				t.Errorf("%s (%d): through the lens\n%s\nwithout\n%s", name, round, gl, gp)
			}
			wantLens := 1
			if wantErr != "" {
				// A credit without code fails the lens: the way without it
				// goes on from getValidators' answer and words the error;
				// then the lens is off (getValidators, then the batch).
				wantLens = 2
			}
			if lt != wantLens || pt != 2 {
				t.Errorf("%s (%d): %d round trips through the lens, %d without; want %d and 2", name, round, lt, pt, wantLens)
			}
			t.Logf("%s (%d): %d round trip(s) through the lens, %d without (%v)", name, round, lt, pt, le)
		}
		if got := node.Refused.Load() - refusedBefore; got != 1 || !plain.LensOff() {
			t.Errorf("%s: the node refused the lens %d times (off %v), want once and no more", name, got, plain.LensOff())
		}
		if wantErr == "" && lens.LensOff() {
			t.Errorf("%s: the lens is off after answering", name)
		}
		if wantErr != "" && (le == nil || !strings.Contains(le.Error(), wantErr)) {
			t.Errorf("%s: %v, want an error saying %q", name, le, wantErr)
		}
		return lv
	}
	status := func(vs []protocol.Validator) string {
		var s []string
		for _, v := range vs {
			s = append(s, v.Moniker+":"+v.Status)
		}
		return strings.Join(s, " ")
	}

	vs := compare("genesis", "")
	if got, want := status(vs), "Alpha:active Ankr:active Binance:active Certik:jailed Defibit:inactive"; got != want {
		t.Errorf("genesis statuses %s, want %s", got, want)
	}

	// The credits come with the listing: an unstake after it reads the
	// shares only, a stake nothing.
	owner := n.Accounts[1]
	p := n.adapter(t)
	if _, err := p.Validators(ctx); err != nil {
		t.Fatal(err)
	}
	n.send(ctx, t, p, owner, mustStake(ctx, t, p, owner.Address, op(2), coins(3)))
	var err error
	if got := devnettest.Trips(n.backend, func() {
		_, err = p.Unstake(ctx, protocol.UnstakeRequest{Owner: owner.Address, Amount: coins(1), Token: nativeBNB, Target: op(2)})
	}); err != nil || got != 1 {
		t.Errorf("Unstake after the listing: %d round trips (%v), want 1 (the shares)", got, err)
	}

	// Defibit gets elected, Ankr (the least stake) is not; then only two
	// are.
	n.send(ctx, t, p, owner, mustStake(ctx, t, p, owner.Address, op(5), coins(400)))
	vs = compare("Defibit elected", "")
	if got, want := status(vs), "Alpha:active Ankr:inactive Binance:active Certik:jailed Defibit:active"; got != want {
		t.Errorf("statuses %s, want %s", got, want)
	}
	hub, err := contracts.Load(bnbmodel.NameStakeHub)
	if err != nil {
		t.Fatal(err)
	}
	admin := func(method string, args ...any) {
		t.Helper()
		data, err := hub.ABI.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Oracle.Send(ctx, &bnb.DevnetStakeHub, new(big.Int), data); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	admin("updateParam", "maxElectedValidators", common.BigToHash(big.NewInt(2)).Bytes())
	vs = compare("two elected", "")
	if got, want := status(vs), "Alpha:inactive Ankr:inactive Binance:active Certik:jailed Defibit:active"; got != want {
		t.Errorf("statuses %s, want %s", got, want)
	}
	gas5 := lensGas(ctx, t, n, p)

	// More validators: one jailed, monikers empty, long and not ASCII.
	credit, err := contracts.Load(bnbmodel.NameStakeCredit)
	if err != nil {
		t.Fatal(err)
	}
	addr := func(kind string, i int) common.Address {
		return crypto.CreateAddress(common.BytesToAddress(crypto.Keccak256([]byte(kind))), uint64(i))
	}
	add := func(i int, moniker string, rate uint64, jailed bool, code bool) {
		t.Helper()
		op := addr("lens operator", i)
		c := addr("no code", i)
		if code {
			init, err := credit.InitCode(bnb.DevnetStakeHub, op, moniker)
			if err != nil {
				t.Fatal(err)
			}
			r, err := n.Oracle.Send(ctx, nil, coins(int64(2+i%7)), init)
			if err != nil {
				t.Fatalf("deploy the credit of %q: %v", moniker, err)
			}
			c = r.ContractAddress
		}
		admin("addValidator", op, addr("lens consensus", i), c, moniker, rate, jailed)
	}
	monikers := []string{"", "Validator ∑ ünïcode", strings.Repeat("Long", 40), "Alpha2"}
	const more = 40
	for i := range more {
		add(i, monikers[i%len(monikers)]+fmt.Sprint(i), uint64(i*37%10_001), i%5 == 1, true)
	}
	add(more, "", 0, false, true)
	admin("updateParam", "maxElectedValidators", common.BigToHash(big.NewInt(21)).Bytes())
	vs = compare(fmt.Sprintf("%d validators", len(bnbmodel.Validators)+more+1), "")
	counts := map[string]int{}
	for _, v := range vs {
		counts[v.Status]++
	}
	if len(vs) != len(bnbmodel.Validators)+more+1 || counts[bnb.StatusActive] != 21 || counts[bnb.StatusJailed] != 1+more/5 {
		t.Errorf("%d validators, statuses %v; want %d, 21 active, %d jailed", len(vs), counts, len(bnbmodel.Validators)+more+1, 1+more/5)
	}
	gasMore := lensGas(ctx, t, n, p)
	per := (gasMore - gas5) / (more + 1)
	t.Logf("lens gas: %d for 5 validators, %d for %d (%d per validator: 100 validators about %d)", gas5, gasMore, len(vs), per, gas5+95*per)
	if gas5+95*per > 20_000_000 {
		t.Errorf("the lens would take %d gas for 100 validators: more than nodes may allow an eth_call", gas5+95*per)
	}

	// A validator whose credit has no code: the same error either way.
	add(more+1, "Ghost", 100, false, false)
	compare("a credit without code", "totalPooledBNB returned nothing")
}

func mustStake(ctx context.Context, t *testing.T, p *bnb.BNB, from common.Address, target string, amount *big.Int) []protocol.Call {
	t.Helper()
	calls, err := p.Stake(ctx, protocol.StakeRequest{From: from, Amount: amount, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	return calls
}
