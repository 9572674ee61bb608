package withdrawals

import (
	"context"
	"encoding/json"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func buildList(f *cmdutil.Factory) *cobra.Command { return NewCmdWithdrawals(f, nil) }

// listFixture is one claimable and one pending request of Alice's; at
// share rate 1 a claim pays what was requested.
type listFixture struct {
	claimableID, pendingID uint64
	claimable, pending     *big.Int
}

func setUpList(t *testing.T) (*clitest.Env, listFixture) {
	e := clitest.NewFakenetEnv(t)
	fx := listFixture{claimable: big.NewInt(25e16), pending: big.NewInt(5e17)}
	// Finalizing finalizes every request up to the id: the claimable one
	// goes first.
	fx.claimableID = e.Lido.AddRequest(e.Alice, fx.claimable, true)
	fx.pendingID = e.Lido.AddRequest(e.Alice, fx.pending, false)
	return e, fx
}

// todaysKeys are the keys of a request object before the driver refactor;
// target, claimableAt and claimBy join them only when set.
var todaysKeys = []string{"id", "protocol", "owner", "amount", "symbol", "decimals", "status", "requestedAt",
	"eta", "etaNote", "requestsAhead", "amountAhead", "claimable"}

// TestWithdrawalsListJSON: each request with its amount, status, owner and
// claimable amount as the node has them, the pending one placed in the
// queue, and no key added or lost.
func TestWithdrawalsListJSON(t *testing.T) {
	e, fx := setUpList(t)
	e.RunOK(t, buildList, "--json")
	var doc struct {
		Withdrawals []map[string]any `json:"withdrawals"`
	}
	e.JSON(t, &doc)
	if len(doc.Withdrawals) != 2 {
		t.Fatalf("%d requests:\n%s", len(doc.Withdrawals), e.Out)
	}
	tests := []struct {
		id        uint64
		status    string
		amount    *big.Int
		claimable any
	}{
		{fx.claimableID, "claimable", fx.claimable, fx.claimable.String()},
		{fx.pendingID, "pending", fx.pending, nil},
	}
	for i, tt := range tests {
		r := doc.Withdrawals[i]
		var keys []string
		for k := range r {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := slices.Clone(todaysKeys)
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Errorf("request %d keys %v, want %v", tt.id, keys, want)
		}
		req, _ := e.Lido.Request(tt.id)
		if r["id"] != big.NewInt(int64(tt.id)).String() || r["status"] != tt.status || r["amount"] != tt.amount.String() ||
			r["claimable"] != tt.claimable || r["owner"] != e.Alice.Hex() || r["symbol"] != "stETH" || r["decimals"] != float64(18) ||
			r["protocol"] != "lido" || r["requestedAt"] != req.RequestedAt.Format(time.RFC3339) {
			t.Errorf("request %d: %v", tt.id, r)
		}
	}
	pending := doc.Withdrawals[1]
	// Request 1 is finalized: nothing is queued ahead of request 2.
	if pending["requestsAhead"] != float64(0) || pending["amountAhead"] != "0" || pending["etaNote"] == nil {
		t.Errorf("pending request's place: %v", pending)
	}
	e.AssertNothingSent(t)
}

// TestWithdrawalsListHuman: a table row per request with its status and
// what a claim pays in the network's coin; an account without requests
// says so.
func TestWithdrawalsListHuman(t *testing.T) {
	e, fx := setUpList(t)
	tests := []struct {
		name string
		args []string
		want [][]string // each a row's leading fields
		text string
	}{
		{
			name: "two requests",
			want: [][]string{
				{big.NewInt(int64(fx.claimableID)).String(), "lido", "0.25", "stETH", "claimable"},
				{big.NewInt(int64(fx.pendingID)).String(), "lido", "0.5", "stETH", "pending"},
			},
			text: "0.25 ETH",
		},
		{name: "another owner", args: []string{"--owner", e.Bob.Hex()}, text: "No withdrawal requests."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.RunOK(t, buildList, tt.args...)
			out := e.Out.String()
			if !strings.Contains(out, tt.text) {
				t.Errorf("output lacks %q:\n%s", tt.text, out)
			}
			for _, row := range tt.want {
				if !hasRowPrefix(out, row) {
					t.Errorf("no row starting %q:\n%s", strings.Join(row, " "), out)
				}
			}
		})
	}
}

// instant is a protocol whose unstake pays out at once: it has no
// withdrawal requests.
type instant struct{ protocol.Protocol }

func (instant) Name() string        { return "instant" }
func (instant) DisplayName() string { return "Instant" }

