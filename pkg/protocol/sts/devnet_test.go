package sts_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devnettest"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	stsmodel "github.com/stakewallet/stakewallet/internal/devnet/models/sts"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
	"github.com/stakewallet/stakewallet/pkg/protocol/sts"
)

func coins(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

var nativeS = protocol.Token{Symbol: "S", Decimals: 18, Role: protocol.RoleNative}

// bondingPeriod is the model's withdrawal delay in these tests: long
// enough that a fresh request is pending, short enough to wait out.
const bondingPeriod = 3 * time.Second

// noMulticall3 answers calls to Multicall3 with nothing, as a node
// without it does.
type noMulticall3 struct{ *protocoltest.Counter }

func (b noMulticall3) BatchCallContract(ctx context.Context, msgs []ethereum.CallMsg, n *big.Int) ([][]byte, []error) {
	res, errs := b.Counter.BatchCallContract(ctx, msgs, n)
	for i, m := range msgs {
		if m.To != nil && *m.To == protocol.Multicall3 {
			res[i], errs[i] = nil, nil
		}
	}
	return res, errs
}

// stsNet is an in-process devnet (chain 1337) with the stS model deployed by
// transactions, as `stakewallet-devnet deploy` does on any node, its stepper
// driven by hand, and the adapter bound to the deployment on the wallet's
// client.
type stsNet struct {
	*devnettest.Net
	backend *protocoltest.Counter
	p       *sts.STS
	addrs   map[string]common.Address
	stepper model.Stepper
}

func startNet(ctx context.Context, t *testing.T) *stsNet {
	t.Helper()
	net := devnettest.Start(ctx, t, "")
	addrs := net.Deploy(ctx, t, stsmodel.Model)
	stepper := net.Stepper(ctx, t, stsmodel.Model, model.StepEnv{Addresses: addrs, BondingPeriod: bondingPeriod, WallClock: true})
	backend := protocoltest.NewCounter(net.Wallet)
	p, err := sts.New(protocol.Env{Network: "devnet-sonic", Addresses: addrs, Backend: backend, Native: nativeS})
	if err != nil {
		t.Fatal(err)
	}
	return &stsNet{Net: net, backend: backend, p: p.(*sts.STS), addrs: addrs, stepper: stepper}
}

// finalize steps the model until every pending request of owner is
// claimable by the latest block (the delay passed and a block has that
// time).
func (n *stsNet) finalize(owner common.Address) func(ctx context.Context) error {
	return devnettest.Finalize(n.stepper, n.p, owner)
}

// send judges the calls' Checks (as the wallet does) and sends them.
func (n *stsNet) send(ctx context.Context, t *testing.T, acct devkeys.Account, calls []protocol.Call) []*types.Receipt {
	t.Helper()
	_, rs := n.Send(ctx, t, n.p, acct.PrivateKey, calls)
	return rs
}

// TestContract runs the protocol contract suite against the stS model on
// an in-process devnet, then what only stS has.
func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	n := startNet(ctx, t)
	// The pool of a fresh deposit is delegated by the operator's step.
	owner := n.Accounts[1]
	protocoltest.Run(t, protocoltest.Harness{
		Protocol: n.p,
		Native:   nativeS,
		Chain:    n.Client,
		Key:      owner.PrivateKey,
		Stake:    coins(10),
		Finalize: n.finalize(owner.Address),
		Events: map[string][]string{
			"stake":      {"Deposited", "Transfer"},
			"undelegate": {"Undelegated", "Transfer"},
			"withdraw":   {"Withdrawn"},
		},
		// The suite replays its claim: stS refuses to pay twice.
		WantRevert: "WithdrawAlreadyProcessed",
		Timeout:    2 * time.Minute,
	})
	t.Run("claim before the delay", func(t *testing.T) { claimBeforeDelay(ctx, t, n, n.Accounts[2]) })
	t.Run("SFC epochs: delay passed, epochs not", func(t *testing.T) { sfcEpochs(ctx, t, n, n.Accounts[8]) })
	t.Run("validator choice", func(t *testing.T) { validatorChoice(ctx, t, n, n.Accounts[3], n.Accounts[4]) })
	t.Run("slashed validator: never emergency", func(t *testing.T) { slashed(ctx, t, n, n.Accounts[5]) })
	t.Run("round trips", func(t *testing.T) { roundTrips(ctx, t, n, n.Accounts[6]) })
	t.Run("paused", func(t *testing.T) { paused(ctx, t, n, n.Accounts[7]) })
	t.Run("rewards move the rate", func(t *testing.T) { rewardsMoveRate(ctx, t, n) })
}

