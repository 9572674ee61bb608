// Package protocoltest is the contract suite every protocol adapter runs
// against its model contracts on a live chain (a devnet, a fork). The
// adapter's own test binds the adapter, funds a key and says how to make
// pending requests claimable; Run then drives the whole lifecycle through
// the pkg/protocol interfaces only (stake, unstake, wait, claim, decode a
// revert) and checks real outcomes on the chain: balances, receipts,
// events, statuses. It knows no protocol by name, so a new adapter gets
// the same scrutiny as the first one by filling in a Harness.
//
//	func TestContract(t *testing.T) {
//		… start the devnet, bind p …
//		protocoltest.Run(t, protocoltest.Harness{
//			Protocol: p, Native: native, Chain: client, Key: key,
//			Stake:    ether(10),
//			Finalize: func(ctx context.Context) error { … },
//		})
//	}
package protocoltest

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// DefaultTimeout bounds Run when Harness.Timeout is zero.
const DefaultTimeout = 2 * time.Minute

// Harness is what an adapter's test fills in for Run.
type Harness struct {
	// Protocol is the adapter under test, bound to Chain's network.
	Protocol protocol.Protocol
	// Native is the Env.Native the adapter was bound with: stake and
	// claim must move exactly this coin.
	Native protocol.Token
	// Chain is the node; Protocol must read through the same one.
	Chain Chain
	// Key signs everything; its account must hold Stake plus gas. Use an
	// account no other test touches: the suite checks balances exactly.
	Key *ecdsa.PrivateKey
	// Stake is what the suite stakes, in the native coin's base units.
	Stake *big.Int
	// Unstake is how much of the staked token the suite unstakes; nil
	// unstakes half of what the stake minted.
	Unstake *big.Int
	// Target is the validator stake and unstake name, for protocols whose
	// Targets() is not TargetNone.
	Target string
	// Finalize makes every request created so far claimable: an oracle
	// report, a jump past the cooldown. Required when Unstaking() leaves
	// requests.
	Finalize func(ctx context.Context) error
	// Events maps a call's Action ("stake", "claimWithdrawals") to the
	// events its receipt must hold, decoded with the adapter's ABI. Every
	// action listed must be sent at least once during the run.
	Events map[string][]string
	// Reverting returns a call that reverts with an error of the
	// adapter's ABI. nil: the suite replays its claim, which every
	// protocol with requests must refuse.
	Reverting func(ctx context.Context, owner common.Address) (protocol.Call, error)
	// WantRevert, when set, is the name (custom error or Error(string)
	// reason) the reverting call must decode to.
	WantRevert string
	// ClaimSlack is how far a claim's payout may be from the Claimable
	// the adapter reported (base units), for protocols whose payout moves
	// between the read and the claim; zero demands exactness.
	ClaimSlack *big.Int
	// Timeout bounds the whole run; zero means DefaultTimeout.
	Timeout time.Duration
	// Reads, when set, counts the round trips the adapter has made through
	// its backend (build it on a Counter and pass Counter.Reads). The
	// "reads" step then holds Stake and Unstake of the staked token to at
	// most StakeReads and UnstakeReads round trips: rules belong in Checks
	// and Conditions, read in the wallet's batch (protocol/checks.go);
	// only reads the calldata depends on cost a round trip of their own.
	Reads                    func() int
	StakeReads, UnstakeReads int
}

// suite is the state the steps of one Run share, in order: what the stake
// minted, the requests the unstake created, the calls the claim sent.
type suite struct {
	h      Harness
	p      protocol.Protocol
	ctx    context.Context
	owner  common.Address
	sender *Sender
	staked protocol.Token
	// contracts are the addresses whose logs must decode: the calls'
	// targets and the protocol's tokens.
	contracts   map[common.Address]bool
	sentActions map[string]bool

	// credit is true when staked is the Target validator's credit (a
	// protocol without a RoleStaked token).
	credit bool
	// delegated: the stake is no token but the Target delegation of a
	// protocol.Delegator (Sonic), measured in the native coin.
	delegated bool

	minted     *big.Int
	ids        []protocol.RequestID
	claimCalls []protocol.Call
}

