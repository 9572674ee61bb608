package rocketpool_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// fakeChain answers eth_calls from a table keyed by target and calldata,
// and records every call, to check the adapter's calldata byte for byte
// without a node. Anything not in the table fails the read.
type fakeChain struct {
	answers map[string][]byte
	// fallback, when set, answers what the table does not.
	fallback []byte
	calls    []ethereum.CallMsg
}

func key(to common.Address, data []byte) string { return to.Hex() + hexutil.Encode(data) }

func (f *fakeChain) CallContract(_ context.Context, msg ethereum.CallMsg, _ *big.Int) ([]byte, error) {
	f.calls = append(f.calls, msg)
	if out, ok := f.answers[key(*msg.To, msg.Data)]; ok {
		return out, nil
	}
	if f.fallback != nil {
		return f.fallback, nil
	}
	return nil, fmt.Errorf("fake chain: no answer for %s %x", msg.To.Hex(), msg.Data)
}

func (f *fakeChain) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errors.New("fake chain: no logs")
}

func (f *fakeChain) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errors.New("fake chain: no headers")
}

func word(v any) []byte {
	switch v := v.(type) {
	case common.Address:
		return common.LeftPadBytes(v.Bytes(), 32)
	case *big.Int:
		return common.LeftPadBytes(v.Bytes(), 32)
	case common.Hash:
		return v.Bytes()
	}
	panic(fmt.Sprintf("word(%T)", v))
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// The calldata of everything the adapter sends or reads, built here from
// the real selectors (staking-systems.md §1.2) and keys (§1.1), not from
// the adapter's ABI.
func TestCalldata(t *testing.T) {
	storage := common.HexToAddress("0x1d8f8f00cfa6758d7bE78336684788Fb0ee0Fa46")
	reth := common.HexToAddress("0xae78736Cd615f374D3085123A210448E74Fc6393")
	pool := common.HexToAddress("0xCE15294273CFb9D9b628F4D61636623decDF4fdC")
	settings := common.HexToAddress("0x227BE8dD01DF8ad9BED0178e4F8cEC2996C5c365")
	owner := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	getAddress := common.FromHex("0x21f8a721")
	getUint := common.FromHex("0xbd02d0f5")
	keyPool := common.HexToHash("0x65dd923ddfc8d8ae6088f80077201d2403cbd565f0ba25e09841e2799ec90bb2")
	keySettings := common.HexToHash("0x876d8a498b5341a6b5897a8239bfb0347e2b8d81fe9401d355c1e4b0ecebedaa")
	keyRETH := common.HexToHash("0xe3744443225bff7cc22028be036b80de58057d65a3fdca0a3df329f525e31ccc")
	// keccak256(abi.encodePacked(keccak256("dao.protocol.setting.deposit"), "deposit.fee")) and the
	// RocketNetworkBalances keys, as the contracts spell them.
	keyFee := crypto.Keccak256Hash(crypto.Keccak256([]byte("dao.protocol.setting.deposit")), []byte("deposit.fee"))
	keyTotal := crypto.Keccak256Hash([]byte("network.balance.total"))
	keySupply := crypto.Keccak256Hash([]byte("network.balance.reth.supply"))
	e18 := big.NewInt(1e18)
	amt := new(big.Int).Mul(big.NewInt(2), e18)

	f := &fakeChain{answers: map[string][]byte{
		key(storage, cat(getAddress, word(keyPool))):            word(pool),
		key(storage, cat(getAddress, word(keySettings))):        word(settings),
		key(storage, cat(getAddress, word(keyRETH))):            word(reth),
		key(storage, cat(getUint, word(keyFee))):                word(big.NewInt(5e14)),                       // 0.05%
		key(storage, cat(getUint, word(keyTotal))):              word(new(big.Int).Mul(big.NewInt(113), e18)), // 1.13 ETH per rETH
		key(storage, cat(getUint, word(keySupply))):             word(new(big.Int).Mul(big.NewInt(100), e18)),
		key(reth, cat(common.FromHex("0x8b32fa23"), word(amt))): word(new(big.Int).Mul(big.NewInt(226), big.NewInt(1e16))),
	}}
	p, err := rocketpool.New(protocol.Env{Network: "mainnet", Addresses: rocketpool.Deployments["mainnet"], Backend: f, Native: nativeETH})
	if err != nil {
		t.Fatal(err)
	}

	calls, err := p.Stake(t.Context(), protocol.StakeRequest{From: owner, Amount: amt})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 {
		t.Fatalf("%d stake calls", len(calls))
	}
	c := calls[0]
	if c.To != pool || !bytes.Equal(c.Data, common.FromHex("0xd0e30db0")) || c.Value.Cmp(amt) != 0 {
		t.Errorf("stake call to %s data %x value %s, want deposit() 0xd0e30db0 to the resolved pool %s with 2 ETH", c.To.Hex(), c.Data, c.Value, pool.Hex())
	}
	// fee 0.001 ETH; net 1.999 ETH × 100/113 = 1.769026548672566371 rETH
	if want := "Deposit 2 ETH into Rocket Pool for ~1.769026548672566371 rETH (deposit fee 0.001 ETH, 0.05%)"; c.Description != want {
		t.Errorf("description %q, want %q", c.Description, want)
	}
	wantChecks := []struct {
		to   common.Address
		data []byte
	}{
		{settings, common.FromHex("0x6ada7847")}, // getDepositEnabled()
		{settings, common.FromHex("0x035cf142")}, // getMinimumDeposit()
		{pool, common.FromHex("0x1eddb626")},     // getMaximumDepositAmount()
	}
	if len(c.Checks) != len(wantChecks) {
		t.Fatalf("%d stake checks, want %d", len(c.Checks), len(wantChecks))
	}
	for i, w := range wantChecks {
		if *c.Checks[i].Msg.To != w.to || !bytes.Equal(c.Checks[i].Msg.Data, w.data) {
			t.Errorf("stake check %d reads %s %x, want %s %x", i, c.Checks[i].Msg.To.Hex(), c.Checks[i].Msg.Data, w.to.Hex(), w.data)
		}
	}
	if len(f.calls) != 6 {
		t.Errorf("Stake made %d reads, want 6 (3 addresses, fee, total, supply)", len(f.calls))
	}

	calls, err = p.Unstake(t.Context(), protocol.UnstakeRequest{Owner: owner, Amount: amt, Token: p.Tokens()[0]})
	if err != nil {
		t.Fatal(err)
	}
	c = calls[0]
	if want := cat(common.FromHex("0x42966c68"), word(amt)); c.To != reth || !bytes.Equal(c.Data, want) || (c.Value != nil && c.Value.Sign() != 0) {
		t.Errorf("burn call to %s data %x, want %s %x", c.To.Hex(), c.Data, reth.Hex(), want)
	}
	if want := "Burn 2 rETH for 2.26 ETH from Rocket Pool, paid in this transaction"; c.Description != want {
		t.Errorf("description %q, want %q", c.Description, want)
	}
	if len(c.Checks) != 2 || *c.Checks[0].Msg.To != reth || !bytes.Equal(c.Checks[0].Msg.Data, cat(common.FromHex("0x70a08231"), word(owner))) ||
		*c.Checks[1].Msg.To != reth || !bytes.Equal(c.Checks[1].Msg.Data, common.FromHex("0xd6eb5910")) {
		t.Errorf("burn checks %+v, want balanceOf(owner) and getTotalCollateral() on rETH", c.Checks)
	}

	msg, _ := p.(protocol.Rater).RateCall()
	if *msg.To != reth || !bytes.Equal(msg.Data, common.FromHex("0xe6aa216c")) {
		t.Errorf("rate call %s %x, want getExchangeRate() 0xe6aa216c on rETH", msg.To.Hex(), msg.Data)
	}
}

// TestVerify: each Check judges its answer: pass, a LimitError naming the
// amounts, or ErrBadAnswer for bytes that do not decode.
func TestVerify(t *testing.T) {
	e18 := big.NewInt(1e18)
	ethv := func(s string) *big.Int {
		v, _ := new(big.Rat).SetString(s)
		v.Mul(v, new(big.Rat).SetInt(e18))
		return new(big.Int).Quo(v.Num(), v.Denom())
	}
	f := &fakeChain{answers: map[string][]byte{}}
	storage, reth := rocketpool.Deployments["mainnet"][rocketpool.RoleStorage], rocketpool.Deployments["mainnet"][rocketpool.RoleRETH]
	for k, v := range map[string]common.Address{
		"0x65dd923ddfc8d8ae6088f80077201d2403cbd565f0ba25e09841e2799ec90bb2": common.HexToAddress("0x01"),
		"0x876d8a498b5341a6b5897a8239bfb0347e2b8d81fe9401d355c1e4b0ecebedaa": common.HexToAddress("0x02"),
		"0xe3744443225bff7cc22028be036b80de58057d65a3fdca0a3df329f525e31ccc": reth,
	} {
		f.answers[key(storage, cat(common.FromHex("0x21f8a721"), common.FromHex(k)))] = word(v)
	}
	for _, k := range []common.Hash{
		crypto.Keccak256Hash(crypto.Keccak256([]byte("dao.protocol.setting.deposit")), []byte("deposit.fee")),
		crypto.Keccak256Hash([]byte("network.balance.total")),
		crypto.Keccak256Hash([]byte("network.balance.reth.supply")),
	} {
		f.answers[key(storage, cat(common.FromHex("0xbd02d0f5"), word(k)))] = word(new(big.Int))
	}
	amt := ethv("5")
	f.answers[key(reth, cat(common.FromHex("0x8b32fa23"), word(amt)))] = word(ethv("5.5"))
	p, err := rocketpool.New(protocol.Env{Network: "mainnet", Addresses: rocketpool.Deployments["mainnet"], Backend: f, Native: nativeETH})
	if err != nil {
		t.Fatal(err)
	}
	stake, err := p.Stake(t.Context(), protocol.StakeRequest{Amount: amt})
	if err != nil {
		t.Fatal(err)
	}
	burn, err := p.Unstake(t.Context(), protocol.UnstakeRequest{Amount: amt, Token: p.Tokens()[0]})
	if err != nil {
		t.Fatal(err)
	}
	yes, no := word(big.NewInt(1)), word(new(big.Int))
	tests := []struct {
		name  string
		check protocol.Check
		ret   []byte
		limit string // "" = passes
		bad   bool
	}{
		{"deposits enabled", stake[0].Checks[0], yes, "", false},
		{"deposits disabled", stake[0].Checks[0], no, "deposits are disabled", false},
		{"enabled: not a bool", stake[0].Checks[0], word(big.NewInt(2)), "", true},
		{"minimum met", stake[0].Checks[1], word(ethv("0.01")), "", false},
		{"below the minimum", stake[0].Checks[1], word(ethv("6")), "5 ETH is less than Rocket Pool's minimum deposit of 6 ETH", false},
		{"minimum: empty", stake[0].Checks[1], nil, "", true},
		{"room enough", stake[0].Checks[2], word(ethv("5")), "", false},
		{"room short", stake[0].Checks[2], word(ethv("4.5")), "takes right now, 4.5 ETH", false},
		{"pool full", stake[0].Checks[2], no, "deposit pool is full", false},
		{"balance enough", burn[0].Checks[0], word(amt), "", false},
		{"balance short", burn[0].Checks[0], word(ethv("1")), "you hold 1 rETH, less than the 5 rETH to burn", false},
		{"collateral enough", burn[0].Checks[1], word(ethv("5.5")), "", false},
		// 2.2 ETH available at 1.1 ETH per rETH: (2.2 ETH − 1 wei) × 5 / 5.5
		{"collateral short", burn[0].Checks[1], word(ethv("2.2")), "can pay only 2.2 ETH now (its rETH collateral: rETH's own ETH plus the deposit pool's excess), not the 5.5 ETH this burn needs; burn at most 1.999999999999999999 rETH", false},
		{"collateral: short answer", burn[0].Checks[1], []byte{1, 2, 3}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check.Verify(tt.ret)
			var le *protocol.LimitError
			switch {
			case tt.bad:
				if !errors.Is(err, protocol.ErrBadAnswer) {
					t.Errorf("got %v, want ErrBadAnswer", err)
				}
			case tt.limit == "":
				if err != nil {
					t.Errorf("got %v, want it to pass", err)
				}
			case !errors.As(err, &le) || !bytes.Contains([]byte(le.Reason), []byte(tt.limit)):
				t.Errorf("got %v, want a LimitError saying %q", err, tt.limit)
			}
		})
	}
}
