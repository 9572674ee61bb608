package polygon_test

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
	polymodel "github.com/stakewallet/stakewallet/internal/devnet/models/polygon"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/polygon"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
)

func pol(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

var nativeETH = protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}

// bondingPeriod scales the model to a one-checkpoint withdrawal delay.
const bondingPeriod = 3 * time.Second

// net is an in-process devnet chain with the Polygon model in its genesis,
// its stepper driven by hand; adapters are bound to the wallet's client
// through backend, which counts their round trips.
type net struct {
	*devnettest.Net
	backend *protocoltest.Counter
	stepper *polymodel.Stepper
}

func startNet(ctx context.Context, t *testing.T) *net {
	t.Helper()
	dn := devnettest.Start(ctx, t, "devnet")
	st := dn.Stepper(ctx, t, polymodel.Model, model.StepEnv{
		Addresses: polygon.Deployments["devnet"], BondingPeriod: bondingPeriod, APR: 5, WallClock: true,
	})
	return &net{Net: dn, backend: protocoltest.NewCounter(dn.Wallet), stepper: st.(*polymodel.Stepper)}
}

// adapter binds a fresh adapter (its own ValidatorShare cache).
func (n *net) adapter(t *testing.T) *polygon.Polygon {
	t.Helper()
	p, err := polygon.New(protocol.Env{Network: "devnet", Addresses: polygon.Deployments["devnet"], Backend: n.backend, Native: nativeETH})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*polygon.Polygon)
}

// finalize seals checkpoints until no request of owner is pending.
func (n *net) finalize(p *polygon.Polygon, owner common.Address) func(ctx context.Context) error {
	return devnettest.FinalizeBy(n.stepper.Checkpoint, p, owner, 0)
}

// send judges the calls' Checks and Conditions (as the wallet does) and
// sends the needed ones.
func (n *net) send(ctx context.Context, t *testing.T, p protocol.Protocol, acct devkeys.Account, calls []protocol.Call) ([]protocol.Call, []*types.Receipt) {
	t.Helper()
	return n.Send(ctx, t, p, acct.PrivateKey, calls)
}

// TestContract runs the protocol contract suite against the Polygon model
// on an in-process devnet chain, then what only Polygon has.
func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	n := startNet(ctx, t)
	owner := n.Accounts[4]
	p := n.adapter(t)
	protocoltest.Run(t, protocoltest.Harness{
		Protocol: p,
		Native:   nativeETH,
		Chain:    n.Client,
		Key:      owner.PrivateKey,
		Stake:    pol(100),
		Target:   "1",
		Finalize: n.finalize(p, owner.Address),
		Events: map[string][]string{
			"approve": {"Approval"},
			"stake":   {"ShareMinted", "Transfer"},
			"unstake": {"ShareBurnedWithId", "Transfer"},
			"claim":   {"DelegatorUnstakeWithId", "Transfer"},
		},
		// The suite replays its claim: the unbond is deleted.
		WantRevert: "Incomplete withdrawal period",
		// Stake reads the ValidatorShare's address (once per adapter: the
		// target of the buy), Unstake its exchange rate (the amounts of
		// the sell); every rule is a Check or Condition.
		Reads:        n.backend.Reads,
		StakeReads:   1,
		UnstakeReads: 1,
	})
	t.Run("validators", func(t *testing.T) { validators(ctx, t, n) })
	t.Run("approve only when needed", func(t *testing.T) { approveCondition(ctx, t, n, n.Accounts[5]) })
	t.Run("stake limits", func(t *testing.T) { stakeLimits(ctx, t, n, n.Accounts[6]) })
	t.Run("claim before the delay", func(t *testing.T) { claimEarly(ctx, t, n, n.Accounts[7]) })
	t.Run("rewards", func(t *testing.T) { rewards(ctx, t, n, n.Accounts[8]) })
	t.Run("round trips", func(t *testing.T) { roundTrips(ctx, t, n, n.Accounts[4]) })
	t.Run("buy without approve", func(t *testing.T) { buyWithoutApprove(ctx, t, n, n.Accounts[9]) })
	t.Run("model ABI", modelABI)
}