// Run runs the contract suite against h. The steps share state, in order;
// a step whose prerequisite did not happen is skipped, not failed, so
// that the first failure is the one to read.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if err := h.validate(); err != nil {
		t.Fatalf("protocoltest: %v", err)
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	s := &suite{
		h:           h,
		p:           h.Protocol,
		ctx:         ctx,
		owner:       crypto.PubkeyToAddress(h.Key.PublicKey),
		sender:      NewSender(h.Chain, h.Key, h.Protocol),
		contracts:   map[common.Address]bool{},
		sentActions: map[string]bool{},
	}
	s.staked, _ = s.p.Tokens().ByRole(protocol.RoleStaked)
	if s.staked.Address == (common.Address{}) {
		// A protocol whose stake is a per-validator credit (BNB) has no
		// staked token: the suite measures the Target's credit instead.
		s.staked, s.credit = targetCredit(ctx, h)
	}
	if measuresDelegation(s.p, s.staked, h.Target) {
		s.staked, s.delegated = h.Native, true
	}
	for _, tok := range s.p.Tokens() {
		if !tok.IsNative() {
			s.contracts[tok.Address] = true
		}
	}

	t.Run("capabilities", s.capabilities)
	t.Run("tokens", s.tokens)
	t.Run("stake", s.stake)
	t.Run("stake limits", s.stakeLimits)
	t.Run("reads", s.reads)
	t.Run("unstake", s.unstake)
	t.Run("eta", s.eta)
	t.Run("claim pending", s.claimPending)
	t.Run("claim", s.claim)
	t.Run("revert decoding", s.revertDecoding)
	t.Run("parse request id", s.parseRequestID)
	t.Run("events", s.eventCoverage)
}

func (h Harness) validate() error {
	switch {
	case h.Protocol == nil:
		return errors.New("Harness.Protocol is nil")
	case h.Chain == nil:
		return errors.New("Harness.Chain is nil")
	case h.Key == nil:
		return errors.New("Harness.Key is nil")
	case h.Stake == nil || h.Stake.Sign() <= 0:
		return errors.New("Harness.Stake must be positive")
	case h.Unstake != nil && h.Unstake.Sign() <= 0:
		return errors.New("Harness.Unstake must be positive (or nil)")
	case h.Native.Symbol == "" || h.Native.Decimals == 0:
		return errors.New("Harness.Native must have a symbol and decimals")
	case h.Protocol.Unstaking().HasRequests() && h.Finalize == nil:
		return fmt.Errorf("Harness.Finalize is required: %s unstakes by %s requests", h.Protocol.Name(), h.Protocol.Unstaking())
	}
	return nil
}

// capabilities: the optional interfaces an adapter implements agree with
// what it says about itself, so the wallet's type assertions and its
// reading of Unstaking/Targets never contradict each other.
func (s *suite) capabilities(t *testing.T) {
	p := s.p
	if name := p.Name(); name == "" || name != strings.ToLower(name) || strings.ContainsAny(name, " \t") {
		t.Errorf("Name() = %q: want a lower-case id without spaces (it is typed as --protocol)", name)
	}
	if p.DisplayName() == "" {
		t.Error("DisplayName() is empty")
	}
	if p.ABI() == nil {
		t.Error("ABI() is nil: reverts and receipts cannot be decoded")
	}

	kind := p.Unstaking()
	if !slices.Contains([]protocol.UnstakeKind{protocol.UnstakeQueued, protocol.UnstakeInstant, protocol.UnstakeCooldown, protocol.UnstakeUnbonding}, kind) {
		t.Errorf("Unstaking() = %q, not a known kind", kind)
	}
	hasReq := protocol.Has(p, protocol.CapRequests)
	if hasReq != kind.HasRequests() {
		t.Errorf("Unstaking() = %q (requests: %v) but implements protocol.Requests: %v", kind, kind.HasRequests(), hasReq)
	}
	// These only make sense for requests; without them the CLI would offer
	// a claim batch size or an ETA for requests that cannot exist.
	for _, c := range []protocol.Capability{protocol.CapClaimBatch, protocol.CapETA, protocol.CapRestake} {
		if protocol.Has(p, c) && !hasReq {
			t.Errorf("implements %q without %q", c, protocol.CapRequests)
		}
	}

	rule := p.Targets()
	if !slices.Contains([]protocol.TargetRule{protocol.TargetNone, protocol.TargetOptional, protocol.TargetRequired}, rule) {
		t.Errorf("Targets() = %q, not a known rule", rule)
	}
	if protocol.Has(p, protocol.CapValidators) && rule == protocol.TargetNone {
		t.Error("lists validators but refuses every target (TargetNone)")
	}
	if rule == protocol.TargetRequired {
		if s.h.Target == "" {
			t.Error("Targets() is required but Harness.Target is empty")
		}
		_, err := s.checked(p.Stake(s.ctx, protocol.StakeRequest{From: s.owner, Amount: s.h.Stake}))
		wantLimit(t, "Stake without a target", err)
		_, err = s.checked(p.Unstake(s.ctx, protocol.UnstakeRequest{Owner: s.owner, Amount: s.h.Stake, Token: s.staked}))
		wantLimit(t, "Unstake without a target", err)
	}
}

