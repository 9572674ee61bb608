package rocketpool_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// FuzzVerify feeds arbitrary answers (a lying or broken node) to every
// Check and to the rate decoder: none may panic, and each either passes,
// refuses with a LimitError, or says ErrBadAnswer.
func FuzzVerify(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, 32))
	f.Add(append(make([]byte, 31), 1))
	f.Add(append(make([]byte, 31), 2))
	f.Add(make([]byte, 64))
	f.Add([]byte{0xff})
	e18 := big.NewInt(1e18)
	fc := &fakeChain{answers: map[string][]byte{}}
	storage, reth := rocketpool.Deployments["mainnet"][rocketpool.RoleStorage], rocketpool.Deployments["mainnet"][rocketpool.RoleRETH]
	for _, name := range []string{rocketpool.NameDepositPool, rocketpool.NameSettingsDeposit, rocketpool.NameTokenRETH} {
		addr := common.HexToAddress("0x01")
		if name == rocketpool.NameTokenRETH {
			addr = reth
		}
		fc.answers[key(storage, cat(common.FromHex("0x21f8a721"), word(common.Hash(rocketpool.ContractKey(name)))))] = word(addr)
	}
	p, err := rocketpool.New(protocol.Env{Network: "mainnet", Addresses: rocketpool.Deployments["mainnet"], Backend: fc, Native: nativeETH})
	if err != nil {
		f.Fatal(err)
	}
	// Answer the stake's storage reads and the burn's getEthValue with
	// zeros: only the Checks are fuzzed.
	rp := p.(*rocketpool.RocketPool)
	fc.fallback = word(new(big.Int))
	stake, err := rp.Stake(f.Context(), protocol.StakeRequest{Amount: e18})
	if err != nil {
		f.Fatal(err)
	}
	fc.fallback = word(e18)
	burn, err := rp.Unstake(f.Context(), protocol.UnstakeRequest{Amount: e18, Token: rp.Tokens()[0]})
	if err != nil {
		f.Fatal(err)
	}
	checks := append(append([]protocol.Check{}, stake[0].Checks...), burn[0].Checks...)
	_, decodeRate := rp.RateCall()
	f.Fuzz(func(t *testing.T, ret []byte) {
		for i, c := range checks {
			err := c.Verify(ret)
			var le *protocol.LimitError
			if err != nil && !errors.As(err, &le) && !errors.Is(err, protocol.ErrBadAnswer) {
				t.Errorf("check %d on %x: %v, want nil, a LimitError or ErrBadAnswer", i, ret, err)
			}
		}
		if v, err := decodeRate(ret); err != nil && !errors.Is(err, protocol.ErrBadAnswer) || err == nil && v == nil {
			t.Errorf("rate of %x: %v, %v", ret, v, err)
		}
	})
}
