package withdrawals

import (
	"bytes"
	"context"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// TestExpiryWarner: a claimable request whose window closes within 24 h
// is warned about once, as a stderr line or a JSON event; others are not.
func TestExpiryWarner(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	row := func(id string, st protocol.Status, claimBy *time.Time) Row {
		return Row{Withdrawal: protocol.Withdrawal{
			ID: protocol.RequestID(id), Protocol: "savax", Amount: big.NewInt(5), Status: st,
			Token: protocol.Token{Symbol: "sAVAX", Decimals: 18}, RequestedAt: now.Add(-15 * 24 * time.Hour), ClaimBy: claimBy,
		}}
	}
	rows := []Row{
		row("100-5", protocol.StatusClaimable, at(3*time.Hour)),
		row("101-5", protocol.StatusClaimable, at(30*time.Hour)),
		row("102-5", protocol.StatusPending, at(2*time.Hour)),
	}
	for _, c := range []struct {
		name        string
		json, claim bool
		check       func(t *testing.T, out string)
	}{
		{"line", false, false, func(t *testing.T, out string) {
			want := "WARNING: savax request 100-5 must be claimed within 3h00m (by "
			if !strings.HasPrefix(out, want) || !strings.Contains(out, "stakewallet claim 100-5 --protocol savax") || strings.Count(out, "\n") != 1 {
				t.Errorf("stderr %q, want one line starting %q with the claim command", out, want)
			}
		}},
		{"line with --claim", false, true, func(t *testing.T, out string) {
			if !strings.Contains(out, "claiming it now") || strings.Count(out, "\n") != 1 {
				t.Errorf("stderr %q, want one line saying it is claimed now", out)
			}
		}},
		{"json", true, false, func(t *testing.T, out string) {
			var ev struct {
				Event, ID, Status, ClaimBy, Remaining, Message string
			}
			if err := json.Unmarshal([]byte(out), &ev); err != nil {
				t.Fatalf("stderr %q: %v", out, err)
			}
			if ev.Event != "claimWindowClosing" || ev.ID != "100-5" || ev.Status != "claimable" || ev.Remaining != "3h0m0s" ||
				ev.ClaimBy != "2026-11-29T15:00:00Z" || ev.Message == "" {
				t.Errorf("event %+v", ev)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			reads := 0
			chainTime := func(context.Context) (time.Time, error) { reads++; return now, nil }
			e := newExpiryWarner(&buf, c.json, c.claim, &jsonReporter{w: &bytes.Buffer{}, now: func() time.Time { return now }}, func() time.Time { return now }, chainTime)
			e.check(context.Background(), rows)
			e.check(context.Background(), rows) // the next block: no second warning
			if reads != 2 {
				t.Errorf("%d chain time reads, want one per check while 101-5 is not warned about", reads)
			}
			c.check(t, buf.String())
		})
	}
}

// TestExpiryWarnerChainAhead: a node whose clock runs ahead (anvil moved
// by days) closes the window by its own time, and the warning says so;
// with nothing to warn about, the chain is not asked.
func TestExpiryWarnerChainAhead(t *testing.T) {
	wall := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	chain := wall.Add(16 * 24 * time.Hour)
	claimBy := chain.Add(23 * time.Hour)
	rows := []Row{{Withdrawal: protocol.Withdrawal{ID: "7-1", Protocol: "savax", Amount: big.NewInt(1), Status: protocol.StatusClaimable,
		Token: protocol.Token{Symbol: "sAVAX", Decimals: 18}, ClaimBy: &claimBy}}}
	var buf bytes.Buffer
	reads := 0
	e := newExpiryWarner(&buf, false, true, &lineReporter{w: &bytes.Buffer{}}, func() time.Time { return wall },
		func(context.Context) (time.Time, error) { reads++; return chain, nil })
	e.check(context.Background(), rows)
	if !strings.Contains(buf.String(), "within 23h00m ") || reads != 1 {
		t.Errorf("stderr %q after %d chain reads: want the warning by the chain's time", buf.String(), reads)
	}
	pending := []Row{{Withdrawal: protocol.Withdrawal{ID: "8-1", Protocol: "savax", Status: protocol.StatusPending, ClaimBy: &claimBy}}}
	e.check(context.Background(), pending)
	if reads != 1 {
		t.Errorf("the chain was read for a pending request (%d reads)", reads)
	}
}

func TestTimeLeft(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{23 * time.Hour, "23h00m"},
		{23*time.Hour - time.Second, "22h59m"},
		{30*time.Hour + 5*time.Minute, "30h05m"},
		{59*time.Minute + 59*time.Second, "59m"},
		{time.Minute, "1m"},
		{59 * time.Second, "59s"},
		{0, "0s"},
		{-time.Second, "0s"},
	} {
		if got := timeLeft(c.d); got != c.want {
			t.Errorf("timeLeft(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}