// tokens: roles, not positions, identify tokens, and the native coin is
// the network's, never a literal of the adapter.
func (s *suite) tokens(t *testing.T) {
	toks := s.p.Tokens()
	known := []protocol.Role{protocol.RoleNative, protocol.RoleStaked, protocol.RoleWrapped, protocol.RoleUnderlying, protocol.RoleCredit}
	stakedCount := 0
	addrs := map[common.Address]string{}
	for _, tok := range toks {
		if tok.Role == protocol.RoleStaked {
			stakedCount++
		}
		if tok.Symbol == "" || tok.Decimals == 0 {
			t.Errorf("token %+v: want a symbol and decimals > 0", tok)
		}
		if !slices.Contains(known, tok.Role) {
			t.Errorf("token %s has role %q, not a known role", tok.Symbol, tok.Role)
		}
		if tok.IsNative() || tok.Role == protocol.RoleNative {
			if !sameCoin(tok, s.h.Native) || !tok.IsNative() || tok.Role != protocol.RoleNative {
				t.Errorf("native token %+v, want the network's %+v (Env.Native, zero address, RoleNative)", tok, s.h.Native)
			}
			continue
		}
		if prev, dup := addrs[tok.Address]; dup {
			t.Errorf("%s and %s share address %s", prev, tok.Symbol, tok.Address.Hex())
		}
		addrs[tok.Address] = tok.Symbol
		if tok.Role == protocol.RoleStaked || tok.Role == protocol.RoleWrapped || tok.Role == protocol.RoleUnderlying {
			// A token the wallet shows a balance of must answer balanceOf
			// on this chain: a wrong deployment address fails here.
			if _, err := s.balance(tok); err != nil {
				t.Errorf("%s: %v", tok.Symbol, err)
			}
		}
	}
	switch {
	case stakedCount == 0 && s.delegated:
		if _, err := s.balance(s.staked); err != nil {
			t.Errorf("delegation to %s: %v", s.h.Target, err)
		}
	case stakedCount == 0 && s.credit:
		if s.staked.Role != protocol.RoleCredit || !s.staked.NotTransferable {
			t.Errorf("the credit of validator %s is %+v: want RoleCredit, NotTransferable", s.h.Target, s.staked)
		}
		if _, err := s.balance(s.staked); err != nil {
			t.Errorf("%s: %v", s.staked.Symbol, err)
		}
	case stakedCount != 1:
		t.Errorf("%d tokens with RoleStaked, want exactly one (Tokens() = %+v), or none and a credit per validator (protocol.Validator.Credit)", stakedCount, toks)
	}
}

// targetCredit is the credit token of h.Target, through the Validators
// capability, for protocols that mint a share token per validator.
// measuresDelegation says whether the suite measures p's stake as the
// target delegation (Delegator.Delegations), in the native coin: a native
// delegation with no token to read a balance of (Sonic's SFC), staked being
// what the RoleStaked and credit look-ups found. Any protocol.Delegator
// qualifies, whether its rewards wait to be claimed (a Rewarder) or
// compound into the stake (BNB's kind).
func measuresDelegation(p protocol.Protocol, staked protocol.Token, target string) bool {
	_, ok := p.(protocol.Delegator)
	return ok && staked.Address == (common.Address{}) && target != ""
}

func targetCredit(ctx context.Context, h Harness) (protocol.Token, bool) {
	vs, ok := h.Protocol.(protocol.Validators)
	if !ok || h.Target == "" {
		return protocol.Token{}, false
	}
	list, err := vs.Validators(ctx)
	if err != nil {
		return protocol.Token{}, false
	}
	for _, v := range list {
		if strings.EqualFold(v.ID, h.Target) && v.Credit != nil {
			return *v.Credit, true
		}
	}
	return protocol.Token{}, false
}