// roundTrips: what building each plan reads on a fresh adapter, and again
// once the ValidatorShare's address is known.
func roundTrips(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	p := n.adapter(t)
	share := polygon.ShareToken(1, polygon.DevnetValidatorShare(1))
	for _, tc := range []struct {
		name  string
		want  int
		build func() error
	}{
		{"stake, fresh (getValidatorContract)", 1, func() error {
			_, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: pol(1), Target: "1"})
			return err
		}},
		{"stake again", 0, func() error {
			_, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: pol(1), Target: "1"})
			return err
		}},
		{"unstake (exchangeRate)", 1, func() error {
			_, err := p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: pol(1), Token: share, Target: "1"})
			return err
		}},
		{"claim (ValidatorShare known)", 0, func() error {
			_, err := p.Claim(ctx, acct.Address, []protocol.RequestID{"1/1"})
			return err
		}},
		{"withdrawals of an account without unbonds, fresh (the lens)", 1, func() error {
			_, err := n.adapter(t).Withdrawals(ctx, n.Accounts[3].Address, nil)
			return err
		}},
		{"withdrawals of an account without unbonds, fresh, no lens (validators, nonces)", 2, func() error {
			_, err := n.plainAdapter(t).Withdrawals(ctx, n.Accounts[3].Address, nil)
			return err
		}},
	} {
		var err error
		if got := devnettest.Trips(n.backend, func() { err = tc.build() }); err != nil || got != tc.want {
			t.Errorf("%s: %d round trips (%v), want %d", tc.name, got, err, tc.want)
		}
	}
}

// validators: the genesis validators with statuses, commissions, stakes and
// share tokens, in one round trip.
func validators(ctx context.Context, t *testing.T, n *net) {
	p := n.adapter(t)
	var vs []protocol.Validator
	var err error
	trips := devnettest.Trips(n.backend, func() { vs, err = p.Validators(ctx) })
	if err != nil {
		t.Fatal(err)
	}
	if trips != 1 {
		t.Errorf("Validators took %d round trips, want 1", trips)
	}
	if len(vs) != len(polymodel.Validators) {
		t.Fatalf("%d validators, want %d", len(vs), len(polymodel.Validators))
	}
	for i, v := range vs {
		m := polymodel.Validators[i]
		status := "active"
		if m.Locked {
			status = "jailed"
		}
		if v.ID != fmt.Sprint(i+1) || v.Commission != fmt.Sprint(m.Commission) || v.Status != status {
			t.Errorf("validator %d = %+v, want id %d commission %d %s", i, v, i+1, m.Commission, status)
		}
		if v.TotalStake == nil || v.TotalStake.Cmp(pol(m.SelfStake)) < 0 {
			t.Errorf("validator %d: stake %v, want at least its self-stake %s", i+1, v.TotalStake, pol(m.SelfStake))
		}
		c := v.Credit
		if c == nil || c.Address != polygon.DevnetValidatorShare(i+1) || c.Symbol != fmt.Sprintf("dPOL0x%02x", i+1) || c.Role != protocol.RoleCredit || !c.NotTransferable {
			t.Errorf("validator %d credit %+v", i+1, c)
		}
	}
}

// approveCondition: the approve is sent only when the allowance is short:
// a first stake is approve + buy, a stake covered by an earlier, larger
// approve is the buy alone.
func approveCondition(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	p := n.adapter(t)
	for _, tc := range []struct {
		name      string
		approve   *big.Int // sent before the stake; nil for none
		want      []string
		allowance *big.Int // left after the stake
	}{
		{"no allowance", nil, []string{"approve", "stake"}, new(big.Int)},
		{"allowance covers it", pol(50), []string{"stake"}, pol(40)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.approve != nil {
				data, err := erc20.ABI.Pack("approve", polygon.DevnetStakeManager, tc.approve)
				if err != nil {
					t.Fatal(err)
				}
				n.send(ctx, t, p, acct, []protocol.Call{{Action: "approve", Description: "approve", To: polygon.DevnetPOL, Data: data}})
			}
			calls, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: pol(10), Target: "2"})
			if err != nil {
				t.Fatal(err)
			}
			kept, rs := n.send(ctx, t, p, acct, calls)
			var got []string
			for _, c := range kept {
				got = append(got, c.Action)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("calls sent %v, want %v", got, tc.want)
			}
			if len(rs) != len(tc.want) {
				t.Errorf("%d transactions, want %d", len(rs), len(tc.want))
			}
			left, err := devtx.CallBig(ctx, n.Client, erc20.ABI, polygon.DevnetPOL, "allowance", acct.Address, polygon.DevnetStakeManager)
			if err != nil {
				t.Fatal(err)
			}
			if left.Cmp(tc.allowance) != 0 {
				t.Errorf("allowance left %s, want %s", left, tc.allowance)
			}
		})
	}
}

