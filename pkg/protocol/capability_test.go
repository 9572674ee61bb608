package protocol_test

import (
	"context"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// base implements only the required interface. Each capability is a
// separate mixin without base, so that a fake can combine several without
// the ambiguous selectors two embedded bases would give.
type base struct{}

func (base) Name() string                                                          { return "fake" }
func (base) DisplayName() string                                                   { return "Fake" }
func (base) Tokens() protocol.Tokens                                               { return nil }
func (base) Unstaking() protocol.UnstakeKind                                       { return protocol.UnstakeInstant }
func (base) Targets() protocol.TargetRule                                          { return protocol.TargetNone }
func (base) ABI() *abi.ABI                                                         { return &abi.ABI{} }
func (base) Stake(context.Context, protocol.StakeRequest) ([]protocol.Call, error) { return nil, nil }
func (base) Unstake(context.Context, protocol.UnstakeRequest) ([]protocol.Call, error) {
	return nil, nil
}

type requestsMixin struct{}

func (requestsMixin) ParseRequestID(s string) (protocol.RequestID, error) {
	return protocol.RequestID(s), nil
}
func (requestsMixin) RequestIDs(*types.Receipt) []protocol.RequestID { return nil }
func (requestsMixin) Withdrawals(context.Context, common.Address, []protocol.RequestID) ([]protocol.Withdrawal, error) {
	return nil, nil
}
func (requestsMixin) Claim(context.Context, common.Address, []protocol.RequestID) ([]protocol.Call, error) {
	return nil, nil
}

type claimBatchMixin struct{}

func (claimBatchMixin) ClaimBatches(context.Context, []protocol.RequestID, int) ([]protocol.Call, error) {
	return nil, nil
}

type wrapMixin struct{}

func (wrapMixin) Wrap(context.Context, common.Address, *big.Int) ([]protocol.Call, error) {
	return nil, nil
}
func (wrapMixin) Unwrap(context.Context, common.Address, *big.Int) ([]protocol.Call, error) {
	return nil, nil
}

type etaMixin struct{}

func (etaMixin) Estimator() protocol.Estimator { return nil }

type hintsMixin struct{}

func (hintsMixin) RevertHints() abidecode.Hints { return abidecode.Hints{} }

type validatorsMixin struct{}

func (validatorsMixin) Validators(context.Context) ([]protocol.Validator, error) { return nil, nil }

type restakeMixin struct{}

func (restakeMixin) RestakeTarget(context.Context, common.Address, []protocol.Withdrawal) (string, error) {
	return "", nil
}

type rateMixin struct{}

func (rateMixin) RateCall() (ethereum.CallMsg, func([]byte) (*big.Int, error)) {
	return ethereum.CallMsg{}, nil
}

type delegationsMixin struct{}

func (delegationsMixin) Delegations(context.Context, common.Address, string) ([]protocol.Delegation, error) {
	return nil, nil
}

// manyOwnersMixin has the Requests methods too: ManyOwners embeds Requests.
type manyOwnersMixin struct{ requestsMixin }

func (manyOwnersMixin) WithdrawalsOf(context.Context, []common.Address) ([][]protocol.Withdrawal, error) {
	return nil, nil
}

// rewardsMixin has Delegations too: Rewarder embeds Delegator.
type rewardsMixin struct{ delegationsMixin }

func (rewardsMixin) ClaimRewards(context.Context, common.Address, string) ([]protocol.Call, error) {
	return nil, nil
}

func (rewardsMixin) RestakeRewards(context.Context, common.Address, string) ([]protocol.Call, error) {
	return nil, nil
}

// One fake per capability, implementing that one and nothing else.
type (
	onlyRequests struct {
		base
		requestsMixin
	}
	onlyClaimBatch struct {
		base
		claimBatchMixin
	}
	onlyWrap struct {
		base
		wrapMixin
	}
	onlyETA struct {
		base
		etaMixin
	}
	onlyHints struct {
		base
		hintsMixin
	}
	onlyValidators struct {
		base
		validatorsMixin
	}
	onlyRestake struct {
		base
		restakeMixin
	}
	onlyRate struct {
		base
		rateMixin
	}
	onlyDelegations struct {
		base
		delegationsMixin
	}
	onlyRewards struct {
		base
		rewardsMixin
	}
	onlyManyOwners struct {
		base
		manyOwnersMixin
	}
	// queueLike has what a queued-withdrawal adapter typically has.
	queueLike struct {
		base
		hintsMixin
		requestsMixin
		claimBatchMixin
	}
)

// singles maps each capability to a fake that has only it (and what its
// interface embeds: also). A capability added to the package without a row
// here fails TestAllCapabilities.
var singles = []struct {
	cap  protocol.Capability
	p    protocol.Protocol
	also []protocol.Capability
}{
	{protocol.CapRequests, onlyRequests{}, nil},
	{protocol.CapClaimBatch, onlyClaimBatch{}, nil},
	{protocol.CapWrap, onlyWrap{}, nil},
	{protocol.CapETA, onlyETA{}, nil},
	{protocol.CapHints, onlyHints{}, nil},
	{protocol.CapValidators, onlyValidators{}, nil},
	{protocol.CapRestake, onlyRestake{}, nil},
	{protocol.CapRate, onlyRate{}, nil},
	{protocol.CapDelegations, onlyDelegations{}, nil},
	// A Rewarder lists its delegations: Rewarder embeds Delegator.
	{protocol.CapRewards, onlyRewards{}, []protocol.Capability{protocol.CapDelegations}},
	// ManyOwners embeds Requests.
	{protocol.CapManyOwners, onlyManyOwners{}, []protocol.Capability{protocol.CapRequests}},
}

func TestAllCapabilities(t *testing.T) {
	all := protocol.AllCapabilities()
	seen := map[protocol.Capability]bool{}
	for _, c := range all {
		if c == "" || seen[c] {
			t.Errorf("empty or duplicate capability %q in %v", c, all)
		}
		seen[c] = true
	}
	var tested []protocol.Capability
	for _, s := range singles {
		tested = append(tested, s.cap)
	}
	if !slices.Equal(all, tested) {
		t.Errorf("AllCapabilities() = %v, the fakes cover %v: add a fake for the new capability, in the package doc's order", all, tested)
	}
	all[0] = "mutated"
	if protocol.AllCapabilities()[0] == "mutated" {
		t.Error("AllCapabilities shares its slice between calls")
	}
}

// TestCapabilitiesOf: each capability is detected from its own interface
// and from no other, so a name cannot point at the wrong interface.
func TestCapabilitiesOf(t *testing.T) {
	tests := []struct {
		name string
		p    protocol.Protocol
		want []protocol.Capability
	}{
		{"required interface only", base{}, nil},
		{"several, listed in AllCapabilities order", queueLike{},
			[]protocol.Capability{protocol.CapRequests, protocol.CapClaimBatch, protocol.CapHints}},
	}
	for _, s := range singles {
		tests = append(tests, struct {
			name string
			p    protocol.Protocol
			want []protocol.Capability
		}{"only " + string(s.cap), s.p, append(slices.Clone(s.also), s.cap)})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := protocol.CapabilitiesOf(tt.p); !slices.Equal(got, tt.want) {
				t.Errorf("CapabilitiesOf = %v, want %v", got, tt.want)
			}
			for _, c := range protocol.AllCapabilities() {
				if got, want := protocol.Has(tt.p, c), slices.Contains(tt.want, c); got != want {
					t.Errorf("Has(%s) = %v, want %v", c, got, want)
				}
			}
			if protocol.Has(tt.p, "teleport") {
				t.Error("Has reports an unknown capability")
			}
		})
	}
}