func stake(ctx context.Context, t *testing.T, n *stsNet, acct devkeys.Account, amt *big.Int) {
	t.Helper()
	calls, err := n.p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: amt})
	if err != nil {
		t.Fatal(err)
	}
	n.send(ctx, t, acct, calls)
}

func unstake(ctx context.Context, t *testing.T, n *stsNet, acct devkeys.Account, amt *big.Int, target string) ([]protocol.Call, []protocol.RequestID) {
	t.Helper()
	calls, err := n.p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: amt, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	var ids []protocol.RequestID
	for _, r := range n.send(ctx, t, acct, calls) {
		ids = append(ids, n.p.RequestIDs(r)...)
	}
	return calls, ids
}

func step(ctx context.Context, t *testing.T, n *stsNet) {
	t.Helper()
	if err := n.stepper.Step(ctx); err != nil {
		t.Fatal(err)
	}
}

// claimBeforeDelay: the adapter refuses a pending claim before anything is
// signed, and the contract itself reverts WithdrawDelayNotElapsed, which
// decodes with a hint.
func claimBeforeDelay(ctx context.Context, t *testing.T, n *stsNet, acct devkeys.Account) {
	stake(ctx, t, n, acct, coins(2))
	step(ctx, t, n)
	_, ids := unstake(ctx, t, n, acct, coins(1), "")
	if len(ids) != 1 {
		t.Fatalf("ids %v", ids)
	}
	_, err := n.p.Claim(ctx, acct.Address, ids)
	var le *protocol.LimitError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "still pending") {
		t.Fatalf("Claim of a pending request = %v, want a LimitError saying it is pending", err)
	}
	id, _ := new(big.Int).SetString(string(ids[0]), 10)
	data, err := n.p.ABI().Pack("withdraw", id, false)
	if err != nil {
		t.Fatal(err)
	}
	to := n.addrs[sts.RoleSTS]
	_, err = n.Client.CallContract(ctx, ethereum.CallMsg{From: acct.Address, To: &to, Data: data}, nil)
	r, ok := abidecode.FromError(err, n.p.ABI())
	if !ok || r.Name != "WithdrawDelayNotElapsed" {
		t.Fatalf("withdraw before the delay: %v (decoded %+v), want WithdrawDelayNotElapsed", err, r)
	}
	if h := abidecode.Hint(r, n.p.RevertHints()); !strings.Contains(h, "not claimable yet") {
		t.Errorf("hint %q", h)
	}
	// Claimed later, by the default "every claimable request".
	if err := n.finalize(acct.Address)(ctx); err != nil {
		t.Fatal(err)
	}
	calls, err := n.p.Claim(ctx, acct.Address, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertNotEmergency(t, n.p.ABI(), calls)
	n.send(ctx, t, acct, calls)
	ws, err := n.p.Withdrawals(ctx, acct.Address, ids)
	if err != nil || len(ws) != 1 || ws[0].Status != protocol.StatusClaimed {
		t.Fatalf("after the claim: %+v, %v", ws, err)
	}
}