// stakeLimits: a jailed, unknown or malformed validator and a stake above
// the account's POL are refused before anything is signed.
func stakeLimits(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	p := n.adapter(t)
	for _, tc := range []struct {
		name, target string
		amount       *big.Int
		want         string
	}{
		{"jailed validator", "3", pol(1), "jailed"},
		{"unknown validator", "9", pol(1), "no validator 9"},
		{"not a number", "0xabc", pol(1), "numeric id"},
		{"more POL than held", "1", new(big.Int).Add(polymodel.TestAccountPOL, big.NewInt(1)), "less than the"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: tc.amount, Target: tc.target})
			if err == nil {
				_, err = protocol.RunChecks(ctx, n.Client, calls)
			}
			var le *protocol.LimitError
			if !errors.As(err, &le) || !strings.Contains(le.Reason, tc.want) {
				t.Errorf("err = %v, want a LimitError saying %q", err, tc.want)
			}
		})
	}
}

// claimEarly: a claim before the withdrawal delay is refused with the epoch
// the unbond becomes claimable at; requests list and claim in few round
// trips.
func claimEarly(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	p := n.adapter(t)
	calls, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: pol(20), Target: "1"})
	if err != nil {
		t.Fatal(err)
	}
	n.send(ctx, t, p, acct, calls)
	calls, err = p.Unstake(ctx, protocol.UnstakeRequest{Owner: acct.Address, Amount: pol(5), Token: p.Tokens()[0], Target: "1"})
	if err != nil {
		t.Fatal(err)
	}
	_, rs := n.send(ctx, t, p, acct, calls)
	ids := p.RequestIDs(rs[0])
	if len(ids) != 1 || ids[0] != "1/1" {
		t.Fatalf("request ids %v, want [1/1]", ids)
	}
	epoch, err := devtx.CallBig(ctx, n.Client, mustABI(t, polymodel.NameStakeManager), polygon.DevnetStakeManager, "epoch")
	if err != nil {
		t.Fatal(err)
	}
	delay, err := devtx.CallBig(ctx, n.Client, mustABI(t, polymodel.NameStakeManager), polygon.DevnetStakeManager, "withdrawalDelay")
	if err != nil {
		t.Fatal(err)
	}
	fresh := n.adapter(t)
	var claim []protocol.Call
	trips := devnettest.Trips(n.backend, func() { claim, err = fresh.Claim(ctx, acct.Address, ids) })
	if err != nil {
		t.Fatal(err)
	}
	if trips != 1 {
		t.Errorf("Claim took %d round trips (the ValidatorShare address), want 1", trips)
	}
	_, err = protocol.RunChecks(ctx, n.Client, claim)
	var le *protocol.LimitError
	wantEpoch := fmt.Sprintf("claimable at epoch %s", new(big.Int).Add(epoch, delay))
	if !errors.As(err, &le) || !strings.Contains(le.Reason, wantEpoch) {
		t.Fatalf("early claim: %v, want a LimitError saying %q", err, wantEpoch)
	}
	var ws []protocol.Withdrawal
	// Through the lens one round trip each; without it (a node that runs
	// no creation code) the validators (read once), the nonces, the
	// unbonds, the lens riding with the first.
	plain := n.plainAdapter(t)
	for _, tc := range []struct {
		name string
		p    *polygon.Polygon
		ids  []protocol.RequestID
		want int
	}{
		{"Withdrawals", fresh, nil, 1},
		{"Withdrawals again", fresh, nil, 1},
		{"Withdrawals of ids", fresh, ids, 1},
		{"Withdrawals, no lens (validators, nonces, unbonds)", plain, nil, 3},
		{"Withdrawals again, no lens (validators cached)", plain, nil, 2},
		{"Withdrawals of ids, no lens", plain, ids, 2},
	} {
		trips = devnettest.Trips(n.backend, func() { ws, err = tc.p.Withdrawals(ctx, acct.Address, tc.ids) })
		if err != nil {
			t.Fatal(err)
		}
		if trips != tc.want {
			t.Errorf("%s took %d round trips, want %d", tc.name, trips, tc.want)
		}
	}
	if len(ws) != 1 || ws[0].Status != protocol.StatusPending || ws[0].Amount.Cmp(pol(5)) != 0 || ws[0].Token.Symbol != "POL" {
		t.Fatalf("withdrawals %+v, want one pending of 5 POL", ws)
	}
	t.Logf("early claim refused: %s", le.Reason)
}

