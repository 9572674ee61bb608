package sts_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/deploy"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	sonicmodel "github.com/stakewallet/stakewallet/internal/devnet/models/sonic"
	stsmodel "github.com/stakewallet/stakewallet/internal/devnet/models/sts"
	"github.com/stakewallet/stakewallet/pkg/protocol/sts"
)

func coins(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

func load(t *testing.T, name string) *abi.ABI {
	t.Helper()
	a, err := contracts.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return &a.ABI
}

func callBig(ctx context.Context, t *testing.T, c *ethclient.Client, a *abi.ABI, to common.Address, method string, args ...any) *big.Int {
	t.Helper()
	v, err := devtx.CallBig(ctx, c, a, to, method, args...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGenesis: the devnet-sonic genesis holds the model at its fixed
// addresses (the SFC at Sonic's), wired as Deploy documents.
func TestGenesis(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	d, err := devnet.Start(ctx, devnet.Config{Chain: "devnet-sonic", DisableOracle: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c := d.Client()
	stsABI, sfcABI := load(t, stsmodel.NameSonicStaking), load(t, stsmodel.NameSFC)
	oracle := d.Oracle().Address
	tests := []struct {
		name string
		got  *big.Int
		want *big.Int
	}{
		{"getRate", callBig(ctx, t, c, stsABI, sts.DevnetSTS, "getRate"), coins(1)},
		{"totalDelegated", callBig(ctx, t, c, stsABI, sts.DevnetSTS, "totalDelegated"), stsmodel.BootstrapDeposit()},
		{"totalPool", callBig(ctx, t, c, stsABI, sts.DevnetSTS, "totalPool"), new(big.Int)},
		{"withdrawDelay (14 days until a stepper applies the bonding period)", callBig(ctx, t, c, stsABI, sts.DevnetSTS, "withdrawDelay"), big.NewInt(14 * 24 * 3600)},
		{"withdrawCounter", callBig(ctx, t, c, stsABI, sts.DevnetSTS, "withdrawCounter"), big.NewInt(100)},
		// Validator 1 is this model's; the sonic model adds 2..4 to the same SFC.
		{"SFC lastValidatorID", callBig(ctx, t, c, sfcABI, sts.DevnetSFC, "lastValidatorID"), big.NewInt(sonicmodel.ValidatorOffline)},
		{"SFC getStake(stS, 1)", callBig(ctx, t, c, sfcABI, sts.DevnetSFC, "getStake", sts.DevnetSTS, big.NewInt(1)), stsmodel.BootstrapDeposit()},
		{"SFC getSelfStake(1)", callBig(ctx, t, c, sfcABI, sts.DevnetSFC, "getSelfStake", big.NewInt(1)), stsmodel.SelfStake()},
		{"SFC getValidatorID(oracle)", callBig(ctx, t, c, sfcABI, sts.DevnetSFC, "getValidatorID", oracle), big.NewInt(1)},
		{"stS balance of the oracle (bootstrap)", callBig(ctx, t, c, stsABI, sts.DevnetSTS, "balanceOf", oracle), stsmodel.BootstrapDeposit()},
	}
	for _, tt := range tests {
		if tt.got.Cmp(tt.want) != 0 {
			t.Errorf("%s = %s, want %s", tt.name, tt.got, tt.want)
		}
	}
	for _, role := range []string{"OPERATOR_ROLE", "CLAIM_ROLE"} {
		res, err := devtx.Call(ctx, c, stsABI, sts.DevnetSTS, "hasRole", crypto.Keccak256Hash([]byte(role)), oracle)
		if err != nil || res[0] != true {
			t.Errorf("hasRole(%s, oracle) = %v, %v", role, res, err)
		}
	}
	if got, err := devtx.CallAddress(ctx, c, stsABI, sts.DevnetSTS, "SFC"); err != nil || got != sts.DevnetSFC {
		t.Errorf("stS.SFC() = %s, %v", got.Hex(), err)
	}
	if got, err := devtx.CallAddress(ctx, c, sfcABI, sts.DevnetSFC, "constsAddress"); err != nil || got != sts.DevnetConstantsManager {
		t.Errorf("SFC.constsAddress() = %s, %v", got.Hex(), err)
	}
}

// TestStepper: the bonding period is applied once through the real
// setters; a step with nothing to do sends nothing; a deposit is delegated;
// a request whose delay passed by the wall clock gets a block.
func TestStepper(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	d, err := devnet.Start(ctx, devnet.Config{DisableOracle: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c := d.Client()
	oracle, err := devtx.NewSender(ctx, c, d.Oracle().PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	deps, err := deploy.Models(ctx, oracle, oracle.From(), []model.Model{stsmodel.Model}, "S")
	if err != nil {
		t.Fatal(err)
	}
	addrs := deps["sts"]
	stS, sfc := addrs[sts.RoleSTS], addrs[sts.RoleSFC]
	stsABI, sfcABI, constsABI := load(t, stsmodel.NameSonicStaking), load(t, stsmodel.NameSFC), load(t, stsmodel.NameConstantsManager)
	nonce := func() uint64 {
		n, err := c.NonceAt(ctx, oracle.From(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const bonding = 2 * time.Second
	env := model.StepEnv{Sender: oracle, Addresses: addrs, BondingPeriod: bonding, WallClock: true}

	n0 := nonce()
	st, err := stsmodel.Model.NewStepper(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if got := nonce() - n0; got != 2 {
		t.Errorf("the first stepper sent %d transactions, want 2 (setWithdrawDelay, updateWithdrawalPeriodTime)", got)
	}
	consts, _ := devtx.CallAddress(ctx, c, sfcABI, sfc, "constsAddress")
	if got := callBig(ctx, t, c, stsABI, stS, "withdrawDelay"); got.Cmp(big.NewInt(2)) != 0 {
		t.Errorf("withdrawDelay = %s, want 2", got)
	}
	if got := callBig(ctx, t, c, constsABI, consts, "withdrawalPeriodTime"); got.Cmp(big.NewInt(2)) != 0 {
		t.Errorf("withdrawalPeriodTime = %s, want 2", got)
	}

	user := d.Accounts()[1]
	us, err := devtx.NewSender(ctx, c, user.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	send := func(value *big.Int, method string, args ...any) {
		t.Helper()
		data, err := stsABI.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := us.Send(ctx, &stS, value, data); err != nil {
			t.Fatal(err)
		}
	}

	// due is when withdraw id 101 becomes claimable.
	due := func() uint64 {
		res, err := devtx.Call(ctx, c, stsABI, stS, "getWithdrawRequest", big.NewInt(101))
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Kind             uint8
			ValidatorId      *big.Int //nolint:revive // ABI name
			AssetAmount      *big.Int
			IsWithdrawn      bool
			RequestTimestamp *big.Int
			User             common.Address
		}
		abi.ConvertType(res[0], &rec)
		return rec.RequestTimestamp.Uint64() + 2
	}
	var depositGas uint64
	// dueSends: one transaction when the latest block is older than the
	// request's due time, else none.
	const dueSends = ^uint64(0)
	steps := []struct {
		name   string
		before func()
		sends  uint64
		check  func()
	}{
		{"a second stepper applies nothing", func() {
			if _, err := stsmodel.Model.NewStepper(ctx, env); err != nil {
				t.Fatal(err)
			}
		}, 0, nil},
		{"nothing to do", nil, 0, nil},
		{"a deposit is delegated", func() { send(coins(7), "deposit") }, 1, func() {
			if got := callBig(ctx, t, c, stsABI, stS, "totalPool"); got.Cmp(stsmodel.PoolReserve) != 0 {
				t.Errorf("totalPool after the step = %s, want the reserve %s", got, stsmodel.PoolReserve)
			}
			want := new(big.Int).Add(stsmodel.BootstrapDeposit(), coins(7))
			if got := callBig(ctx, t, c, sfcABI, sfc, "getStake", stS, big.NewInt(1)); got.Cmp(want.Sub(want, stsmodel.PoolReserve)) != 0 {
				t.Errorf("stS's stake on validator 1 = %s", got)
			}
		}},
		{"nothing to do after the delegation", nil, 0, nil},
		{"a fresh request is not due", func() { send(nil, "undelegate", big.NewInt(1), coins(3)) }, 0, nil},
		{"a due request gets a block", func() {
			// Until the wall clock passes the delay (a burst of blocks
			// can put chain time ahead of it).
			for uint64(time.Now().Unix()) < due() {
				time.Sleep(200 * time.Millisecond)
			}
		}, dueSends, func() {
			head, err := c.HeaderByNumber(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if head.Time < due() {
				t.Errorf("latest block at %d, request due at %d", head.Time, due())
			}
		}},
		{"nothing to do once the block is there", nil, 0, nil},
		// A deposit estimated before the step that delegates the pool still
		// fits its estimate when mined after it (the pool's slot stays
		// non-zero; a zero→nonzero write would cost 17,100 gas more).
		{"a deposit estimated before a delegation fits its estimate", func() {
			send(coins(2), "deposit")
			data, err := stsABI.Pack("deposit")
			if err != nil {
				t.Fatal(err)
			}
			if depositGas, err = c.EstimateGas(ctx, ethereum.CallMsg{From: user.Address, To: &stS, Value: coins(1), Data: data}); err != nil {
				t.Fatal(err)
			}
		}, 1, func() {
			data, err := stsABI.Pack("deposit")
			if err != nil {
				t.Fatal(err)
			}
			r := sendExactGas(ctx, t, c, user.PrivateKey, stS, coins(1), data, depositGas)
			if r.Status != types.ReceiptStatusSuccessful {
				t.Errorf("deposit with its estimate (%d gas) made before the delegation reverted after it (used %d)", depositGas, r.GasUsed)
			}
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.before != nil {
				s.before()
			}
			n := nonce()
			want := s.sends
			if want == dueSends {
				// One block, unless one with the due time exists already.
				head, err := c.HeaderByNumber(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				want = 0
				if head.Time < due() {
					want = 1
				}
			}
			if err := st.Step(ctx); err != nil {
				t.Fatal(err)
			}
			if got := nonce() - n; got != want {
				t.Errorf("the step sent %d transactions, want %d", got, want)
			}
			if s.check != nil {
				s.check()
			}
		})
	}
}

// sendExactGas sends a transaction with exactly gas, as a wallet sends what
// it estimated, and waits for its receipt.
func sendExactGas(ctx context.Context, t *testing.T, c *ethclient.Client, key *ecdsa.PrivateKey, to common.Address, value *big.Int, data []byte, gas uint64) *types.Receipt {
	t.Helper()
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := c.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tip := big.NewInt(1e9)
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: &to, Value: value, Data: data,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	r, err := devtx.WaitReceipt(ctx, c, tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	return r
}
