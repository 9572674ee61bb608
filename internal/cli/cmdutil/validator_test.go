package cmdutil

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// fakeDelegation is a protocol with the Validators capability and a fixed
// list, standing in for an adapter (the BNB adapter's list is tested on its
// devnet model in pkg/protocol/bnb and end to end in internal/e2e).
type fakeDelegation struct {
	protocol.Protocol
	list  []protocol.Validator
	calls int
}

func (f *fakeDelegation) Validators(context.Context) ([]protocol.Validator, error) {
	f.calls++
	return f.list, nil
}
func (f *fakeDelegation) DisplayName() string     { return "Fake staking" }
func (f *fakeDelegation) Tokens() protocol.Tokens { return nil }
func (f *fakeDelegation) ABI() *abi.ABI           { return nil }

var credit = protocol.Token{Symbol: "stAlpha", Address: common.HexToAddress("0x1600000000000000000000000000000000000001"), Decimals: 18, Role: protocol.RoleCredit, NotTransferable: true}

func fakeList() []protocol.Validator {
	return []protocol.Validator{
		{ID: "0xAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaa", Moniker: "Alpha", Status: "active", TotalStake: big.NewInt(1), Credit: &credit},
		{ID: "0xBbBBbbBBbbbBbBbBbBbbBbbBBBbbbBbbbBBbBbBb", Moniker: "Ankr", Status: "active", TotalStake: big.NewInt(1)},
		{ID: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC", Moniker: "Certik", Status: "jailed", TotalStake: big.NewInt(1)},
		{ID: "0xDdDdDDDdDdDdDDdDdDdDddddDdDdDDdDdDdDdDDd", Moniker: "Ank", Status: "inactive", TotalStake: big.NewInt(1)},
	}
}

// TestResolveValidator: the --validator resolution table.
func TestResolveValidator(t *testing.T) {
	tests := []struct {
		name, typed string
		use         ValidatorUse
		wantID      string
		wantErr     []string // substrings of a bad-input error
	}{
		{"id", "0xAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaa", ForStake, "0xAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaa", nil},
		{"id in lower case", "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ForStake, "0xAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaa", nil},
		{"moniker", "alpha", ForStake, "0xAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaa", nil},
		{"moniker prefix", "AL", ForStake, "0xAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaa", nil},
		{"exact moniker beats a longer one", "ank", ForStake, "0xDdDdDDDdDdDdDDdDdDdDddddDdDdDDdDdDdDdDDd", nil},
		{"prefix of one", "ankr", ForStake, "0xBbBBbbBBbbbBbBbBbBbbBbbBBBbbbBbbbBBbBbBb", nil},
		{"ambiguous", "a", ForStake, "", []string{"ambiguous", "Alpha", "Ankr", "Ank ("}},
		{"unknown", "zeta", ForStake, "", []string{"unknown validator", "Alpha", "Certik"}},
		{"unknown address", "0x000000000000000000000000000000000000dEaD", ForUnstake, "", []string{"unknown validator"}},
		{"jailed for stake", "cert", ForStake, "", []string{"jailed", "Certik"}},
		{"jailed for unstake", "cert", ForUnstake, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC", nil},
		{"none", "", ForStake, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &fakeDelegation{list: fakeList()}
			got, err := ValidatorTarget(context.Background(), p, tc.typed, tc.use)
			if tc.wantErr != nil {
				var ee *ExitError
				if !errors.As(err, &ee) || ee.Code != ExitBadInput {
					t.Fatalf("err = %v, want bad input (exit 2)", err)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil || got != tc.wantID {
				t.Fatalf("= %q, %v; want %q", got, err, tc.wantID)
			}
			if tc.typed == "" && p.calls != 0 {
				t.Errorf("no --validator listed the validators %d times", p.calls)
			}
		})
	}
}

// TestResolveValidatorPassThrough: without the capability, the text goes
// to the adapter unchecked.
func TestResolveValidatorPassThrough(t *testing.T) {
	type plain struct{ protocol.Protocol }
	got, err := ValidatorTarget(context.Background(), plain{}, " 7 ", ForStake)
	if err != nil || got != "7" {
		t.Fatalf("= %q, %v; want 7", got, err)
	}
}

// TestResolveUnstakeValidator: the token an unstake amount is in, for a
// protocol whose stake is the validator's credit.
func TestResolveUnstakeValidator(t *testing.T) {
	native := protocol.Token{Symbol: "BNB", Decimals: 18}
	tests := []struct {
		name, typed, token, amount string
		want                       string // symbol; "" = the command's own choice
	}{
		{"amount in the native coin", "alpha", "", "1.5", "BNB"},
		{"all is the credit balance", "alpha", "", "all", "stAlpha"},
		{"--token names the credit", "alpha", "stalpha", "1", "stAlpha"},
		{"--token something else", "alpha", "BNB", "1", ""},
		{"all of the native coin is all of the delegation", "alpha", "bnb", "all", "stAlpha"},
		{"validator without a credit", "ankr", "", "1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, tok, err := ResolveUnstakeValidator(context.Background(), &fakeDelegation{list: fakeList()}, tc.typed, tc.token, tc.amount, native)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if tok != nil {
				got = tok.Symbol
			}
			if got != tc.want {
				t.Errorf("token %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCreditToken: a credit found by symbol or address for transfer's
// refusal.
func TestCreditToken(t *testing.T) {
	ps := []protocol.Protocol{&fakeDelegation{list: fakeList()}}
	for _, ref := range []string{"stALPHA", strings.ToLower(credit.Address.Hex())} {
		tok, p, ok := CreditToken(context.Background(), ps, ref)
		if !ok || p == nil || !tok.NotTransferable || tok.Address != credit.Address {
			t.Errorf("CreditToken(%q) = %+v, %v", ref, tok, ok)
		}
	}
	if _, _, ok := CreditToken(context.Background(), ps, "stETH"); ok {
		t.Error("stETH found among the credits")
	}
}

// TestReadStipendOwner: a claim paid with a gas stipend is refused for an
// owner with code, once the batch has answered the eth_getCode read.
func TestReadStipendOwner(t *testing.T) {
	owner := common.HexToAddress("0x00000000000000000000000000000000000000A1")
	tests := []struct {
		name    string
		code    string // hex answer; "" = empty code
		readErr error
		want    string // substring of the error; "" = accepted
	}{
		{"plain account", "0x", nil, ""},
		{"contract wallet", "0x6080604052", nil, "has code (a contract wallet): NOTE"},
		{"EIP-7702 delegated account", "0xef0100" + strings.Repeat("11", 20), nil, "has code"},
		{"read failed", "", errors.New("boom"), "check whether"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var reads []rpc.BatchElem
			judge := ReadStipendOwner(&reads, owner, "NOTE")
			if len(reads) != 1 || reads[0].Method != "eth_getCode" || reads[0].Args[0] != owner {
				t.Fatalf("reads %+v: want one eth_getCode of the owner", reads)
			}
			// Answer the read as the batch does.
			reads[0].Error = tc.readErr
			if tc.readErr == nil {
				if err := reads[0].Result.(*hexutil.Bytes).UnmarshalText([]byte(tc.code)); err != nil {
					t.Fatal(err)
				}
			}
			err := judge()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused a plain account: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// checkingDelegation also checks exact ids itself (protocol.ValidatorIDs).
type checkingDelegation struct{ *fakeDelegation }

func (checkingDelegation) ParseValidatorID(s string) (string, bool) {
	if strings.HasPrefix(s, "0x") && len(s) == 42 {
		return common.HexToAddress(s).Hex(), true
	}
	return "", false
}

// TestResolveValidatorExactID: a stake naming an exact id of an adapter that
// checks it in its own Checks lists nothing; an unstake, or a moniker, does.
func TestResolveValidatorExactID(t *testing.T) {
	jailed := "0xcccccccccccccccccccccccccccccccccccccccc"
	tests := []struct {
		name, typed string
		use         ValidatorUse
		wantID      string
		wantLists   int
	}{
		{"exact id for a stake", jailed, ForStake, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC", 0},
		{"exact id for an unstake", jailed, ForUnstake, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC", 1},
		{"moniker for a stake", "alp", ForStake, "0xAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaaAAaa", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeDelegation{list: fakeList()}
			got, err := ValidatorTarget(context.Background(), checkingDelegation{f}, tc.typed, tc.use)
			if err != nil || got != tc.wantID || f.calls != tc.wantLists {
				t.Fatalf("= %q, %v after %d listings; want %q after %d", got, err, f.calls, tc.wantID, tc.wantLists)
			}
		})
	}
}