func TestTokensByRole(t *testing.T) {
	stETH := protocol.Token{Symbol: "stETH", Address: common.HexToAddress("0x01"), Decimals: 18, Role: protocol.RoleStaked}
	wstETH := protocol.Token{Symbol: "wstETH", Address: common.HexToAddress("0x02"), Decimals: 18, Role: protocol.RoleWrapped}
	credit1 := protocol.Token{Symbol: "credit-1", Address: common.HexToAddress("0x03"), Decimals: 18, Role: protocol.RoleCredit, NotTransferable: true}
	credit2 := protocol.Token{Symbol: "credit-2", Address: common.HexToAddress("0x04"), Decimals: 18, Role: protocol.RoleCredit, NotTransferable: true}
	tests := []struct {
		name   string
		ts     protocol.Tokens
		role   protocol.Role
		want   protocol.Token
		wantOK bool
	}{
		{"staked", protocol.Tokens{stETH, wstETH}, protocol.RoleStaked, stETH, true},
		{"by role, not position", protocol.Tokens{wstETH, stETH}, protocol.RoleStaked, stETH, true},
		{"wrapped", protocol.Tokens{stETH, wstETH}, protocol.RoleWrapped, wstETH, true},
		{"first of several", protocol.Tokens{stETH, credit1, credit2}, protocol.RoleCredit, credit1, true},
		{"absent", protocol.Tokens{stETH, wstETH}, protocol.RoleUnderlying, protocol.Token{}, false},
		{"no tokens", nil, protocol.RoleStaked, protocol.Token{}, false},
		{"empty role matches no token", protocol.Tokens{stETH}, "", protocol.Token{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.ts.ByRole(tt.role)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ByRole(%q) = %+v, %v; want %+v, %v", tt.role, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestUnstakeKindHasRequests(t *testing.T) {
	tests := []struct {
		kind protocol.UnstakeKind
		want bool
	}{
		{protocol.UnstakeQueued, true},
		{protocol.UnstakeInstant, false},
		{protocol.UnstakeCooldown, true},
		{protocol.UnstakeUnbonding, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			if got := tt.kind.HasRequests(); got != tt.want {
				t.Errorf("%s.HasRequests() = %v, want %v", tt.kind, got, tt.want)
			}
		})
	}
}

func TestTokenIsNative(t *testing.T) {
	tests := []struct {
		name string
		tok  protocol.Token
		want bool
	}{
		{"zero address", protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}, true},
		{"an ERC-20", protocol.Token{Symbol: "stETH", Address: common.HexToAddress("0x01"), Decimals: 18}, false},
		// The address decides, not the role: a mislabelled ERC-20 is still one.
		{"ERC-20 labelled native", protocol.Token{Symbol: "WETH", Address: common.HexToAddress("0x02"), Role: protocol.RoleNative}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tok.IsNative(); got != tt.want {
				t.Errorf("IsNative() = %v, want %v", got, tt.want)
			}
		})
	}
}