// stake: the calls simulate and mine, the staked token balance rises, the
// account pays exactly the value sent plus gas, and the receipts decode.
func (s *suite) stake(t *testing.T) {
	if s.staked.Address == (common.Address{}) && !s.delegated {
		t.Skip("no RoleStaked token to measure the stake by (see the tokens step)")
	}
	_, underlying := s.p.Tokens().ByRole(protocol.RoleUnderlying)
	before := s.mustBalance(t, s.staked)
	nativeBefore := s.mustNative(t)

	calls, err := s.checked(s.p.Stake(s.ctx, protocol.StakeRequest{From: s.owner, Amount: s.h.Stake, Target: s.h.Target}))
	if err != nil {
		t.Fatalf("Stake: %v", err)
	}
	if len(calls) == 0 {
		t.Fatal("Stake returned no calls")
	}
	s.checkCalls(t, calls)
	value := totalValue(calls)
	if !underlying {
		if value.Cmp(s.h.Stake) != 0 {
			t.Errorf("the calls send %s native, want the amount staked, %s", value, s.h.Stake)
		}
		for _, c := range calls {
			if c.Value != nil && c.Value.Sign() > 0 && !sameCoin(c.Token, s.h.Native) {
				t.Errorf("%s sends the native coin but names token %+v, want %+v", c.Action, c.Token, s.h.Native)
			}
		}
	}
	rs := s.send(t, calls)
	s.checkEvents(t, calls, rs)

	after := s.mustBalance(t, s.staked)
	if after.Cmp(before) <= 0 {
		t.Fatalf("%s balance %s → %s: the stake minted nothing", s.staked.Symbol, before, after)
	}
	s.minted = new(big.Int).Sub(after, before)
	spent := new(big.Int).Sub(nativeBefore, s.mustNative(t))
	if want := new(big.Int).Add(value, Fees(rs)); spent.Cmp(want) != 0 {
		t.Errorf("the account paid %s native, want the value sent plus gas, %s", spent, want)
	}
	t.Logf("staked %s native for %s %s", s.h.Stake, s.minted, s.staked.Symbol)
}

// checked applies the calls' Checks and Conditions as the wallet does in
// its batch before anything is signed (protocol.RunChecks): the calls
// that are needed, or the refusal (a *protocol.LimitError passes through).
// Adapters state rules as Checks instead of reading the chain for them, so
// every call the suite builds goes through here.
func (s *suite) checked(calls []protocol.Call, err error) ([]protocol.Call, error) {
	if err != nil {
		return nil, err
	}
	for _, c := range calls {
		for _, ch := range c.Checks {
			if ch.Verify == nil || ch.Msg.To == nil {
				return nil, fmt.Errorf("protocoltest: %s has a Check without a target or Verify", c.Action)
			}
		}
		if c.Only != nil && (c.Only.Needed == nil || c.Only.Msg.To == nil) {
			return nil, fmt.Errorf("protocoltest: %s has a Condition without a target or Needed", c.Action)
		}
	}
	return protocol.RunChecks(s.ctx, s.h.Chain, calls)
}

// stakeLimits: requests the protocol forbids are the user's error
// (*protocol.LimitError, exit 2), not a call that would revert.
func (s *suite) stakeLimits(t *testing.T) {
	_, err := s.checked(s.p.Stake(s.ctx, protocol.StakeRequest{From: s.owner, Amount: new(big.Int), Target: s.h.Target}))
	wantLimit(t, "Stake of zero", err)
	if s.p.Targets() != protocol.TargetNone {
		return
	}
	for _, target := range []string{s.owner.Hex(), "1"} {
		_, err := s.checked(s.p.Stake(s.ctx, protocol.StakeRequest{From: s.owner, Amount: s.h.Stake, Target: target}))
		wantLimit(t, fmt.Sprintf("Stake with target %q (TargetNone)", target), err)
		_, err = s.checked(s.p.Unstake(s.ctx, protocol.UnstakeRequest{Owner: s.owner, Amount: big.NewInt(1), Token: s.staked, Target: target}))
		wantLimit(t, fmt.Sprintf("Unstake with target %q (TargetNone)", target), err)
	}
}

