package withdrawals

import (
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/pkg/watch"
)

// waitDoc is the wait's final JSON document.
type waitDoc struct {
	Withdrawals []RequestDoc `json:"withdrawals"`
	Claims      *[]struct {
		DryRun       bool     `json:"dryRun"`
		RequestIDs   []string `json:"requestIds"`
		Transactions []struct {
			Status string `json:"status"`
			TxHash string `json:"txHash"`
		} `json:"transactions"`
	} `json:"claims"`
}

// TestWaitAlreadyClaimable: waiting on a request that is already
// claimable ends at the first check, without waiting for a block; with
// --claim it claims it in one transaction, and the final document embeds
// the claim's result. What cannot be confirmed is refused before anything
// is signed.
func TestWaitAlreadyClaimable(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantSent int
		check    func(t *testing.T, e *clitest.Env, id string)
	}{
		{
			name: "json, no claim", args: []string{"ID", "--json"},
			check: func(t *testing.T, e *clitest.Env, id string) {
				doc := decodeWait(t, e)
				if doc.Claims != nil {
					t.Error(`"claims" without --claim`)
				}
				if len(doc.Withdrawals) != 1 || doc.Withdrawals[0].ID != id || doc.Withdrawals[0].Status != "claimable" ||
					doc.Withdrawals[0].Claimable == nil || *doc.Withdrawals[0].Claimable != "250000000000000000" {
					t.Errorf("withdrawals %+v", doc.Withdrawals)
				}
				if !strings.Contains(e.ErrOut.String(), `"event":"status"`) {
					t.Errorf("no status event on stderr:\n%s", e.ErrOut)
				}
			},
		},
		{
			name: "human, no claim", args: []string{"ID"},
			check: func(t *testing.T, e *clitest.Env, id string) {
				if want := "All claimable. Claim with `stakewallet claim " + id + "`."; !strings.Contains(e.Out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, e.Out)
				}
				if want := "lido #" + id + " claimable, 0.25 ETH to claim"; !strings.Contains(e.ErrOut.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, e.ErrOut)
				}
			},
		},
		{
			name: "claim", args: []string{"ID", "--claim", "--yes", "--json"}, wantSent: 1,
			check: func(t *testing.T, e *clitest.Env, id string) {
				doc := decodeWait(t, e)
				if len(doc.Withdrawals) != 1 || doc.Withdrawals[0].Status != "claimed" {
					t.Errorf("withdrawals %+v", doc.Withdrawals)
				}
				if doc.Claims == nil || len(*doc.Claims) != 1 {
					t.Fatalf("claims %+v", doc.Claims)
				}
				c := (*doc.Claims)[0]
				hash := e.Node.Sent()[0].Hash().Hex()
				if len(c.RequestIDs) != 1 || c.RequestIDs[0] != id || len(c.Transactions) != 1 ||
					c.Transactions[0].Status != "success" || c.Transactions[0].TxHash != hash {
					t.Errorf("claim %+v, want request %s in tx %s", c, id, hash)
				}
				n, _ := strconv.ParseUint(id, 10, 64)
				if r, _ := e.Lido.Request(n); !r.Claimed {
					t.Error("the queue has the request unclaimed")
				}
				if !strings.Contains(e.ErrOut.String(), `"event":"claimed"`) || !strings.Contains(e.ErrOut.String(), hash) {
					t.Errorf("no claimed event naming %s:\n%s", hash, e.ErrOut)
				}
			},
		},
		{
			name: "claim, human", args: []string{"ID", "--claim", "--yes"}, wantSent: 1,
			check: func(t *testing.T, e *clitest.Env, id string) {
				// The claim is shown as `claim` shows it, then the table.
				for _, want := range []string{"✓ Claim 1 withdrawal request (0.25 ETH) from Lido", "claimed ids", "Done: 1 request claimed."} {
					if !strings.Contains(e.Out.String(), want) {
						t.Errorf("output lacks %q:\n%s", want, e.Out)
					}
				}
				if !hasRowPrefix(e.Out.String(), []string{id, "lido", "0.25", "stETH", "claimed"}) {
					t.Errorf("no claimed row:\n%s", e.Out)
				}
			},
		},
		{
			name: "claim, dry run", args: []string{"ID", "--claim", "--dry-run", "--json"},
			check: func(t *testing.T, e *clitest.Env, id string) {
				doc := decodeWait(t, e)
				if doc.Claims == nil || len(*doc.Claims) != 1 || !(*doc.Claims)[0].DryRun ||
					len((*doc.Claims)[0].Transactions) != 1 || (*doc.Claims)[0].Transactions[0].Status != "unsigned" {
					t.Errorf("claims %+v", doc.Claims)
				}
			},
		},
		{
			name: "claim needs confirmation, stdin is no terminal", args: []string{"ID", "--claim"}, wantCode: cmdutil.ExitNeedsInput,
			check: func(t *testing.T, e *clitest.Env, _ string) {
				// Refused before days of waiting: not even the node was asked.
				if n := e.Node.Requests(); n != 0 {
					t.Errorf("%d requests to the node", n)
				}
			},
		},
		{name: "claim is the signer's", args: []string{"ID", "--claim", "--yes", "--owner", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}, wantCode: cmdutil.ExitBadInput},
		{name: "bad interval", args: []string{"ID", "--interval", "0s"}, wantCode: cmdutil.ExitBadInput},
		{name: "bad id", args: []string{"--", "-3"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewFakenetEnv(t)
			quarter := new(big.Int).Div(clitest.Ether(1), big.NewInt(4))
			id := strconv.FormatUint(e.Lido.AddRequest(e.Alice, quarter, true), 10)
			args := []string{"wait"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "ID", id))
			}
			start := time.Now()
			code := e.Run(buildList, args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, e.Out, e.ErrOut)
			}
			// The default interval is the time to the next poll: returning
			// sooner means the first check ended the wait.
			if d := time.Since(start); d >= watch.DefaultInterval/2 {
				t.Errorf("took %s", d)
			}
			if got := len(e.Node.Sent()); got != tt.wantSent {
				t.Errorf("%d transactions sent, want %d", got, tt.wantSent)
			}
			if tt.check != nil {
				tt.check(t, e, id)
			}
		})
	}
}

// TestWaitTimeout: an explicit --timeout bounds a wait on a pending
// request (exit 5, with the command that resumes); nothing is sent.
func TestWaitTimeout(t *testing.T) {
	e := clitest.NewFakenetEnv(t)
	id := strconv.FormatUint(e.Lido.AddRequest(e.Alice, clitest.Ether(1), false), 10)
	e.RunFails(t, buildList, cmdutil.ExitTimeout, "resume with `stakewallet withdrawals wait "+id+"`",
		"wait", id, "--timeout", "300ms", "--interval", "20ms")
	e.AssertNothingSent(t)
}

func decodeWait(t *testing.T, e *clitest.Env) (doc waitDoc) {
	t.Helper()
	e.JSON(t, &doc)
	return doc
}