// assertNotEmergency decodes every claim call and requires emergency=false.
func assertNotEmergency(t *testing.T, a *abi.ABI, calls []protocol.Call) {
	t.Helper()
	if len(calls) == 0 {
		t.Fatal("no claim calls")
	}
	for _, c := range calls {
		m, err := a.MethodById(c.Data)
		if err != nil {
			t.Fatalf("claim calldata %x: %v", c.Data, err)
		}
		sel := hex.EncodeToString(c.Data[:4])
		if sel != "38d07436" && sel != "ac697e3f" {
			t.Fatalf("claim calls %s (%s), want withdraw or withdrawMany", m.Sig, sel)
		}
		args, err := m.Inputs.Unpack(c.Data[4:])
		if err != nil {
			t.Fatal(err)
		}
		if emergency, ok := args[1].(bool); !ok || emergency {
			t.Errorf("%s with emergency=%v: stakewallet must never send an emergency withdrawal", m.Sig, args[1])
		}
		// The bool is the second word of the arguments: byte for byte zero.
		if w := c.Data[4+32 : 4+64]; !allZero(w) {
			t.Errorf("%s: the emergency word is %x, want 32 zero bytes", m.Sig, w)
		}
	}
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

// addValidator makes acct validator 2 (1000 S self-stake) and has the
// operator delegate amt of stS's pool to it.
func addValidator(ctx context.Context, t *testing.T, n *stsNet, acct devkeys.Account) *big.Int {
	t.Helper()
	sfcArt, err := contracts.Load("SFC")
	if err != nil {
		t.Fatal(err)
	}
	pub := append([]byte{0xc0, 0x04}, make([]byte, 64)...)
	copy(pub[2:], acct.Address.Bytes())
	data, err := sfcArt.ABI.Pack("createValidator", pub)
	if err != nil {
		t.Fatal(err)
	}
	s, err := devtx.NewSender(ctx, n.Client, acct.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	sfc := n.addrs[sts.RoleSFC]
	if _, err := s.Send(ctx, &sfc, coins(1000), data); err != nil {
		t.Fatal(err)
	}
	id, err := devtx.CallBig(ctx, n.Client, &sfcArt.ABI, sfc, "getValidatorID", acct.Address)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func operatorDelegate(ctx context.Context, t *testing.T, n *stsNet, validator, amt *big.Int) {
	t.Helper()
	a, err := contracts.Load("SonicStaking")
	if err != nil {
		t.Fatal(err)
	}
	data, err := a.ABI.Pack("delegate", validator, amt)
	if err != nil {
		t.Fatal(err)
	}
	to := n.addrs[sts.RoleSTS]
	if _, err := n.Oracle.Send(ctx, &to, new(big.Int), data); err != nil {
		t.Fatal(err)
	}
}

func stakeOn(ctx context.Context, t *testing.T, n *stsNet, validator *big.Int) *big.Int {
	t.Helper()
	a, err := contracts.Load("SFC")
	if err != nil {
		t.Fatal(err)
	}
	v, err := devtx.CallBig(ctx, n.Client, &a.ABI, n.addrs[sts.RoleSFC], "getStake", n.addrs[sts.RoleSTS], validator)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// validatorChoice: the adapter undelegates from the validator that holds
// enough, splits over several with undelegateMany when none does alone,
// and honours or refuses --validator.
func validatorChoice(ctx context.Context, t *testing.T, n *stsNet, acct, valAcct devkeys.Account) {
	v2 := addValidator(ctx, t, n, valAcct)
	v1 := big.NewInt(stsmodel.ValidatorID)
	stake(ctx, t, n, acct, coins(8000))
	operatorDelegate(ctx, t, n, v2, coins(4000)) // the rest goes to validator 1 with the next step
	step(ctx, t, n)
	if got := stakeOn(ctx, t, n, v2); got.Cmp(coins(4000)) != 0 {
		t.Fatalf("validator %s holds %s of stS, want 4000 S", v2, got)
	}
	held1 := stakeOn(ctx, t, n, v1)
	split := new(big.Int).Add(held1, coins(100)) // more than validator 1 holds, less than both
	selUndelegate, selMany := "634b91e3", "2f3cd672"

	tests := []struct {
		name     string
		amount   *big.Int
		target   string
		wantSel  string
		wantVals []*big.Int
		wantErr  string
	}{
		{"fits the largest", coins(10), "", selUndelegate, []*big.Int{v1}, ""},
		{"--validator 2", coins(10), v2.String(), selUndelegate, []*big.Int{v2}, ""},
		{"none alone: split", split, "", selMany, []*big.Int{v1, v2}, ""},
		{"--validator 2 too small", coins(4500), v2.String(), "", nil, "less than"},
		{"--validator 9 does not exist", coins(1), "9", "", nil, "does not exist"},
		{"more than everything", coins(9000), "", "", nil, "unstake less"},
	}
	a := n.p.ABI()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, err := n.p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: tt.amount, Target: tt.target})
			if tt.wantErr != "" {
				var le *protocol.LimitError
				if !errors.As(err, &le) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Unstake = %v, want a LimitError with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(calls[0].Data[:4]); got != tt.wantSel {
				t.Fatalf("selector %s, want %s (%s)", got, tt.wantSel, calls[0].Description)
			}
			m, err := a.MethodById(calls[0].Data)
			if err != nil {
				t.Fatal(err)
			}
			args, err := m.Inputs.Unpack(calls[0].Data[4:])
			if err != nil {
				t.Fatal(err)
			}
			var vals, shares []*big.Int
			if tt.wantSel == selMany {
				vals, shares = args[0].([]*big.Int), args[1].([]*big.Int)
			} else {
				vals, shares = []*big.Int{args[0].(*big.Int)}, []*big.Int{args[1].(*big.Int)}
			}
			sum := new(big.Int)
			for _, s := range shares {
				sum.Add(sum, s)
			}
			if fmt.Sprint(vals) != fmt.Sprint(tt.wantVals) || sum.Cmp(tt.amount) != 0 {
				t.Errorf("validators %v shares %v (sum %s), want validators %v summing to %s", vals, shares, sum, tt.wantVals, tt.amount)
			}
		})
	}

	// Sent: the split makes one request per validator, each taken from it.
	_, ids := unstake(ctx, t, n, acct, split, "")
	if len(ids) != 2 {
		t.Fatalf("the split made requests %v, want 2", ids)
	}
	// What stays on validator 1 is the 0.1% margin (rateMarginBips).
	if got, margin := stakeOn(ctx, t, n, v1), new(big.Int).Div(held1, big.NewInt(500)); got.Cmp(margin) > 0 {
		t.Errorf("validator 1 still holds %s of stS's stake after the split, want at most %s (the margin)", got, margin)
	}
	ws, err := n.p.Withdrawals(ctx, acct.Address, ids)
	if err != nil {
		t.Fatal(err)
	}
	total := new(big.Int)
	for _, w := range ws {
		total.Add(total, w.Amount)
	}
	if diff := new(big.Int).Sub(total, split); diff.CmpAbs(big.NewInt(1e6)) > 0 {
		t.Errorf("the requests pay %s S wei, want about %s (rate ~1)", total, split)
	}
}