// TestWithdrawalsWithoutRequests: a protocol without the requests
// capability is left out of the list, and naming it is exit 2.
func TestWithdrawalsWithoutRequests(t *testing.T) {
	tests := []struct {
		name     string
		protocol string
		wantCode int
		wantIDs  int
	}{
		{name: "left out of every protocol", protocol: "", wantIDs: 2},
		{name: "named", protocol: "instant", wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := setUpList(t)
			opts := &WithdrawalsOptions{Deps: withInstant(e), JSON: true, ProtocolName: tt.protocol}
			err := withdrawalsRun(context.Background(), opts)
			if code, _ := clitest.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if !strings.Contains(err.Error(), "Instant has no withdrawal requests") {
					t.Errorf("error %q", err)
				}
				return
			}
			var doc struct{ Withdrawals []RequestDoc }
			e.JSON(t, &doc)
			if len(doc.Withdrawals) != tt.wantIDs {
				t.Errorf("%d requests, want %d", len(doc.Withdrawals), tt.wantIDs)
			}
		})
	}
}

// withInstant is the env's dependencies on a network that also has the
// instant protocol.
func withInstant(e *clitest.Env) txcmd.Deps {
	d := txcmd.DepsFrom(e.F)
	network := d.Network
	d.Network = func() (*config.Network, error) {
		n, err := network()
		if err != nil {
			return nil, err
		}
		c := *n
		c.Protocols = map[string]protocol.Addresses{"instant": {}}
		for k, v := range n.Protocols {
			c.Protocols[k] = v
		}
		return &c, nil
	}
	bind := d.Protocol
	d.Protocol = func(ctx context.Context, name string) (protocol.Protocol, error) {
		if name == "instant" {
			return instant{}, nil
		}
		return bind(ctx, name)
	}
	return d
}

// TestRequestDocOptionalFields: a cooldown's window and a validator appear
// in JSON only when the protocol sets them, and an expired request says
// when its window closed.
func TestRequestDocOptionalFields(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	by := at.Add(7 * 24 * time.Hour)
	base := protocol.Withdrawal{ID: "7", Protocol: "savax", Owner: alice, Amount: big.NewInt(3e18),
		Token: protocol.Token{Symbol: "sAVAX", Decimals: 18}, RequestedAt: at.Add(-15 * 24 * time.Hour)}
	tests := []struct {
		name     string
		edit     func(w *protocol.Withdrawal)
		wantKeys map[string]string // optional key → value; absent keys must be missing
		human    string
	}{
		{name: "pooled, no window", edit: func(w *protocol.Withdrawal) { w.Status = protocol.StatusPending }, wantKeys: map[string]string{}, human: "pending"},
		{
			name: "claimable in a window",
			edit: func(w *protocol.Withdrawal) {
				w.Status, w.ClaimableAt, w.ClaimBy, w.Claimable = protocol.StatusClaimable, &at, &by, big.NewInt(31e17)
			},
			wantKeys: map[string]string{"claimableAt": "2026-03-01T12:00:00Z", "claimBy": "2026-03-08T12:00:00Z"},
			human:    "3.1 AVAX until " + by.Local().Format(timeLayout),
		},
		{
			name:     "expired",
			edit:     func(w *protocol.Withdrawal) { w.Status, w.ClaimableAt, w.ClaimBy = protocol.StatusExpired, &at, &by },
			wantKeys: map[string]string{"claimableAt": "2026-03-01T12:00:00Z", "claimBy": "2026-03-08T12:00:00Z"},
			human:    "expired " + by.Local().Format(timeLayout),
		},
		{
			name:     "unbonding from a validator",
			edit:     func(w *protocol.Withdrawal) { w.Status, w.Target = protocol.StatusPending, "0xvalidator" },
			wantKeys: map[string]string{"target": "0xvalidator"},
			human:    "pending",
		},
	}
	avax := (&config.Network{NativeSymbol: "AVAX", NativeDecimals: 18}).Native()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := base
			tt.edit(&w)
			b, err := json.Marshal(NewRequestDoc(Row{Withdrawal: w}))
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"target", "claimableAt", "claimBy"} {
				want, ok := tt.wantKeys[k]
				if got, has := m[k]; has != ok || (ok && got != want) {
					t.Errorf("%s = %v (present %v), want %q (present %v)", k, got, has, want, ok)
				}
			}
			if m["status"] != string(w.Status) {
				t.Errorf("status %v", m["status"])
			}
			ios, out, _ := iostreams.Test("")
			renderList(out, output.NewStyles(ios), []Row{{Withdrawal: w}}, avax, at)
			if !strings.Contains(out.String(), tt.human) {
				t.Errorf("human output lacks %q:\n%s", tt.human, out)
			}
		})
	}
}

// hasRowPrefix reports whether a line of out starts with the fields want.
func hasRowPrefix(out string, want []string) bool {
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= len(want) && slices.Equal(f[:len(want)], want) {
			return true
		}
	}
	return false
}
