package sonic_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	sonicmodel "github.com/stakewallet/stakewallet/internal/devnet/models/sonic"
	"github.com/stakewallet/stakewallet/pkg/protocol/sonic"
)

func load(t *testing.T, name string) *abi.ABI {
	t.Helper()
	a, err := contracts.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return &a.ABI
}

// TestGenesisAndStepper: the devnet-sonic genesis holds validators 2–4
// with their self-stakes and statuses on the stS model's SFC; the stepper
// applies the withdrawal period once, sends nothing when nothing is due,
// and seals one epoch per interval.
func TestGenesisAndStepper(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	d, err := devnet.Start(ctx, devnet.Config{Chain: "devnet-sonic", DisableOracle: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c := d.Client()
	sfcABI, constsABI := load(t, "SFC"), load(t, "ConstantsManager")
	sfc := sonic.DevnetSFC
	big := func(method string, args ...any) *big.Int {
		t.Helper()
		v, err := devtx.CallBig(ctx, c, sfcABI, sfc, method, args...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, v := range []struct {
		id     int64
		status int64
	}{{sonicmodel.ValidatorActive, 0}, {sonicmodel.ValidatorSlashed, 128}, {sonicmodel.ValidatorOffline, 8}} {
		res, err := devtx.Call(ctx, c, sfcABI, sfc, "getValidator", bigInt(v.id))
		if err != nil {
			t.Fatal(err)
		}
		if got := res[0].(*bigT); got.Int64() != v.status {
			t.Errorf("validator %d status %s, want %d", v.id, got, v.status)
		}
		if got := res[2].(common.Address); got != sonicmodel.Auth(int(v.id)) {
			t.Errorf("validator %d auth %s, want %s", v.id, got.Hex(), sonicmodel.Auth(int(v.id)).Hex())
		}
		if got := big("getSelfStake", bigInt(v.id)); got.Cmp(sonicmodel.SelfStake()) != 0 {
			t.Errorf("validator %d self-stake %s, want %s", v.id, got, sonicmodel.SelfStake())
		}
	}
	if got := big("lastValidatorID"); got.Int64() != sonicmodel.ValidatorOffline {
		t.Errorf("lastValidatorID %s, want %d", got, sonicmodel.ValidatorOffline)
	}

	oracle, err := devtx.NewSender(ctx, c, d.Oracle().PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	nonce := func() uint64 {
		n, err := c.NonceAt(ctx, oracle.From(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const bonding = 4 * time.Second // an epoch every 4/(3+1) = 1 s
	env := model.StepEnv{Sender: oracle, Addresses: sonic.Deployments["devnet-sonic"], BondingPeriod: bonding, WallClock: true}
	n0 := nonce()
	st, err := sonicmodel.Model.NewStepper(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if got := nonce() - n0; got != 2 {
		t.Errorf("the first stepper sent %d transactions, want 2 (withdrawalPeriodEpochs, withdrawalPeriodTime)", got)
	}
	consts, err := devtx.CallAddress(ctx, c, sfcABI, sfc, "constsAddress")
	if err != nil {
		t.Fatal(err)
	}
	for method, want := range map[string]int64{"withdrawalPeriodEpochs": sonicmodel.WithdrawalPeriodEpochs, "withdrawalPeriodTime": 4} {
		if got, err := devtx.CallBig(ctx, c, constsABI, consts, method); err != nil || got.Int64() != want {
			t.Errorf("%s = %v, %v; want %d", method, got, err, want)
		}
	}
	n1 := nonce()
	if _, err := sonicmodel.Model.NewStepper(ctx, env); err != nil {
		t.Fatal(err)
	}
	if got := nonce() - n1; got != 0 {
		t.Errorf("a second stepper sent %d transactions, want 0 (the period is applied)", got)
	}
	// Nothing is due right after binding: nothing is sent.
	n2 := nonce()
	if err := st.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if got := nonce() - n2; got != 0 {
		t.Errorf("a step with nothing due sent %d transactions", got)
	}
	// A withdrawal request: steps seal epochs (one per interval) until it
	// has the period's epochs, then send nothing again.
	acct := d.Accounts()[5]
	user, err := devtx.NewSender(ctx, c, acct.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range []struct {
		value  *bigT
		method string
		args   []any
	}{
		{new(bigT).Mul(bigInt(10), bigInt(1e18)), "delegate", []any{bigInt(sonicmodel.ValidatorActive)}},
		{nil, "undelegate", []any{bigInt(sonicmodel.ValidatorActive), bigInt(0), bigInt(1e18)}},
	} {
		data, err := sfcABI.Pack(call.method, call.args...)
		if err != nil {
			t.Fatal(err)
		}
		if call.value == nil {
			call.value = new(bigT)
		}
		if _, err := user.Send(ctx, &sfc, call.value, data); err != nil {
			t.Fatalf("%s: %v", call.method, err)
		}
	}
	res, err := devtx.Call(ctx, c, sfcABI, sfc, "getWithdrawalRequest", acct.Address, bigInt(sonicmodel.ValidatorActive), bigInt(0))
	if err != nil {
		t.Fatal(err)
	}
	need := new(bigT).Add(res[0].(*bigT), bigInt(sonicmodel.WithdrawalPeriodEpochs))
	seals := 0
	for range 20 {
		before := big("currentSealedEpoch")
		if err := st.Step(ctx); err != nil {
			t.Fatal(err)
		}
		if after := big("currentSealedEpoch"); after.Cmp(before) != 0 {
			seals++
			if after.Cmp(new(bigT).Add(before, bigInt(1))) != 0 {
				t.Fatalf("a step sealed %s → %s, want one epoch", before, after)
			}
			if end := big("epochEndTime", after); end.Sign() == 0 {
				t.Errorf("epochEndTime(%s) = 0, want the sealing block's time", after)
			}
		}
		if big("currentEpoch").Cmp(need) >= 0 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if got := big("currentEpoch"); got.Cmp(need) < 0 || seals != sonicmodel.WithdrawalPeriodEpochs {
		t.Fatalf("current epoch %s after %d seals, want %s after %d", got, seals, need, sonicmodel.WithdrawalPeriodEpochs)
	}
	time.Sleep(1100 * time.Millisecond)
	n3 := nonce()
	if err := st.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if got := nonce() - n3; got != 0 {
		t.Errorf("a step after the request has its epochs sent %d transactions", got)
	}
}

type bigT = big.Int

func bigInt(v int64) *bigT { return new(bigT).SetInt64(v) }