// slashed: a request whose validator is slashed is refused before signing,
// with what an emergency withdrawal would mean; the contract itself refuses
// withdraw(id, false) with SfcSlashMustBeAccepted.
func slashed(ctx context.Context, t *testing.T, n *stsNet, acct devkeys.Account) {
	v1 := big.NewInt(stsmodel.ValidatorID)
	stake(ctx, t, n, acct, coins(5))
	step(ctx, t, n)
	_, ids := unstake(ctx, t, n, acct, coins(2), v1.String())
	if err := n.finalize(acct.Address)(ctx); err != nil {
		t.Fatal(err)
	}
	calls, err := n.p.Claim(ctx, acct.Address, ids)
	if err != nil {
		t.Fatal(err)
	}
	assertNotEmergency(t, n.p.ABI(), calls)

	// Slash validator 1 (double-sign), as the node driver would.
	sfcArt, err := contracts.Load("SFC")
	if err != nil {
		t.Fatal(err)
	}
	data, err := sfcArt.ABI.Pack("deactivateValidator", v1, big.NewInt(128))
	if err != nil {
		t.Fatal(err)
	}
	sfc := n.addrs[sts.RoleSFC]
	if _, err := n.Oracle.Send(ctx, &sfc, new(big.Int), data); err != nil {
		t.Fatal(err)
	}
	_, err = protocol.RunChecks(ctx, n.Client, calls)
	var le *protocol.LimitError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "emergency") || !strings.Contains(err.Error(), "never") {
		t.Fatalf("claim from a slashed validator: checks = %v, want a LimitError explaining emergency withdrawals", err)
	}
	to := n.addrs[sts.RoleSTS]
	_, err = n.Client.CallContract(ctx, ethereum.CallMsg{From: acct.Address, To: &to, Data: calls[0].Data}, nil)
	r, ok := abidecode.FromError(err, n.p.ABI())
	if !ok || r.Name != "SfcSlashMustBeAccepted" {
		t.Fatalf("withdraw(id, false) from a slashed validator: %v (%+v), want SfcSlashMustBeAccepted", err, r)
	}
	if h := abidecode.Hint(r, n.p.RevertHints()); !strings.Contains(h, "never") {
		t.Errorf("hint %q", h)
	}
	// And a new unstake avoids the slashed validator.
	if _, err := n.p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(1), Target: v1.String()}); err == nil || !errors.As(err, &le) {
		t.Errorf("Unstake naming the slashed validator = %v, want a LimitError", err)
	}
}

