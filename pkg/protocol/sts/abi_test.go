package sts

import (
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The selectors and topics below are written from
// shared/reference/staking-systems.md §5.2 and §5.4 (keccak256 of the real
// signatures in beethovenxfi/sonic-staking@877087b and sonic-sfc v4), not
// computed from our ABI files: the test fails when a file drifts from the
// real contracts.
var wantMethods = []struct {
	contract, sig, selector string
}{
	{"sts", "deposit()", "d0e30db0"},
	{"sts", "undelegateFromPool(uint256)", "d02e92a6"},
	{"sts", "undelegate(uint256,uint256)", "634b91e3"},
	{"sts", "undelegateMany(uint256[],uint256[])", "2f3cd672"},
	{"sts", "withdraw(uint256,bool)", "38d07436"},
	{"sts", "withdrawMany(uint256[],bool)", "ac697e3f"},
	{"sts", "getWithdrawRequest(uint256)", "cc0fe4a4"},
	{"sts", "getUserWithdraws(address,uint256,uint256,bool)", "538dd2f5"},
	{"sts", "userNumWithdraws(address)", "c9da0892"},
	{"sts", "userWithdraws(address,uint256)", "f475a7ee"},
	{"sts", "getRate()", "679aefce"},
	{"sts", "convertToAssets(uint256)", "07a2d13a"},
	{"sts", "convertToShares(uint256)", "c6e6f592"},
	{"sts", "totalAssets()", "01e1d114"},
	{"sts", "totalPool()", "ecfb49a3"},
	{"sts", "totalDelegated()", "80d04de8"},
	{"sts", "withdrawDelay()", "0288a39c"},
	{"sts", "depositPaused()", "02befd24"},
	{"sts", "undelegatePaused()", "5ab492fd"},
	{"sts", "undelegateFromPoolPaused()", "ceaeee54"},
	{"sts", "withdrawPaused()", "2f3ffb9f"},
	{"sts", "transfer(address,uint256)", "a9059cbb"},
	{"sfc", "getStake(address,uint256)", "cfd47663"},
	{"sfc", "getWithdrawalRequest(address,uint256,uint256)", "1f270152"},
	{"sfc", "getValidator(uint256)", "b5d89627"},
	{"sfc", "lastValidatorID()", "c7be95de"},
	{"sfc", "currentEpoch()", "76671808"},
	{"sfc", "isSlashed(uint256)", "c3de580e"},
	{"sfc", "slashingRefundRatio(uint256)", "c65ee0e1"},
	{"sfc", "getSelfStake(uint256)", "5601fe01"},
	{"sfc", "constsAddress()", "d46fa518"},
	{"sfc", "pendingRewards(address,uint256)", "6099ecb2"},
}

var wantEvents = []struct {
	contract, sig, topic string
}{
	{"sts", "Deposited(address,uint256,uint256)", "73a19dd210f1a7f902193214c0ee91dd35ee5b4d920cba8d519eca65a7b488ca"},
	{"sts", "Undelegated(address,uint256,uint256,uint256,uint8)", "04fcca04f81983ffc61b309cc6d2935c3e78576bed7045f109b779920d0a1455"},
	{"sts", "Withdrawn(address,uint256,uint256,uint8,bool)", "16ede7d26353101f14a572719bc335a26d49880445bfcd03df637065fc14bf4c"},
	{"sfc", "Delegated(address,uint256,uint256)", "9a8f44850296624dadfd9c246d17e47171d35727a181bd090aa14bbbe00238bb"},
	{"sfc", "Undelegated(address,uint256,uint256,uint256)", "d3bb4e423fbea695d16b982f9f682dc5f35152e5411646a8a5a79a6b02ba8d57"},
	{"sfc", "Withdrawn(address,uint256,uint256,uint256,uint256)", "94ffd6b85c71b847775c89ef6496b93cee961bdc6ff827fd117f174f06f745ae"},
	{"sfc", "ClaimedRewards(address,uint256,uint256)", "70de20a533702af05c8faf1637846c4586a021bbc71b6928b089b6d555e4fbc2"},
}

var wantErrors = []struct {
	contract, sig, selector string
}{
	{"sts", "DepositTooSmall()", "6ba4a1c7"},
	{"sts", "DepositPaused()", "35edea30"},
	{"sts", "UndelegatePaused()", "69809763"},
	{"sts", "UndelegateFromPoolPaused()", "c81ab541"},
	{"sts", "WithdrawsPaused()", "18863d4d"},
	{"sts", "UndelegateAmountTooSmall()", "8d3305d8"},
	{"sts", "UndelegateAmountExceedsDelegated(uint256)", "09639043"},
	{"sts", "UndelegateAmountExceedsPool()", "0f694941"},
	{"sts", "WithdrawIdDoesNotExist(uint256)", "f4670c05"},
	{"sts", "WithdrawDelayNotElapsed(uint256)", "df2aa1e6"},
	{"sts", "WithdrawAlreadyProcessed(uint256)", "4d3258cf"},
	{"sts", "UnauthorizedWithdraw(uint256)", "966a689a"},
	{"sts", "SfcSlashMustBeAccepted(uint256)", "bc28f241"},
	{"sts", "NativeTransferFailed()", "f4b3b1bc"},
	{"sfc", "ZeroAmount()", "1f2a2005"},
	{"sfc", "ValidatorNotExists()", "5926e0c3"},
	{"sfc", "ValidatorNotActive()", "a6ce15f6"},
	{"sfc", "ValidatorDelegationLimitExceeded()", "c2eb4ead"},
	{"sfc", "RequestExists()", "eadeb85a"},
	{"sfc", "RequestNotExists()", "7f1d9e08"},
	{"sfc", "NotEnoughTimePassed()", "5ada9a99"},
	{"sfc", "NotEnoughEpochsPassed()", "23ea994d"},
	{"sfc", "StakeIsFullySlashed()", "18f967fb"},
	{"sfc", "TransferFailed()", "90b8ec18"},
	{"sfc", "InsufficientSelfStake()", "08e88f46"},
}

func mustABIs(t *testing.T) *contractABIs {
	t.Helper()
	c, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// modelABI is the compiled devnet model of the contract.
func modelABI(t *testing.T, contract string) *abi.ABI {
	t.Helper()
	name := map[string]string{"sts": "SonicStaking", "sfc": "SFC"}[contract]
	a, err := contracts.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return &a.ABI
}

// TestSelectors: every function, event and error the adapter uses has the
// real selector or topic, in the adapter's ABI and in the devnet model.
func TestSelectors(t *testing.T) {
	c := mustABIs(t)
	pick := func(contract string) *abi.ABI {
		if contract == "sts" {
			return c.sts
		}
		return c.sfc
	}
	for _, tt := range wantMethods {
		t.Run(tt.sig, func(t *testing.T) {
			for _, a := range []*abi.ABI{pick(tt.contract), modelABI(t, tt.contract)} {
				m, ok := methodBySig(a, tt.sig)
				if !ok {
					t.Fatalf("%s: no method %s", tt.contract, tt.sig)
				}
				if got := hex.EncodeToString(m.ID); got != tt.selector {
					t.Errorf("%s selector %s, want %s", tt.sig, got, tt.selector)
				}
			}
		})
	}
	for _, tt := range wantEvents {
		t.Run(tt.sig, func(t *testing.T) {
			for _, a := range []*abi.ABI{pick(tt.contract), modelABI(t, tt.contract)} {
				found := false
				for _, e := range a.Events {
					if e.Sig == tt.sig {
						found = true
						if got := hex.EncodeToString(e.ID[:]); got != tt.topic {
							t.Errorf("%s topic %s, want %s", tt.sig, got, tt.topic)
						}
					}
				}
				if !found {
					t.Errorf("no event %s", tt.sig)
				}
			}
		})
	}
	for _, tt := range wantErrors {
		t.Run(tt.sig, func(t *testing.T) {
			for _, a := range []*abi.ABI{pick(tt.contract), modelABI(t, tt.contract), c.merged} {
				found := false
				for _, e := range a.Errors {
					if e.Sig == tt.sig {
						found = true
						if got := hex.EncodeToString(e.ID[:4]); got != tt.selector {
							t.Errorf("%s selector %s, want %s", tt.sig, got, tt.selector)
						}
					}
				}
				if !found {
					t.Errorf("no error %s", tt.sig)
				}
			}
		})
	}
}

// TestMergedABIKeepsBothEventFamilies: stS's and the SFC's Undelegated and
// Withdrawn share names, not topics; decoding a receipt needs both.
func TestMergedABIKeepsBothEventFamilies(t *testing.T) {
	c := mustABIs(t)
	for _, name := range []string{"Undelegated", "Withdrawn", "Delegated"} {
		n := 0
		for _, e := range c.merged.Events {
			if e.RawName == name {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d events named %s in the merged ABI, want stS's and the SFC's", n, name)
		}
	}
}

func methodBySig(a *abi.ABI, sig string) (abi.Method, bool) {
	for _, m := range a.Methods {
		if m.Sig == sig {
			return m, true
		}
	}
	return abi.Method{}, false
}

func newTestAdapter(t *testing.T, b protocol.Backend) *STS {
	t.Helper()
	p, err := New(protocol.Env{
		Network:   "sonic",
		Addresses: Deployments["sonic"],
		Backend:   b,
		Native:    protocol.Token{Symbol: "S", Decimals: 18},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*STS)
}

func word(n int64) string { return hex.EncodeToString(common.LeftPadBytes(big.NewInt(n).Bytes(), 32)) }

// TestCalldata: the calls are byte for byte what the real contract takes.
// withdraw's and withdrawMany's emergency flag is always false.
func TestCalldata(t *testing.T) {
	s := newTestAdapter(t, nilBackend{})
	stake, err := s.Stake(t.Context(), protocol.StakeRequest{Amount: big.NewInt(1e18)})
	if err != nil {
		t.Fatal(err)
	}
	ids2 := []*big.Int{big.NewInt(101), big.NewInt(102)}
	single, _ := pack(s.abis.sts, "withdraw", big.NewInt(101), false)
	many, _ := pack(s.abis.sts, "withdrawMany", ids2, false)
	und, _ := pack(s.abis.sts, "undelegate", big.NewInt(3), big.NewInt(5))
	pool, _ := pack(s.abis.sts, "undelegateFromPool", big.NewInt(5))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"deposit", stake[0].Data, "d0e30db0"},
		{"withdraw(101,false)", single, "38d07436" + word(101) + word(0)},
		{"withdrawMany([101,102],false)", many, "ac697e3f" + word(64) + word(0) + word(2) + word(101) + word(102)},
		{"undelegate(3,5)", und, "634b91e3" + word(3) + word(5)},
		{"undelegateFromPool(5)", pool, "d02e92a6" + word(5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hex.EncodeToString(tt.data); got != tt.want {
				t.Errorf("calldata\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	if stake[0].To != Deployments["sonic"][RoleSTS] || stake[0].Value.Cmp(big.NewInt(1e18)) != 0 {
		t.Errorf("stake call to %s value %s", stake[0].To.Hex(), stake[0].Value)
	}
	if len(stake[0].Checks) != 1 {
		t.Errorf("stake has %d checks, want depositPaused", len(stake[0].Checks))
	}
}

// TestStakeLimits: what the contract's constants forbid is refused with no
// read at all (nilBackend fails every read).
func TestStakeLimits(t *testing.T) {
	s := newTestAdapter(t, nilBackend{})
	tests := []struct {
		name   string
		amount *big.Int
		target string
		want   string
	}{
		{"zero", big.NewInt(0), "", "greater than zero"},
		{"below MIN_DEPOSIT", big.NewInt(1e16 - 1), "", "at least 0.01 S"},
		{"a validator", big.NewInt(1e18), "1", "--validator is not taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Stake(t.Context(), protocol.StakeRequest{Amount: tt.amount, Target: tt.target})
			var le *protocol.LimitError
			if err == nil || !asLimit(err, &le) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Stake(%s) = %v, want a LimitError with %q", tt.amount, err, tt.want)
			}
		})
	}
	_, err := s.Stake(t.Context(), protocol.StakeRequest{Amount: big.NewInt(1e16)})
	if err != nil {
		t.Errorf("Stake of exactly MIN_DEPOSIT: %v", err)
	}
	var le *protocol.LimitError
	_, err = s.Unstake(t.Context(), protocol.UnstakeRequest{Amount: big.NewInt(1e12 - 1)})
	if !asLimit(err, &le) {
		t.Errorf("Unstake below MIN_UNDELEGATE_AMOUNT_SHARES = %v, want a LimitError", err)
	}
	_, err = s.Unstake(t.Context(), protocol.UnstakeRequest{Amount: big.NewInt(1e18), Token: protocol.Token{Symbol: "wS"}})
	if !asLimit(err, &le) {
		t.Errorf("Unstake of another token = %v, want a LimitError", err)
	}
	_, err = s.Unstake(t.Context(), protocol.UnstakeRequest{Amount: big.NewInt(1e18), Target: "x"})
	if !asLimit(err, &le) {
		t.Errorf("Unstake with --validator x = %v, want a LimitError", err)
	}
}

// TestChooseValidators: the largest unslashed delegation that covers the
// amount with the margin; else a split over the largest; else nothing.
func TestChooseValidators(t *testing.T) {
	e18 := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }
	v := func(id, stake int64, slashed bool) validatorStake {
		return validatorStake{id: big.NewInt(id), stake: e18(stake), slashed: slashed}
	}
	tests := []struct {
		name       string
		vals       []validatorStake
		shares     *big.Int
		assets     *big.Int // what shares are worth
		wantIDs    []int64
		wantShares []*big.Int
	}{
		{"largest covers", []validatorStake{v(1, 50, false), v(2, 100, false)}, e18(10), e18(10), []int64{2}, []*big.Int{e18(10)}},
		{"slashed skipped", []validatorStake{v(1, 50, false), v(2, 100, true)}, e18(10), e18(10), []int64{1}, []*big.Int{e18(10)}},
		{"margin: exactly the stake is not enough alone", []validatorStake{v(1, 10, false), v(2, 10, false)}, e18(10), e18(10),
			[]int64{1, 2}, []*big.Int{e18(999).Div(e18(999), big.NewInt(100)), new(big.Int).Sub(e18(10), e18(999).Div(e18(999), big.NewInt(100)))}},
		{"split at rate 2", []validatorStake{v(1, 12, false), v(2, 10, false)}, e18(10), e18(20),
			[]int64{1, 2}, []*big.Int{new(big.Int).Div(new(big.Int).Mul(e18(11988), big.NewInt(1)), big.NewInt(2000)), new(big.Int).Sub(e18(10), new(big.Int).Div(e18(11988), big.NewInt(2000)))}},
		{"not enough", []validatorStake{v(1, 5, false), v(2, 4, false)}, e18(10), e18(10), nil, nil},
		{"none", nil, e18(1), e18(1), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, shares := chooseValidators(&unstakeState{assets: tt.assets, validators: tt.vals}, tt.shares)
			if len(ids) != len(tt.wantIDs) {
				t.Fatalf("ids %v, want %v", ids, tt.wantIDs)
			}
			sum := new(big.Int)
			for i := range ids {
				if ids[i].Int64() != tt.wantIDs[i] || shares[i].Cmp(tt.wantShares[i]) != 0 {
					t.Errorf("part %d: validator %s shares %s, want %d %s", i, ids[i], shares[i], tt.wantIDs[i], tt.wantShares[i])
				}
				sum.Add(sum, shares[i])
			}
			if ids != nil && sum.Cmp(tt.shares) != 0 {
				t.Errorf("parts add up to %s, want %s", sum, tt.shares)
			}
		})
	}
}

// TestRateCall: getRate() to stS, and its answer decodes (a short one is a
// bad answer, not a zero rate).
func TestRateCall(t *testing.T) {
	s := newTestAdapter(t, nilBackend{})
	msg, decode := s.RateCall()
	if *msg.To != Deployments["sonic"][RoleSTS] || hex.EncodeToString(msg.Data) != "679aefce" {
		t.Errorf("rate call to %s data %x, want getRate() 679aefce to stS", msg.To.Hex(), msg.Data)
	}
	tests := []struct {
		name string
		ret  []byte
		want *big.Int
	}{
		{"1.05", common.LeftPadBytes(big.NewInt(105e16).Bytes(), 32), big.NewInt(105e16)},
		{"empty", nil, nil},
		{"short", []byte{1, 2}, nil},
	}
	for _, tt := range tests {
		got, err := decode(tt.ret)
		switch {
		case tt.want == nil && (err == nil || !errors.Is(err, protocol.ErrBadAnswer)):
			t.Errorf("%s: %v, %v; want ErrBadAnswer", tt.name, got, err)
		case tt.want != nil && (err != nil || got.Cmp(tt.want) != 0):
			t.Errorf("%s: %v, %v; want %s", tt.name, got, err, tt.want)
		}
	}
}

// TestHints: every error of the ABI a user's call can meet has advice;
// the ones left out are the operator's and admin's.
func TestHints(t *testing.T) {
	c := mustABIs(t)
	hints := RevertHints()
	adminOnly := map[string]bool{
		"DelegateAmountCannotBeZero": true, "TreasuryAddressCannotBeZero": true, "SFCAddressCannotBeZero": true,
		"ProtocolFeeTooHigh": true, "ProtocolFeeTransferFailed": true, "PausedValueDidNotChange": true,
		"DonationAmountCannotBeZero": true, "DonationAmountTooSmall": true, "RewardsClaimedTooSmall": true,
		"SenderNotSFC": true, "AccessControlBadConfirmation": true, "OwnableInvalidOwner": true,
		"ERC20InvalidSender": true, "ERC20InvalidApprover": true, "ERC20InvalidSpender": true,
		"ZeroRewards": true, "PubkeyUsedByOtherValidator": true, "MalformedPubkey": true, "ValidatorExists": true,
		"NotDeactivatedStatus": true, "ValidatorNotSlashed": true, "RefundRatioTooHigh": true,
	}
	for _, e := range c.merged.Errors {
		if hints[e.Name] == "" && !adminOnly[e.Name] {
			t.Errorf("no hint for %s", e.Sig)
		}
	}
	for name := range hints {
		if _, ok := c.merged.Errors[name]; !ok {
			t.Errorf("hint for %s, which is no error of the ABI", name)
		}
	}
}