// reads: building a stake or an unstake reads no more than its calldata
// needs (Harness.StakeReads, UnstakeReads; zero unless set).
func (s *suite) reads(t *testing.T) {
	if s.h.Reads == nil {
		t.Skip("Harness.Reads not set: the adapter's reads are not counted")
	}
	amount := s.h.Unstake
	if amount == nil {
		amount = s.h.Stake
	}
	for _, c := range []struct {
		what  string
		limit int
		build func() ([]protocol.Call, error)
	}{
		{"Stake", s.h.StakeReads, func() ([]protocol.Call, error) {
			return s.p.Stake(s.ctx, protocol.StakeRequest{From: s.owner, Amount: s.h.Stake, Target: s.h.Target})
		}},
		{"Unstake", s.h.UnstakeReads, func() ([]protocol.Call, error) {
			return s.p.Unstake(s.ctx, protocol.UnstakeRequest{Owner: s.owner, Amount: amount, Token: s.staked, Target: s.h.Target})
		}},
	} {
		before := s.h.Reads()
		if _, err := c.build(); err != nil {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		if n := s.h.Reads() - before; n > c.limit {
			t.Errorf("%s made %d round trips of reads, want at most %d: state rules as Checks and Conditions (protocol/checks.go), read in the wallet's batch", c.what, n, c.limit)
		}
	}
}

// unstake: the staked token leaves the account; requests appear, parse
// back and are pending, or (instant) the coin arrives.
func (s *suite) unstake(t *testing.T) {
	if s.minted == nil {
		t.Skip("nothing staked (see the stake step)")
	}
	amount := s.h.Unstake
	if amount == nil {
		amount = new(big.Int).Div(s.minted, big.NewInt(2))
	}
	before := s.mustBalance(t, s.staked)
	nativeBefore := s.mustNative(t)
	calls, err := s.checked(s.p.Unstake(s.ctx, protocol.UnstakeRequest{Owner: s.owner, Amount: amount, Token: s.staked, Target: s.h.Target}))
	if err != nil {
		t.Fatalf("Unstake %s %s: %v", amount, s.staked.Symbol, err)
	}
	if len(calls) == 0 {
		t.Fatal("Unstake returned no calls")
	}
	s.checkCalls(t, calls)
	rs := s.send(t, calls)
	s.checkEvents(t, calls, rs)
	if after := s.mustBalance(t, s.staked); after.Cmp(before) >= 0 {
		t.Errorf("%s balance %s → %s: the unstake took nothing", s.staked.Symbol, before, after)
	}

	if !s.p.Unstaking().HasRequests() {
		gained := new(big.Int).Sub(s.mustNative(t), nativeBefore)
		gained.Add(gained, Fees(rs)).Sub(gained, totalValue(calls))
		if gained.Sign() <= 0 {
			t.Errorf("an instant unstake paid %s native (after gas), want more than nothing", gained)
		}
		return
	}
	req, ok := s.p.(protocol.Requests)
	if !ok {
		t.Fatal("no protocol.Requests (see the capabilities step)")
	}
	var ids []protocol.RequestID
	for _, r := range rs {
		ids = append(ids, req.RequestIDs(r)...)
	}
	if len(ids) == 0 {
		t.Fatal("RequestIDs found no request in the unstake's receipts")
	}
	seen := map[protocol.RequestID]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("request id %q appears twice", id)
		}
		seen[id] = true
		if got, err := req.ParseRequestID(string(id)); err != nil || got != id {
			t.Errorf("ParseRequestID(%q) = %q, %v: the adapter's own id does not round-trip", id, got, err)
		}
	}
	ws := s.withdrawals(t, req, ids)
	sum := new(big.Int)
	sameToken := true
	for _, w := range ws {
		if w.Status != protocol.StatusPending || w.Claimable != nil {
			t.Errorf("fresh request %s is %s (claimable %v), want pending", w.ID, w.Status, w.Claimable)
		}
		if w.Owner != s.owner || w.Protocol != s.p.Name() {
			t.Errorf("request %s: owner %s protocol %q, want %s %q", w.ID, w.Owner.Hex(), w.Protocol, s.owner.Hex(), s.p.Name())
		}
		// The adapter may normalize the target (checksum, moniker → id),
		// so only its presence is comparable.
		if (w.Target == "") != (s.h.Target == "") {
			t.Errorf("request %s has target %q, unstaked with %q", w.ID, w.Target, s.h.Target)
		}
		if w.Amount == nil || w.Amount.Sign() <= 0 || w.RequestedAt.IsZero() {
			t.Errorf("request %s: amount %v requested at %v", w.ID, w.Amount, w.RequestedAt)
			continue
		}
		sum.Add(sum, w.Amount)
		sameToken = sameToken && w.Token.Address == s.staked.Address
	}
	if sameToken && sum.Cmp(amount) != 0 {
		t.Errorf("the requests add up to %s %s, want the %s unstaked", sum, s.staked.Symbol, amount)
	}
	all, err := req.Withdrawals(s.ctx, s.owner, nil)
	if err != nil {
		t.Fatalf("Withdrawals of the owner: %v", err)
	}
	for _, id := range ids {
		if !slices.ContainsFunc(all, func(w protocol.Withdrawal) bool { return w.ID == id }) {
			t.Errorf("request %s missing from the owner's list", id)
		}
	}
	s.ids = ids
	t.Logf("unstaked %s %s: requests %v", amount, s.staked.Symbol, ids)
}

// eta: an estimator places every pending request and says why when it
// cannot give a time.
func (s *suite) eta(t *testing.T) {
	est, ok := s.p.(protocol.Estimating)
	if !ok {
		t.Skip("no eta capability")
	}
	if len(s.ids) == 0 {
		t.Skip("no pending request (see the unstake step)")
	}
	ws := s.withdrawals(t, s.p.(protocol.Requests), s.ids)
	got, err := est.Estimator().Estimate(s.ctx, ws)
	if err != nil {
		t.Fatalf("Estimate: %v", err)
	}
	for _, id := range s.ids {
		e, ok := got[id]
		switch {
		case !ok:
			t.Errorf("no estimate for pending request %s", id)
		case e.AsOf.IsZero():
			t.Errorf("estimate of %s has no AsOf", id)
		case e.ETA == nil && e.Note == "":
			t.Errorf("ETA of %s unknown without a note saying why", id)
		}
	}
}