// roundTrips: counted JSON-RPC round trips of each adapter entry point.
func roundTrips(ctx context.Context, t *testing.T, n *stsNet, acct devkeys.Account) {
	stake(ctx, t, n, acct, coins(20))
	step(ctx, t, n)
	var ids []protocol.RequestID
	for range 5 {
		_, got := unstake(ctx, t, n, acct, coins(1), "")
		ids = append(ids, got...)
	}
	b := n.backend
	tests := []struct {
		name string
		max  int
		f    func() error
	}{
		{"Stake", 0, func() error {
			_, err := n.p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(1)})
			return err
		}},
		{"Unstake", 1, func() error {
			_, err := n.p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(1)})
			return err
		}},
		{"Unstake on a node without Multicall3", 2, func() error {
			p, err := sts.New(protocol.Env{Network: "devnet-sonic", Addresses: n.addrs, Backend: noMulticall3{b}, Native: nativeS})
			if err != nil {
				return err
			}
			calls, err := p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(1)})
			if err == nil && hex.EncodeToString(calls[0].Data[:4]) != "634b91e3" {
				err = fmt.Errorf("calls %x, want undelegate", calls[0].Data)
			}
			return err
		}},
		{"Withdrawals of the owner (5 requests)", 2, func() error {
			ws, err := n.p.Withdrawals(ctx, acct.Address, nil)
			if err == nil && len(ws) != 5 {
				err = fmt.Errorf("%d withdrawals, want 5", len(ws))
			}
			return err
		}},
		{"Withdrawals of the owner on a node without Multicall3", 3, func() error {
			p, err := sts.New(protocol.Env{Network: "devnet-sonic", Addresses: n.addrs, Backend: noMulticall3{b}, Native: nativeS})
			if err != nil {
				return err
			}
			ws, err := p.(protocol.Requests).Withdrawals(ctx, acct.Address, nil)
			if err == nil && len(ws) != 5 {
				err = fmt.Errorf("%d withdrawals, want 5", len(ws))
			}
			return err
		}},
		{"Withdrawals by id (5)", 1, func() error {
			_, err := n.p.Withdrawals(ctx, acct.Address, ids)
			return err
		}},
		{"Claim by id (pending: refused)", 1, func() error {
			_, err := n.p.Claim(ctx, acct.Address, ids)
			var le *protocol.LimitError
			if errors.As(err, &le) {
				return nil
			}
			return fmt.Errorf("want a LimitError, got %v", err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			got := devnettest.Trips(b, func() { err = tt.f() })
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d round trips", tt.name, got)
			if got > tt.max {
				t.Errorf("%s made %d round trips, want at most %d", tt.name, got, tt.max)
			}
		})
	}
	if err := n.finalize(acct.Address)(ctx); err != nil {
		t.Fatal(err)
	}
	calls, err := n.p.Claim(ctx, acct.Address, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || hex.EncodeToString(calls[0].Data[:4]) != "ac697e3f" {
		t.Fatalf("claim of 5: %d calls, want one withdrawMany", len(calls))
	}
	assertNotEmergency(t, n.p.ABI(), calls)
	before, err := n.Client.BalanceAt(ctx, acct.Address, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs := n.send(ctx, t, acct, calls)
	after, err := n.Client.BalanceAt(ctx, acct.Address, nil)
	if err != nil {
		t.Fatal(err)
	}
	gained := new(big.Int).Sub(after, before)
	gained.Add(gained, protocoltest.Fees(rs))
	if gained.Cmp(calls[0].Amount) != 0 {
		t.Errorf("withdrawMany paid %s, the call said %s", gained, calls[0].Amount)
	}
}

// rewardsMoveRate: with an APR the stepper claims SFC rewards into the
// pool and getRate rises.
func rewardsMoveRate(ctx context.Context, t *testing.T, n *stsNet) {
	st, err := stsmodel.Model.NewStepper(ctx, model.StepEnv{
		Sender: n.Oracle, Addresses: n.addrs, BondingPeriod: bondingPeriod, APR: 5000, WallClock: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	rate := func() *big.Int {
		msg, decode := n.p.RateCall()
		ret, err := n.Client.CallContract(ctx, msg, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := decode(ret)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := rate()
	deadline := time.Now().Add(20 * time.Second)
	for rate().Cmp(before) <= 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the rate stayed %s", before)
		}
		if err := st.Step(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
	}
	t.Logf("rate %s → %s", before, rate())
}

// paused: each pause switch of stS refuses the matching call through its
// Check, before anything is signed; unpaused, the same calls pass.
func paused(ctx context.Context, t *testing.T, n *stsNet, acct devkeys.Account) {
	stake(ctx, t, n, acct, coins(5))
	step(ctx, t, n)
	_, ids := unstake(ctx, t, n, acct, coins(1), "")
	if err := n.finalize(acct.Address)(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := contracts.Load("SonicStaking")
	if err != nil {
		t.Fatal(err)
	}
	setPaused := func(setter string, v bool) {
		t.Helper()
		data, err := a.ABI.Pack(setter, v)
		if err != nil {
			t.Fatal(err)
		}
		to := n.addrs[sts.RoleSTS]
		if _, err := n.Oracle.Send(ctx, &to, new(big.Int), data); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		setter string
		calls  func() ([]protocol.Call, error)
		want   string
	}{
		{"setDepositPaused", func() ([]protocol.Call, error) {
			return n.p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: coins(1)})
		}, "paused stS deposits"},
		{"setUndelegatePaused", func() ([]protocol.Call, error) {
			return n.p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(1)})
		}, "paused stS undelegations"},
		{"setWithdrawPaused", func() ([]protocol.Call, error) { return n.p.Claim(ctx, acct.Address, ids) }, "paused stS withdrawals"},
	}
	for _, tt := range tests {
		t.Run(tt.setter, func(t *testing.T) {
			calls, err := tt.calls()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := protocol.RunChecks(ctx, n.Client, calls); err != nil {
				t.Fatalf("unpaused: %v", err)
			}
			setPaused(tt.setter, true)
			defer setPaused(tt.setter, false)
			_, err = protocol.RunChecks(ctx, n.Client, calls)
			var le *protocol.LimitError
			if !errors.As(err, &le) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("paused: checks = %v, want a LimitError with %q", err, tt.want)
			}
		})
	}
	// An unstake of more stS than the account holds is refused by its check.
	calls, err := n.p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: coins(100)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = protocol.RunChecks(ctx, n.Client, calls)
	var le *protocol.LimitError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "insufficient stS balance") {
		t.Errorf("unstake beyond the balance: checks = %v", err)
	}
}