// rewards: checkpoints pay the delegators of active validators at the
// APR; a buy pays the pending rewards out in POL.
func rewards(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	p := n.adapter(t)
	calls, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: pol(1000), Target: "1"})
	if err != nil {
		t.Fatal(err)
	}
	n.send(ctx, t, p, acct, calls)
	for range 2 {
		if err := n.stepper.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
	}
	shareABI := mustABI(t, polymodel.NameValidatorShare)
	liquid, err := devtx.CallBig(ctx, n.Client, shareABI, polygon.DevnetValidatorShare(1), "getLiquidRewards", acct.Address)
	if err != nil {
		t.Fatal(err)
	}
	if liquid.Sign() <= 0 {
		t.Fatalf("liquid rewards after two checkpoints: %s, want some", liquid)
	}
	t.Logf("liquid rewards after two checkpoints: %s wei POL", liquid)
}

// modelABI: the model contracts answer every selector the adapter calls
// with the same signature.
func modelABI(t *testing.T) {
	a, err := polygon.ABI()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, name := range []string{polymodel.NameStakeManager, polymodel.NameValidatorShare, polymodel.NameRootChain, polymodel.NamePOL} {
		for _, m := range mustABI(t, name).Methods {
			have[hex.EncodeToString(m.ID)] = true
		}
	}
	for _, m := range a.Methods {
		if m.Name == "migrateDelegation" || m.Name == "currentValidatorSetSize" || m.Name == "aggregate3" {
			continue
		}
		if !have[hex.EncodeToString(m.ID)] {
			t.Errorf("no model contract has %s", m.Sig)
		}
	}
}

func mustABI(t *testing.T, name string) *abi.ABI {
	t.Helper()
	a, err := contracts.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return &a.ABI
}

// buyWithoutApprove: the buy alone (no allowance) reverts in the POL token
// with OpenZeppelin 4.9's revert string, which the adapter decodes and
// explains.
func buyWithoutApprove(ctx context.Context, t *testing.T, n *net, acct devkeys.Account) {
	p := n.adapter(t)
	calls, err := p.Stake(ctx, protocol.StakeRequest{From: acct.Address, Amount: pol(1), Target: "1"})
	if err != nil {
		t.Fatal(err)
	}
	buy := calls[len(calls)-1]
	_, err = n.Client.CallContract(ctx, ethereum.CallMsg{From: acct.Address, To: &buy.To, Data: buy.Data}, nil)
	r, ok := abidecode.FromError(err, p.ABI())
	if !ok || r.Reason() != "ERC20: insufficient allowance" {
		t.Fatalf("buy without approve: %v (decoded %+v), want \"ERC20: insufficient allowance\"", err, r)
	}
	if hint := abidecode.Hint(r, p.RevertHints()); !strings.Contains(hint, "approve") {
		t.Errorf("hint %q does not say to approve", hint)
	}
}