// claimPending: claiming before Finalize is the user's error, caught
// before anything is signed.
func (s *suite) claimPending(t *testing.T) {
	if len(s.ids) == 0 {
		t.Skip("no pending request (see the unstake step)")
	}
	_, err := s.checked(s.p.(protocol.Requests).Claim(s.ctx, s.owner, s.ids[:1]))
	wantLimit(t, "Claim of a pending request", err)
}

// claim: after Finalize the requests are claimable, the claim pays what
// they said (after gas) and leaves them claimed.
func (s *suite) claim(t *testing.T) {
	if len(s.ids) == 0 {
		t.Skip("no pending request (see the unstake step)")
	}
	req := s.p.(protocol.Requests)
	if err := s.h.Finalize(s.ctx); err != nil {
		t.Fatalf("Finalize: %v", err)
	}
	total := new(big.Int)
	for _, w := range s.withdrawals(t, req, s.ids) {
		if w.Status != protocol.StatusClaimable || w.Claimable == nil || w.Claimable.Sign() <= 0 {
			t.Errorf("after Finalize request %s is %s, claimable %v", w.ID, w.Status, w.Claimable)
			continue
		}
		total.Add(total, w.Claimable)
	}
	if t.Failed() {
		t.FailNow()
	}

	if cb, ok := s.p.(protocol.ClaimBatcher); ok {
		for _, perTx := range []int{1, len(s.ids)} {
			calls, err := s.checked(cb.ClaimBatches(s.ctx, s.ids, perTx))
			if err != nil {
				t.Errorf("ClaimBatches(%d per tx): %v", perTx, err)
				continue
			}
			if want := (len(s.ids) + perTx - 1) / perTx; len(calls) != want {
				t.Errorf("ClaimBatches(%d ids, %d per tx) = %d calls, want %d", len(s.ids), perTx, len(calls), want)
			}
			if sum, ok := nativeAmount(calls, s.h.Native); ok && sum.Cmp(total) != 0 {
				t.Errorf("ClaimBatches(%d per tx) pays %s, the requests say %s", perTx, sum, total)
			}
		}
	}

	calls, err := s.checked(req.Claim(s.ctx, s.owner, s.ids))
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if len(calls) == 0 {
		t.Fatal("Claim returned no calls")
	}
	s.checkCalls(t, calls)
	if sum, ok := nativeAmount(calls, s.h.Native); ok && sum.Cmp(total) != 0 {
		t.Errorf("the claim calls say they pay %s, the requests say %s", sum, total)
	}
	nativeBefore := s.mustNative(t)
	// A protocol that stakes an ERC-20 (RoleUnderlying: POL) pays claims
	// in it: the payout is measured in that token.
	under, hasUnder := s.p.Tokens().ByRole(protocol.RoleUnderlying)
	var underBefore *big.Int
	if hasUnder {
		underBefore = s.mustBalance(t, under)
	}
	rs := s.send(t, calls)
	s.claimCalls = calls
	s.checkEvents(t, calls, rs)

	gained := new(big.Int).Sub(s.mustNative(t), nativeBefore)
	gained.Add(gained, Fees(rs)).Add(gained, totalValue(calls))
	if hasUnder {
		gained = new(big.Int).Sub(s.mustBalance(t, under), underBefore)
	}
	slack := s.h.ClaimSlack
	if slack == nil {
		slack = new(big.Int)
	}
	if diff := new(big.Int).Sub(gained, total); diff.CmpAbs(slack) > 0 {
		t.Errorf("the claim paid %s native (gas added back), the requests said %s (slack %s)", gained, total, slack)
	}

	// Claimed requests may stay listed as claimed or be gone (unknown to
	// the protocol now); either way none is claimable any more.
	ws, err := req.Withdrawals(s.ctx, s.owner, s.ids)
	var le *protocol.LimitError
	switch {
	case errors.As(err, &le):
	case err != nil:
		t.Errorf("Withdrawals after the claim: %v", err)
	default:
		for _, w := range ws {
			if slices.Contains(s.ids, w.ID) && w.Status != protocol.StatusClaimed {
				t.Errorf("request %s is %s after the claim, want claimed", w.ID, w.Status)
			}
		}
	}
	_, err = s.checked(req.Claim(s.ctx, s.owner, s.ids))
	wantLimit(t, "a second Claim of the same requests", err)
}

