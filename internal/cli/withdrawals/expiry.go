package withdrawals

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/watch"
)

// expiryWarner warns loudly, once per request, when a claimable request's
// claim window (ClaimBy, sAVAX's redeem window) closes within
// watch.ClaimWindowWarning: a line on stderr, or with --json a
// "claimWindowClosing" event among the other stderr events. The wait's
// check calls it after each status read.
type expiryWarner struct {
	w      io.Writer
	json   bool
	claim  bool // --claim: the wait claims it now
	rep    reporter
	now    func() time.Time
	warned map[string]bool
}

func newExpiryWarner(w io.Writer, jsonMode, claim bool, rep reporter, now func() time.Time) *expiryWarner {
	return &expiryWarner{w: w, json: jsonMode, claim: claim, rep: rep, now: now, warned: map[string]bool{}}
}

// closingEvent is the JSON event: the request as the status events show
// it, with the time left.
type closingEvent struct {
	eventHead
	RequestDoc
	// Remaining is the time left in the claim window ("0s" once passed).
	Remaining string `json:"remaining"`
	Message   string `json:"message"`
}

// check warns about the rows whose window closes soon, once each.
func (e *expiryWarner) check(rows []Row) {
	ws := make([]protocol.Withdrawal, len(rows))
	byID := make(map[protocol.RequestID]Row, len(rows))
	for i, r := range rows {
		ws[i] = r.Withdrawal
		byID[r.ID] = r
	}
	now := e.now()
	for _, w := range watch.ClosingWindows(ws, now, watch.ClaimWindowWarning) {
		key := w.Protocol + "/" + string(w.ID)
		if e.warned[key] {
			continue
		}
		e.warned[key] = true
		left := max(w.ClaimBy.Sub(now), 0).Round(time.Second)
		msg := fmt.Sprintf("%s request %s must be claimed within %s (by %s) or it expires",
			w.Protocol, w.ID, left, w.ClaimBy.Local().Format(timeLayout))
		if e.claim {
			msg += "; claiming it now"
		} else {
			msg += fmt.Sprintf("; claim it now: stakewallet claim %s --protocol %s", w.ID, w.Protocol)
		}
		e.rep.pause()
		if e.json {
			b, err := json.Marshal(closingEvent{
				eventHead:  eventHead{Event: "claimWindowClosing", Time: now.UTC().Format(time.RFC3339)},
				RequestDoc: NewRequestDoc(byID[w.ID]),
				Remaining:  left.String(),
				Message:    msg,
			})
			if err == nil {
				fmt.Fprintf(e.w, "%s\n", b)
			}
		} else {
			fmt.Fprintf(e.w, "WARNING: %s\n", msg)
		}
		e.rep.resume()
	}
}
