package claim

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

func TestNewCmdClaim(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantIDs  []string
		wantProt string
		wantYes  bool
		wantCode int
	}{
		{name: "every claimable", args: nil},
		{name: "ids", args: []string{"12", "13"}, wantIDs: []string{"12", "13"}},
		{name: "protocol and tx flags", args: []string{"7", "--protocol", "lido", "--yes", "--gas-limit", "500000"}, wantIDs: []string{"7"}, wantProt: "lido", wantYes: true},
		{name: "unknown flag", args: []string{"--token", "x"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *ClaimOptions
			err := clitest.Exec(f, NewCmdClaim(f, func(o *ClaimOptions) error { got = o; return nil }), tt.args...)
			if code, _ := clitest.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				return
			}
			if fmt.Sprint(got.IDs) != fmt.Sprint(tt.wantIDs) && !(len(got.IDs) == 0 && len(tt.wantIDs) == 0) {
				t.Errorf("ids = %v, want %v", got.IDs, tt.wantIDs)
			}
			if got.ProtocolName != tt.wantProt || got.Tx.Yes != tt.wantYes {
				t.Errorf("options = %+v", got)
			}
		})
	}
}

func claimCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdClaim(f, nil) }

type claimDoc struct {
	Action         string
	Amount         string
	RequestIDs     []string
	AlreadyClaimed []string
	Transactions   []struct{ Action, Status, TxHash string }
}

func decodeClaim(t *testing.T, e *clitest.Env) claimDoc {
	t.Helper()
	var d claimDoc
	if err := json.Unmarshal([]byte(e.Out.String()), &d); err != nil {
		t.Fatalf("%v\n%s", err, e.Out)
	}
	return d
}

// TestClaimAgainstNode: claims of the fake Lido queue's requests, and the
// refusals that must send nothing.
func TestClaimAgainstNode(t *testing.T) {
	t.Run("every claimable in one transaction", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		a := e.Lido.AddRequest(e.Alice, clitest.Ether(1), false)
		b := e.Lido.AddRequest(e.Alice, clitest.Ether(2), true)
		pending := e.Lido.AddRequest(e.Alice, clitest.Ether(4), false)
		before := e.Node.Balance(e.Alice)
		if code := e.Run(claimCmd, "--yes", "--json"); code != 0 {
			t.Fatalf("exit %d\n%s", code, e.ErrOut)
		}
		d := decodeClaim(t, e)
		if d.Action != "claim" || fmt.Sprint(d.RequestIDs) != fmt.Sprint([]string{fmt.Sprint(a), fmt.Sprint(b)}) || len(d.AlreadyClaimed) != 0 {
			t.Errorf("document = %+v", d)
		}
		if len(d.Transactions) != 1 || d.Transactions[0].Action != "claimWithdrawals" || d.Transactions[0].Status != "success" || len(e.Node.Sent()) != 1 {
			t.Fatalf("transactions = %+v, node got %d", d.Transactions, len(e.Node.Sent()))
		}
		for id, claimed := range map[uint64]bool{a: true, b: true, pending: false} {
			if r, _ := e.Lido.Request(id); r.Claimed != claimed {
				t.Errorf("request %d claimed = %v, want %v", id, r.Claimed, claimed)
			}
		}
		// 3 ETH paid out, minus the fee.
		gain := new(big.Int).Sub(e.Node.Balance(e.Alice), before)
		if gain.Cmp(clitest.Ether(3)) >= 0 || gain.Cmp(clitest.Ether(2)) <= 0 || d.Amount != clitest.Ether(3).String() {
			t.Errorf("balance rose by %s, amount %s; want 3 ETH less the fee", gain, d.Amount)
		}
	})

	t.Run("nothing to claim", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		e.Lido.AddRequest(e.Alice, clitest.Ether(1), false)
		if code := e.Run(claimCmd, "--yes"); code != 0 || !strings.Contains(e.Out.String(), "Nothing to claim") {
			t.Fatalf("exit %d, stdout %q", code, e.Out)
		}
		if code := e.Run(claimCmd, "--yes", "--json"); code != 0 {
			t.Fatal(code)
		}
		var raw map[string]any
		if err := json.Unmarshal([]byte(e.Out.String()), &raw); err != nil {
			t.Fatal(err)
		}
		// Scripts read one shape: empty lists, not nulls or missing keys.
		for _, k := range []string{"requestIds", "alreadyClaimed", "transactions"} {
			if l, ok := raw[k].([]any); !ok || len(l) != 0 {
				t.Errorf("%s = %#v, want []", k, raw[k])
			}
		}
		if len(e.Node.Sent()) != 0 {
			t.Error("sent a transaction with nothing to claim")
		}
	})

	t.Run("explicit ids skip the claimed ones", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		a := e.Lido.AddRequest(e.Alice, clitest.Ether(1), true)
		if code := e.Run(claimCmd, fmt.Sprint(a), "--yes"); code != 0 {
			t.Fatalf("first claim: exit %d\n%s", code, e.ErrOut)
		}
		b := e.Lido.AddRequest(e.Alice, clitest.Ether(1), true)
		if code := e.Run(claimCmd, fmt.Sprint(a), fmt.Sprint(b), "--yes", "--json"); code != 0 {
			t.Fatalf("exit %d\n%s", code, e.ErrOut)
		}
		d := decodeClaim(t, e)
		if fmt.Sprint(d.RequestIDs) != fmt.Sprint([]string{fmt.Sprint(b)}) || fmt.Sprint(d.AlreadyClaimed) != fmt.Sprint([]string{fmt.Sprint(a)}) {
			t.Errorf("document = %+v", d)
		}
		if len(e.Node.Sent()) != 2 {
			t.Errorf("%d sent, want 2 (one per run)", len(e.Node.Sent()))
		}
	})

	refusals := []struct {
		name string
		ids  func(e *clitest.Env) []string
		msg  string
	}{
		{"a pending id", func(e *clitest.Env) []string {
			return []string{fmt.Sprint(e.Lido.AddRequest(e.Alice, clitest.Ether(1), false))}
		}, "still pending"},
		{"someone else's id", func(e *clitest.Env) []string {
			return []string{fmt.Sprint(e.Lido.AddRequest(e.Bob, clitest.Ether(1), true))}
		}, "belongs to"},
		{"an unknown id", func(e *clitest.Env) []string { return []string{"999"} }, "999"},
		{"a malformed id", func(e *clitest.Env) []string { return []string{"abc"} }, "abc"},
		{"an id twice", func(e *clitest.Env) []string {
			id := fmt.Sprint(e.Lido.AddRequest(e.Alice, clitest.Ether(1), true))
			return []string{id, "#" + id}
		}, "twice"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			args := append(tt.ids(e), "--yes")
			err := clitest.Exec(e.F, NewCmdClaim(e.F, nil), args...)
			if code, _ := clitest.ExitCode(err); code != cmdutil.ExitBadInput || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("exit %d (%v), want 2 with %q", code, err, tt.msg)
			}
			if len(e.Node.Sent()) != 0 {
				t.Errorf("sent %d transactions", len(e.Node.Sent()))
			}
		})
	}
}