// revertDecoding: a real node's revert decodes to a named error of the
// adapter's ABI, and the adapter's hints explain it.
func (s *suite) revertDecoding(t *testing.T) {
	var c protocol.Call
	switch {
	case s.h.Reverting != nil:
		var err error
		if c, err = s.h.Reverting(s.ctx, s.owner); err != nil {
			t.Fatalf("Harness.Reverting: %v", err)
		}
	case len(s.claimCalls) > 0:
		// A claim replayed after it was mined must revert: paying twice
		// is what the contract exists to prevent.
		c = s.claimCalls[0]
	default:
		t.Skip("no reverting call: set Harness.Reverting, or let the claim step pass")
	}
	to := c.To
	_, err := s.h.Chain.CallContract(s.ctx, ethereum.CallMsg{From: s.owner, To: &to, Value: c.Value, Data: c.Data}, nil)
	if err == nil {
		t.Fatalf("%s did not revert", c.Action)
	}
	data, ok := abidecode.RevertData(err)
	if !ok {
		t.Fatalf("the node's error carries no revert data: %v", err)
	}
	r := abidecode.DecodeRevert(data, s.p.ABI())
	switch {
	case r.Name == "":
		t.Errorf("revert %x decodes to no name with the adapter's ABI: %s", data, r.Message)
	case r.Name == "Panic":
		t.Errorf("the call panicked (%s): want a deliberate error", r.Message)
	case r.Name != "Error" && !hasError(s.p.ABI(), r.Name):
		t.Errorf("revert decodes to %q, which is not an error of the adapter's ABI", r.Name)
	}
	if viaErr, ok := abidecode.FromError(err, s.p.ABI()); !ok || viaErr.Name != r.Name {
		t.Errorf("FromError on the node's error gives %+v, DecodeRevert %q", viaErr, r.Name)
	}
	if want := s.h.WantRevert; want != "" && r.Name != want && r.Reason() != want {
		t.Errorf("revert %s, want %s", r.Message, want)
	}
	if h, ok := s.p.(protocol.Hinter); ok {
		if hint := abidecode.Hint(r, h.RevertHints()); hint == "" {
			t.Errorf("no hint for %s", r.Message)
		} else {
			t.Logf("%s", abidecode.Human(r, h.RevertHints()))
		}
	}
}

// parseRequestID: what the user types is checked before it reaches the
// chain, and refused as input error.
func (s *suite) parseRequestID(t *testing.T) {
	req, ok := s.p.(protocol.Requests)
	if !ok {
		t.Skip("no requests capability")
	}
	for _, in := range []string{"", " ", "\x00", "not an id!", "🙂", strings.Repeat("9", 200)} {
		got, err := req.ParseRequestID(in)
		wantLimit(t, fmt.Sprintf("ParseRequestID(%q)", in), err)
		if err != nil && got != "" {
			t.Errorf("ParseRequestID(%q) = %q with an error", in, got)
		}
	}
}

// eventCoverage: an action named in Harness.Events that was never sent
// is a typo that would silently check nothing.
func (s *suite) eventCoverage(t *testing.T) {
	if s.minted == nil {
		t.Skip("the lifecycle did not run (see the stake step)")
	}
	for action := range s.h.Events {
		if !s.sentActions[action] {
			t.Errorf("Harness.Events names action %q, but no call sent had it (sent: %v)", action, keys(s.sentActions))
		}
	}
}

// checkCalls checks what every call must carry for the preview.
func (s *suite) checkCalls(t *testing.T, calls []protocol.Call) {
	t.Helper()
	for i, c := range calls {
		if c.Action == "" || c.Description == "" || c.To == (common.Address{}) {
			t.Errorf("call %d: action %q, description %q, to %s: all are required", i, c.Action, c.Description, c.To.Hex())
		}
		if c.Value != nil && c.Value.Sign() < 0 {
			t.Errorf("call %d (%s): negative value %s", i, c.Action, c.Value)
		}
		s.contracts[c.To] = true
	}
}

// checkEvents decodes every receipt with the adapter's ABI: logs of the
// protocol's contracts must all decode, and the events Harness.Events
// names for a call's action must be there.
func (s *suite) checkEvents(t *testing.T, calls []protocol.Call, rs []*types.Receipt) {
	t.Helper()
	for i, r := range rs {
		action := calls[i].Action
		s.sentActions[action] = true
		names := map[string]bool{}
		for _, ev := range abidecode.DecodeLogs(r.Logs, s.p.ABI()) {
			if ev.Name == "" && s.contracts[ev.Address] {
				t.Errorf("%s: log %d of %s (topic %s) is not in the adapter's ABI", action, ev.LogIndex, ev.Address.Hex(), ev.Topic0.Hex())
			}
			names[ev.Name] = true
		}
		for _, want := range s.h.Events[action] {
			if !names[want] {
				t.Errorf("%s: no %s event in the receipt (decoded: %v)", action, want, keys(names))
			}
		}
	}
}