// oracleSend sends method(args) of the model contract name at to from the
// devnet's oracle (the SFC's driver and the ConstantsManager's owner).
func oracleSend(ctx context.Context, t *testing.T, n *stsNet, name string, to common.Address, method string, args ...any) {
	t.Helper()
	a, err := contracts.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	data, err := a.ABI.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Oracle.Send(ctx, &to, new(big.Int), data); err != nil {
		t.Fatalf("%s.%s: %v", name, method, err)
	}
}

// sfcEpochs: a validator request whose stS delay has passed is still
// pending while the SFC would refuse stS's own request for want of sealed
// epochs (withdrawalPeriodEpochs): Withdrawals says pending with the ETA
// of the epoch rule, the Estimator says why, Claim refuses before signing
// (the contract itself reverts NotEnoughEpochsPassed), and once the epochs
// are sealed the request is claimable and the claim pays.
func sfcEpochs(ctx context.Context, t *testing.T, n *stsNet, acct devkeys.Account) {
	const periodEpochs = 3
	sfcArt, err := contracts.Load("SFC")
	if err != nil {
		t.Fatal(err)
	}
	sfc := n.addrs[sts.RoleSFC]
	consts, err := devtx.Call(ctx, n.Client, &sfcArt.ABI, sfc, "constsAddress")
	if err != nil {
		t.Fatal(err)
	}
	constsAddr, ok := consts[0].(common.Address)
	if !ok {
		t.Fatalf("constsAddress = %v", consts)
	}
	oracleSend(ctx, t, n, "ConstantsManager", constsAddr, "updateWithdrawalPeriodEpochs", big.NewInt(periodEpochs))
	defer oracleSend(ctx, t, n, "ConstantsManager", constsAddr, "updateWithdrawalPeriodEpochs", new(big.Int))
	var none []*big.Int
	seal := func() {
		t.Helper()
		oracleSend(ctx, t, n, "SFC", sfc, "sealEpoch", none, none, none, none)
	}
	// Two sealed epochs give the cadence the ETA needs.
	seal()
	time.Sleep(1100 * time.Millisecond)
	seal()

	stake(ctx, t, n, acct, coins(3))
	step(ctx, t, n)
	_, ids := unstake(ctx, t, n, acct, coins(1), fmt.Sprint(stsmodel.ValidatorID))
	if len(ids) != 1 {
		t.Fatalf("unstake made %d requests, want 1", len(ids))
	}
	ws, err := n.p.Withdrawals(ctx, acct.Address, ids)
	if err != nil || len(ws) != 1 || ws[0].ClaimableAt == nil {
		t.Fatalf("Withdrawals = %+v, %v; want one request with its stS delay", ws, err)
	}
	seal() // one epoch of the three: still short
	// Past stS's delay (and the SFC's time), by a block with that time.
	for {
		h, err := n.Client.HeaderByNumber(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !time.Unix(int64(h.Time), 0).Before(*ws[0].ClaimableAt) {
			break
		}
		time.Sleep(500 * time.Millisecond)
		to := acct.Address
		if _, err := n.Oracle.Send(ctx, &to, new(big.Int), nil); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name      string
		claimable bool
	}{
		{"epochs not sealed", false},
		{"epochs sealed", true},
	}
	for _, tt := range tests {
		if tt.claimable {
			seal()
			seal()
		}
		ws, err := n.p.Withdrawals(ctx, acct.Address, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(ws) != 1 {
			t.Fatalf("%s: %d withdrawals, want 1", tt.name, len(ws))
		}
		w := ws[0]
		h, err := n.Client.HeaderByNumber(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		calls, claimErr := n.p.Claim(ctx, acct.Address, ids)
		if !tt.claimable {
			if w.Status != protocol.StatusPending || w.Claimable != nil {
				t.Fatalf("%s: status %s, claimable %v, want pending", tt.name, w.Status, w.Claimable)
			}
			if w.ETA == nil || w.ETA.Before(time.Unix(int64(h.Time), 0)) {
				t.Errorf("%s: ETA %v, want not before the latest block (%d)", tt.name, w.ETA, h.Time)
			}
			est, err := n.p.Estimator().Estimate(ctx, ws)
			if err != nil {
				t.Fatal(err)
			}
			if e := est[w.ID]; !strings.Contains(e.Note, "epochs") || e.ETA == nil {
				t.Errorf("%s: estimate %+v, want an ETA with a note about the SFC's epochs", tt.name, e)
			}
			var le *protocol.LimitError
			if !errors.As(claimErr, &le) || !strings.Contains(claimErr.Error(), "sealed epochs") {
				t.Errorf("%s: Claim = %v, want a LimitError about sealed epochs", tt.name, claimErr)
			}
			// What the claim would do: the SFC refuses stS's withdraw.
			data, err := n.p.ABI().Pack("withdraw", new(big.Int).SetUint64(mustID(t, ids[0])), false)
			if err != nil {
				t.Fatal(err)
			}
			to := n.addrs[sts.RoleSTS]
			_, err = n.Client.CallContract(ctx, ethereum.CallMsg{From: acct.Address, To: &to, Data: data}, nil)
			if r, ok := abidecode.FromError(err, n.p.ABI()); !ok || r.Name != "NotEnoughEpochsPassed" {
				t.Errorf("%s: withdraw simulation: %v (%+v), want NotEnoughEpochsPassed", tt.name, err, r)
			}
			continue
		}
		if w.Status != protocol.StatusClaimable || w.Claimable == nil || w.Claimable.Cmp(w.Amount) != 0 {
			t.Fatalf("%s: status %s, claimable %v of %s, want claimable in full", tt.name, w.Status, w.Claimable, w.Amount)
		}
		if claimErr != nil {
			t.Fatalf("%s: Claim: %v", tt.name, claimErr)
		}
		for _, r := range n.send(ctx, t, acct, calls) {
			if r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("%s: claim reverted", tt.name)
			}
		}
	}
}

func mustID(t *testing.T, id protocol.RequestID) uint64 {
	t.Helper()
	var v uint64
	if _, err := fmt.Sscan(string(id), &v); err != nil {
		t.Fatalf("request id %q: %v", id, err)
	}
	return v
}
