package protocoltest

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The wallet's own client must be usable as the suite's chain, so an
// adapter can be run against a remote fork through it.
var _ Chain = (*chain.Client)(nil)

// fakeProtocol is just enough of a Protocol for Harness validation.
type fakeProtocol struct{ kind protocol.UnstakeKind }

func (fakeProtocol) Name() string                      { return "fake" }
func (fakeProtocol) DisplayName() string               { return "Fake" }
func (fakeProtocol) Tokens() protocol.Tokens           { return nil }
func (f fakeProtocol) Unstaking() protocol.UnstakeKind { return f.kind }
func (fakeProtocol) Targets() protocol.TargetRule      { return protocol.TargetNone }
func (fakeProtocol) ABI() *abi.ABI                     { return &abi.ABI{} }
func (fakeProtocol) Stake(context.Context, protocol.StakeRequest) ([]protocol.Call, error) {
	return nil, nil
}
func (fakeProtocol) Unstake(context.Context, protocol.UnstakeRequest) ([]protocol.Call, error) {
	return nil, nil
}

// fakeChain satisfies Chain; validation must not touch it.
type fakeChain struct{ Chain }

func TestHarnessValidate(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	eth := protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}
	finalize := func(context.Context) error { return nil }
	good := Harness{
		Protocol: fakeProtocol{protocol.UnstakeQueued}, Native: eth, Chain: fakeChain{}, Key: key,
		Stake: big.NewInt(1), Finalize: finalize,
	}
	tests := []struct {
		name    string
		edit    func(h *Harness)
		wantErr string
	}{
		{"complete", func(*Harness) {}, ""},
		{"instant needs no Finalize", func(h *Harness) { h.Protocol, h.Finalize = fakeProtocol{protocol.UnstakeInstant}, nil }, ""},
		{"no protocol", func(h *Harness) { h.Protocol = nil }, "Protocol is nil"},
		{"no chain", func(h *Harness) { h.Chain = nil }, "Chain is nil"},
		{"no key", func(h *Harness) { h.Key = nil }, "Key is nil"},
		{"no stake", func(h *Harness) { h.Stake = nil }, "Stake must be positive"},
		{"zero stake", func(h *Harness) { h.Stake = new(big.Int) }, "Stake must be positive"},
		{"zero unstake", func(h *Harness) { h.Unstake = new(big.Int) }, "Unstake must be positive"},
		{"no native coin", func(h *Harness) { h.Native = protocol.Token{} }, "Native must have"},
		{"requests need Finalize", func(h *Harness) { h.Protocol, h.Finalize = fakeProtocol{protocol.UnstakeCooldown}, nil }, "Finalize is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := good
			tt.edit(&h)
			err := h.validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("validate: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("validate: %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestFees(t *testing.T) {
	gwei := big.NewInt(1e9)
	tests := []struct {
		name string
		rs   []*types.Receipt
		want *big.Int
	}{
		{"none", nil, new(big.Int)},
		{"one", []*types.Receipt{{GasUsed: 21_000, EffectiveGasPrice: gwei}}, big.NewInt(21_000e9)},
		{"summed", []*types.Receipt{{GasUsed: 21_000, EffectiveGasPrice: gwei}, {GasUsed: 50_000, EffectiveGasPrice: big.NewInt(2e9)}}, big.NewInt(121_000e9)},
		{"nil receipt and price skipped", []*types.Receipt{nil, {GasUsed: 5}}, new(big.Int)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fees(tt.rs); got.Cmp(tt.want) != 0 {
				t.Errorf("Fees = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestNativeAmount(t *testing.T) {
	eth := protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}
	stETH := protocol.Token{Symbol: "stETH", Address: common.HexToAddress("0x01"), Decimals: 18, Role: protocol.RoleStaked}
	call := func(tok protocol.Token, amt int64) protocol.Call {
		return protocol.Call{Token: tok, Amount: big.NewInt(amt)}
	}
	tests := []struct {
		name   string
		calls  []protocol.Call
		want   int64
		wantOK bool
	}{
		{"native calls sum", []protocol.Call{call(eth, 3), call(eth, 4)}, 7, true},
		{"a token call makes the sum meaningless", []protocol.Call{call(eth, 3), call(stETH, 4)}, 0, false},
		{"another chain's coin", []protocol.Call{call(protocol.Token{Symbol: "POL", Decimals: 18}, 3)}, 0, false},
		{"no amount", []protocol.Call{{Token: eth}}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := nativeAmount(tt.calls, eth)
			if ok != tt.wantOK || (ok && got.Int64() != tt.want) {
				t.Errorf("nativeAmount = %v, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