// send sends calls and stops the step on failure.
func (s *suite) send(t *testing.T, calls []protocol.Call) []*types.Receipt {
	t.Helper()
	rs, err := s.sender.Send(s.ctx, calls)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// withdrawals reads ids and checks that each comes back exactly once.
func (s *suite) withdrawals(t *testing.T, req protocol.Requests, ids []protocol.RequestID) []protocol.Withdrawal {
	t.Helper()
	ws, err := req.Withdrawals(s.ctx, s.owner, ids)
	if err != nil {
		t.Fatalf("Withdrawals(%v): %v", ids, err)
	}
	got := map[protocol.RequestID]int{}
	for _, w := range ws {
		got[w.ID]++
	}
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("Withdrawals(%v) returns request %s %d times", ids, id, got[id])
		}
	}
	if len(ws) != len(ids) {
		t.Errorf("Withdrawals(%d ids) returned %d requests", len(ids), len(ws))
	}
	return ws
}

// erc20 is the one method the suite reads of any token.
var erc20 = func() *abi.ABI {
	a, err := abi.JSON(strings.NewReader(`[{"type":"function","name":"balanceOf","stateMutability":"view",
		"inputs":[{"name":"account","type":"address"}],"outputs":[{"name":"","type":"uint256"}]}]`))
	if err != nil {
		panic("protocoltest: built-in ABI: " + err.Error())
	}
	return &a
}()

func (s *suite) balance(tok protocol.Token) (*big.Int, error) {
	if s.delegated && tok == s.staked {
		ds, err := s.p.(protocol.Delegator).Delegations(s.ctx, s.owner, s.h.Target)
		if err != nil {
			return nil, fmt.Errorf("delegations: %w", err)
		}
		sum := new(big.Int)
		for _, d := range ds {
			sum.Add(sum, d.Staked)
		}
		return sum, nil
	}
	data, err := erc20.Pack("balanceOf", s.owner)
	if err != nil {
		return nil, fmt.Errorf("encode balanceOf: %w", err)
	}
	to := tok.Address
	out, err := s.h.Chain.CallContract(s.ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
	if err != nil {
		return nil, fmt.Errorf("balanceOf on %s: %w", to.Hex(), err)
	}
	vals, err := erc20.Unpack("balanceOf", out)
	if err != nil {
		return nil, fmt.Errorf("balanceOf on %s returned %x (no token there?): %w", to.Hex(), out, err)
	}
	return vals[0].(*big.Int), nil
}

func (s *suite) mustBalance(t *testing.T, tok protocol.Token) *big.Int {
	t.Helper()
	b, err := s.balance(tok)
	if err != nil {
		t.Fatalf("%s: %v", tok.Symbol, err)
	}
	return b
}

func (s *suite) mustNative(t *testing.T) *big.Int {
	t.Helper()
	b, err := s.h.Chain.BalanceAt(s.ctx, s.owner, nil)
	if err != nil {
		t.Fatalf("native balance: %v", err)
	}
	return b
}

func wantLimit(t *testing.T, what string, err error) {
	t.Helper()
	var le *protocol.LimitError
	switch {
	case err == nil:
		t.Errorf("%s: accepted, want a *protocol.LimitError", what)
	case !errors.As(err, &le):
		t.Errorf("%s: %v (%T), want a *protocol.LimitError", what, err, err)
	case strings.TrimSpace(le.Reason) == "":
		t.Errorf("%s: a LimitError without a reason", what)
	}
}

// sameCoin compares what identifies a coin to the user; the role and
// address of Env.Native are the adapter's to set.
func sameCoin(a, b protocol.Token) bool { return a.Symbol == b.Symbol && a.Decimals == b.Decimals }

func totalValue(calls []protocol.Call) *big.Int {
	sum := new(big.Int)
	for _, c := range calls {
		if c.Value != nil {
			sum.Add(sum, c.Value)
		}
	}
	return sum
}

// nativeAmount sums the calls' Amount when every call says it moves the
// native coin; ok is false otherwise (the amounts are then not comparable).
func nativeAmount(calls []protocol.Call, native protocol.Token) (sum *big.Int, ok bool) {
	sum = new(big.Int)
	for _, c := range calls {
		if !c.Token.IsNative() || !sameCoin(c.Token, native) || c.Amount == nil {
			return nil, false
		}
		sum.Add(sum, c.Amount)
	}
	return sum, true
}

func hasError(a *abi.ABI, name string) bool {
	for key, e := range a.Errors {
		if key == name || e.Name == name {
			return true
		}
	}
	return false
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
