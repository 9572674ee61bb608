package restake

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

func eth(s string) *big.Int {
	v, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return new(big.Int).Quo(new(big.Int).Mul(v.Num(), big.NewInt(1e18)), v.Denom())
}

// ether is the native coin of the Ethereum networks the tests model.
var ether = protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}

func TestStakeAmount(t *testing.T) {
	tests := []struct {
		name                              string
		owed, keep, min, balance, reserve string
		want                              string // "" = nothing
		carry                             bool
		whyHas                            string
	}{
		{"proceeds minus keep", "2", "0.1", "0", "10", "0.01", "1.9", false, "minus --keep"},
		{"nothing owed", "0", "0", "0", "10", "0.01", "", false, "no proceeds"},
		{"keep swallows it", "0.05", "0.1", "0", "10", "0.01", "", false, "do not exceed --keep"},
		{"below min waits", "0.3", "0", "0.5", "10", "0.01", "", true, "below --min"},
		{"exactly min", "0.5", "0", "0.5", "10", "0.01", "0.5", false, "minus --keep"},
		{"capped by the balance", "2", "0.1", "0", "1.11", "0.01", "1", false, "of 1.9 ETH proceeds"},
		{"balance leaves nothing", "2", "0.1", "0", "0.1", "0.01", "", false, "leaves nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, carry, why := stakeAmount(eth(tt.owed), eth(tt.keep), eth(tt.min), eth(tt.balance), eth(tt.reserve), ether)
			switch {
			case tt.want == "" && got != nil:
				t.Errorf("staked %s, want nothing (%s)", got, why)
			case tt.want != "" && (got == nil || got.Cmp(eth(tt.want)) != 0):
				t.Errorf("staked %v, want %s (%s)", got, eth(tt.want), why)
			}
			if carry != tt.carry {
				t.Errorf("carry = %v", carry)
			}
			if !strings.Contains(why, tt.whyHas) {
				t.Errorf("why %q lacks %q", why, tt.whyHas)
			}
		})
	}
}

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := statePath(dir, 1337, common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"))
	st, err := loadState(path)
	if err != nil || st.Owed.Sign() != 0 {
		t.Fatalf("fresh state: %v, %v", st, err)
	}
	st.Owed = eth("1.25")
	if err := st.save(path); err != nil {
		t.Fatal(err)
	}
	got, err := loadState(path)
	if err != nil || got.Owed.Cmp(eth("1.25")) != 0 {
		t.Fatalf("reloaded %v, %v", got, err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"owed": "1250000000000000000"`) {
		t.Errorf("file: %s", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	for _, bad := range []string{"{", `{"owed":"-1"}`, `{"owed":"1.5"}`} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := loadState(path); err == nil {
			t.Errorf("state %q accepted", bad)
		}
	}
}

func TestLockIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "restake", "1337-0xabc.lock")
	unlock, err := lock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock(path); !errors.Is(err, errBusy) {
		t.Fatalf("second lock: %v", err)
	}
	unlock()
	unlock2, err := lock(path)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

func TestNotSent(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("stake: %w", txflow.ErrSimulation), true},
		{txflow.ErrInsufficientFunds, true},
		{fmt.Errorf("%w: node said no", txflow.ErrBroadcast), true},
		{signer.ErrDeclined, true},
		{&protocol.LimitError{Reason: "STAKING_PAUSED"}, true},
		{cmdutil.WithExit(cmdutil.ExitNeedsInput, "declined", errors.New("declined")), true},
		{fmt.Errorf("wait: %w", txflow.ErrTimeout), false},
		{txflow.ErrReverted, false},
		{fmt.Errorf("%w: connection reset", chain.ErrMaybeSent), false},
		{errors.New("something else"), false},
	}
	for _, tt := range tests {
		if got := notSent(tt.err); got != tt.want {
			t.Errorf("notSent(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
