package bnb

import (
	"context"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The selectors and topics below are written from
// shared/reference/staking-systems.md §2.2–§2.4 (keccak256 of the real
// signatures in bnb-chain/bsc-genesis-contract@34618f6, cross-checked
// against the selectors printed in its source comments), not computed from
// our ABI files: the test fails when a file drifts from the real contracts.
var wantMethods = []struct {
	contract, sig, selector string
}{
	{"hub", "delegate(address,bool)", "982ef0a7"},
	{"hub", "undelegate(address,uint256)", "4d99dd16"},
	{"hub", "redelegate(address,address,uint256,bool)", "59491871"},
	{"hub", "claim(address,uint256)", "aad3ec96"},
	{"hub", "claimBatch(address[],uint256[])", "d7c2dfc8"},
	{"hub", "getValidators(uint256,uint256)", "bff02e20"},
	{"hub", "getValidatorCreditContract(address)", "dbda7fb3"},
	{"hub", "getValidatorBasicInfo(address)", "cbb04d9d"},
	{"hub", "getValidatorDescription(address)", "a43569b3"},
	{"hub", "getValidatorCommission(address)", "6ec01b27"},
	{"hub", "getValidatorElectionInfo(uint256,uint256)", "63a036b5"},
	{"hub", "unbondPeriod()", "fc0c5ff1"},
	{"hub", "minDelegationBNBChange()", "38409988"},
	{"hub", "redelegateFeeRate()", "e992aaf5"},
	{"hub", "transferGasLimit()", "e8f67c3b"},
	{"hub", "maxElectedValidators()", "c473318f"},
	{"hub", "isPaused()", "b187bd26"},
	{"hub", "blackList(address)", "4838d165"},
	{"hub", "BREATHE_BLOCK_INTERVAL()", "1fa8882b"},
	{"hub", "REDELEGATE_FEE_RATE_BASE()", "d115a206"},
	{"credit", "balanceOf(address)", "70a08231"},
	{"credit", "getPooledBNB(address)", "0913db47"},
	{"credit", "getPooledBNBByShares(uint256)", "91faf0b4"},
	{"credit", "getSharesByPooledBNB(uint256)", "647df759"},
	{"credit", "pendingUnbondRequest(address)", "038c0023"},
	{"credit", "claimableUnbondRequest(address)", "2f2d448a"},
	{"credit", "unbondRequest(address,uint256)", "d241c1ea"},
	{"credit", "lockedBNBs(address,uint256)", "a9664feb"},
	{"credit", "unbondSequence(address)", "c2cde2b2"},
	{"credit", "totalPooledBNB()", "15d1f898"},
	{"credit", "validator()", "3a5381b5"},
	{"credit", "transfer(address,uint256)", "a9059cbb"},
}

var wantEvents = []struct {
	sig, topic string
}{
	{"Delegated(address,address,uint256,uint256)", "24d7bda8602b916d64417f0dbfe2e2e88ec9b1157bd9f596dfdb91ba26624e04"},
	{"Undelegated(address,address,uint256,uint256)", "3aace7340547de7b9156593a7652dc07ee900cea3fd8f82cb6c9d38b40829802"},
	{"Redelegated(address,address,address,uint256,uint256,uint256)", "fdac6e81913996d95abcc289e90f2d8bd235487ce6fe6f821e7d21002a1915b4"},
	{"Claimed(address,address,uint256)", "f7a40077ff7a04c7e61f6f26fb13774259ddf1b6bce9ecf26a8276cdd3992683"},
	{"ValidatorJailed(address)", "4905ac32602da3fb8b4b7b00c285e5fc4c6c2308cc908b4a1e4e9625a29c90a3"},
	{"ValidatorUnjailed(address)", "9390b453426557da5ebdc31f19a37753ca04addf656d32f35232211bb2af3f19"},
	{"Paused()", "9e87fac88ff661f02d44f95383c817fece4bce600a3dab7a54406878b965e752"},
	{"Resumed()", "62451d457bc659158be6e6247f56ec1df424a5c7597f71c20c2bc44e0965c8f9"},
	{"Transfer(address,address,uint256)", "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
}

var wantErrors = []struct {
	sig, selector string
}{
	{"DelegationAmountTooSmall()", "dc6f0bdd"},
	{"OnlySelfDelegation()", "64689203"},
	{"ZeroShares()", "9811e0c7"},
	{"SameValidator()", "f0e3e629"},
	{"ValidatorNotExisted()", "056e8811"},
	{"SelfDelegationNotEnough()", "2f64097e"},
	{"TransferFailed()", "90b8ec18"},
	{"InvalidRequest()", "41abc801"},
	{"AlreadyPaused()", "1785c681"},
	{"NotPaused()", "6cd60201"},
	{"InBlackList()", "b1d02c3d"},
	{"ZeroAmount()", "1f2a2005"},
	{"InsufficientBalance()", "f4d678b8"},
	{"NoUnbondRequest()", "ad418937"},
	{"NoClaimableUnbondRequest()", "0f363824"},
	{"RequestExisted()", "b19e9115"},
	{"TransferNotAllowed()", "8cd22d19"},
	{"ApproveNotAllowed()", "20287471"},
	{"ZeroTotalShares()", "2fe8dae9"},
	{"ZeroTotalPooledBNB()", "f6ed9ce0"},
	{"Empty()", "3db2a12a"},
	{"OutOfBounds()", "b4120f14"},
}

func methodBySig(a *abi.ABI, sig string) (abi.Method, bool) {
	for _, m := range a.Methods {
		if m.Sig == sig {
			return m, true
		}
	}
	return abi.Method{}, false
}

// TestSelectors: every function, event and error the adapter uses has the
// real selector or topic, byte for byte, and every custom error has a hint.
func TestSelectors(t *testing.T) {
	c, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wantMethods {
		a := c.hub
		if w.contract == "credit" {
			a = c.credit
		}
		m, ok := methodBySig(a, w.sig)
		if !ok {
			t.Errorf("%s: %s missing from the ABI", w.contract, w.sig)
			continue
		}
		if got := hex.EncodeToString(m.ID); got != w.selector {
			t.Errorf("%s: selector %s, want %s", w.sig, got, w.selector)
		}
		if _, ok := methodBySig(c.merged, w.sig); !ok {
			t.Errorf("%s missing from the merged ABI", w.sig)
		}
	}
	for _, w := range wantEvents {
		found := false
		for _, e := range c.merged.Events {
			if e.Sig == w.sig {
				found = true
				if got := hex.EncodeToString(e.ID.Bytes()); got != w.topic {
					t.Errorf("%s: topic %s, want %s", w.sig, got, w.topic)
				}
			}
		}
		if !found {
			t.Errorf("event %s missing", w.sig)
		}
	}
	hints := RevertHints()
	for _, w := range wantErrors {
		found := false
		for _, e := range c.merged.Errors {
			if e.Sig == w.sig {
				found = true
				if got := hex.EncodeToString(e.ID.Bytes()[:4]); got != w.selector {
					t.Errorf("%s: selector %s, want %s", w.sig, got, w.selector)
				}
				if hints[e.Name] == "" {
					t.Errorf("error %s has no hint", e.Name)
				}
			}
		}
		if !found {
			t.Errorf("error %s missing", w.sig)
		}
	}
}

// TestModelABI: the devnet model contracts carry the real signatures: each
// function, event and error of the model that the real contract has too
// has the same selector, inputs and outputs (model-only admin functions
// aside), and everything the adapter calls exists on the model.
func TestModelABI(t *testing.T) {
	c, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	modelOnly := map[string]bool{"addValidator": true}
	for _, pair := range []struct {
		model string
		real  *abi.ABI
	}{{"StakeHub", c.hub}, {"StakeCredit", c.credit}} {
		art, err := contracts.Load(pair.model)
		if err != nil {
			t.Fatal(err)
		}
		for name, m := range art.ABI.Methods {
			r, ok := pair.real.Methods[name]
			switch {
			case modelOnly[name]:
			case !ok:
				// the fragment holds only what the adapter uses; the model's
				// other functions are the real contract's (checked by name
				// and selector against the full ABI in the reference).
			case r.Sig != m.Sig || hex.EncodeToString(r.ID) != hex.EncodeToString(m.ID):
				t.Errorf("%s.%s: model %s, real %s", pair.model, name, m.Sig, r.Sig)
			case len(r.Outputs) != len(m.Outputs) || (len(r.Outputs) > 0 && r.Outputs[0].Type.String() != m.Outputs[0].Type.String()):
				t.Errorf("%s.%s: model outputs %v, real %v", pair.model, name, m.Outputs, r.Outputs)
			}
		}
		for name, e := range art.ABI.Events {
			if r, ok := pair.real.Events[name]; ok && r.ID != e.ID {
				t.Errorf("%s event %s: model %s, real %s", pair.model, name, e.Sig, r.Sig)
			}
		}
		for name, e := range art.ABI.Errors {
			if r, ok := pair.real.Errors[name]; ok && r.ID != e.ID {
				t.Errorf("%s error %s: model %s, real %s", pair.model, name, e.Sig, r.Sig)
			}
			if _, ok := pair.real.Errors[name]; !ok {
				t.Errorf("%s error %s is not an error of the real contract", pair.model, name)
			}
		}
	}
	// What the adapter calls exists on the model.
	hub, _ := contracts.Load("StakeHub")
	credit, _ := contracts.Load("StakeCredit")
	for _, w := range wantMethods {
		a := hub
		if w.contract == "credit" {
			a = credit
		}
		if strings.HasPrefix(w.sig, "redelegate") || strings.HasPrefix(w.sig, "getValidatorElectionInfo") || strings.HasPrefix(w.sig, "redelegateFeeRate") || strings.HasPrefix(w.sig, "REDELEGATE") {
			continue // not used by the adapter, not modelled
		}
		if _, ok := methodBySig(&a.ABI, w.sig); !ok && w.sig != "redelegateFeeRate()" {
			t.Errorf("model %s lacks %s", a.Name, w.sig)
		}
	}
}

// TestCalldata: the calls Stake, Unstake (in shares) and Claim build, byte
// for byte, with the selectors above.
func TestCalldata(t *testing.T) {
	p, err := New(protocol.Env{Network: "bsc", Addresses: Deployments["bsc"], Backend: noBackend{}, Native: protocol.Token{Symbol: "BNB", Decimals: 18}})
	if err != nil {
		t.Fatal(err)
	}
	a := p.(*BNB)
	op := common.HexToAddress("0x773760b0708a5Cc369c346993a0c225D8e4043B1")
	credit := common.HexToAddress("0x1600000000000000000000000000000000000001")
	a.credits[op] = credit
	word := func(v string) string { return strings.Repeat("0", 64-len(v)) + v }
	opWord := word(strings.ToLower(op.Hex()[2:]))
	one := word("de0b6b3a7640000")
	tests := []struct {
		name string
		make func() ([]protocol.Call, error)
		want string
		val  *big.Int
	}{
		{"delegate", func() ([]protocol.Call, error) {
			return a.Stake(context.Background(), protocol.StakeRequest{Amount: big.NewInt(1e18), Target: op.Hex()})
		}, "982ef0a7" + opWord + word("0"), big.NewInt(1e18)},
		{"undelegate shares", func() ([]protocol.Call, error) {
			return a.Unstake(context.Background(), protocol.UnstakeRequest{Amount: big.NewInt(1e18), Target: strings.ToLower(op.Hex()), Token: creditToken("stX", credit)})
		}, "4d99dd16" + opWord + one, nil},
	}
	for _, tc := range tests {
		calls, err := tc.make()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(calls) != 1 || hex.EncodeToString(calls[0].Data) != tc.want || calls[0].To != StakeHub {
			t.Errorf("%s: %d calls, data %x to %s; want %s to %s", tc.name, len(calls), calls[0].Data, calls[0].To.Hex(), tc.want, StakeHub.Hex())
		}
		if tc.val != nil && calls[0].Value.Cmp(tc.val) != 0 {
			t.Errorf("%s: value %s, want %s", tc.name, calls[0].Value, tc.val)
		}
	}
	data, err := pack(a.abis.hub, "claim", op, big.NewInt(2))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(data), "aad3ec96"+opWord+word("2"); got != want {
		t.Errorf("claim: %s, want %s", got, want)
	}
}

// noBackend fails every read: the calls above must need none.
type noBackend struct{ protocol.Backend }
