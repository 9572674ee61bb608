package withdrawals

import (
	"bytes"
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
			want := "WARNING: savax request 100-5 must be claimed within 3h0m0s"
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
			e := newExpiryWarner(&buf, c.json, c.claim, &jsonReporter{w: &bytes.Buffer{}, now: func() time.Time { return now }}, func() time.Time { return now })
			e.check(rows)
			e.check(rows) // the next block: no second warning
			c.check(t, buf.String())
		})
	}
}
