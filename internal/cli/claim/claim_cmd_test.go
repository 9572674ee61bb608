package claim

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdClaim: ids, --protocol and the transaction flags reach the
// options (of those, --yes is compared); unknown flags are usage errors.
func TestNewCmdClaim(t *testing.T) {
	clitest.RunFlagCases(t, NewCmdClaim, []clitest.FlagCase[ClaimOptions]{
		{Name: "every claimable", Args: nil},
		{Name: "ids", Args: []string{"12", "13"}, Want: ClaimOptions{IDs: []string{"12", "13"}}},
		{Name: "protocol and tx flags", Args: []string{"7", "--protocol", "lido", "--yes", "--gas-limit", "500000"},
			Want: ClaimOptions{IDs: []string{"7"}, ProtocolName: "lido", Tx: cmdutil.TxFlags{Yes: true}}},
		{Name: "unknown flag", Args: []string{"--token", "x"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *ClaimOptions) {
		if fmt.Sprint(got.IDs) != fmt.Sprint(want.IDs) && !(len(got.IDs) == 0 && len(want.IDs) == 0) {
			t.Errorf("ids = %v, want %v", got.IDs, want.IDs)
		}
		if got.ProtocolName != want.ProtocolName || got.Tx.Yes != want.Tx.Yes {
			t.Errorf("options = %+v", got)
		}
	})
}

func claimCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdClaim(f, nil) }

type claimDoc struct {
	Action         string
	Amount         string
	RequestIDs     []string
	AlreadyClaimed []string
	Transactions   []struct{ Action, Status, TxHash string }
}

func decodeClaim(t *testing.T, e *clitest.Env) (d claimDoc) {
	t.Helper()
	e.JSON(t, &d)
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
		e.RunOK(t, claimCmd, "--yes", "--json")
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
		e.RunOK(t, claimCmd, "--yes", "--json")
		var raw map[string]any
		e.JSON(t, &raw)
		// Scripts read one shape: empty lists, not nulls or missing keys.
		for _, k := range []string{"requestIds", "alreadyClaimed", "transactions"} {
			if l, ok := raw[k].([]any); !ok || len(l) != 0 {
				t.Errorf("%s = %#v, want []", k, raw[k])
			}
		}
		e.AssertNothingSent(t)
	})

	t.Run("explicit ids skip the claimed ones", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		a := e.Lido.AddRequest(e.Alice, clitest.Ether(1), true)
		if code := e.Run(claimCmd, fmt.Sprint(a), "--yes"); code != 0 {
			t.Fatalf("first claim: exit %d\n%s", code, e.ErrOut)
		}
		b := e.Lido.AddRequest(e.Alice, clitest.Ether(1), true)
		e.RunOK(t, claimCmd, fmt.Sprint(a), fmt.Sprint(b), "--yes", "--json")
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
			e.RunFails(t, claimCmd, cmdutil.ExitBadInput, tt.msg, args...)
			e.AssertNothingSent(t)
		})
	}
}
