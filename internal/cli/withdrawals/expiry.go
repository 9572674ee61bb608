package withdrawals

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/watch"
)

// expiryWarner warns loudly, once per request, when a claimable request's
// claim window (ClaimBy, sAVAX's redeem window) closes within
// watch.ClaimWindowWarning: a line on stderr, or with --json a
// "claimWindowClosing" event among the other stderr events. The wait's
// check calls it after each status read.
type expiryWarner struct {
	w     io.Writer
	json  bool
	claim bool // --claim: the wait claims it now
	rep   reporter
	now   func() time.Time
	// chainTime is the latest block's time (nil: the clock only). A node
	// whose clock was moved ahead (anvil) closes windows by its own time.
	chainTime func(ctx context.Context) (time.Time, error)
	warned    map[string]bool
}

func newExpiryWarner(w io.Writer, jsonMode, claim bool, rep reporter, now func() time.Time, chainTime func(context.Context) (time.Time, error)) *expiryWarner {
	return &expiryWarner{w: w, json: jsonMode, claim: claim, rep: rep, now: now, chainTime: chainTime, warned: map[string]bool{}}
}

// headTime reads the latest block's time through c.
func headTime(c interface {
	HeaderByNumber(context.Context, *big.Int) (*types.Header, error)
}) func(context.Context) (time.Time, error) {
	return func(ctx context.Context) (time.Time, error) {
		h, err := c.HeaderByNumber(ctx, nil)
		if err != nil {
			return time.Time{}, err
		}
		return time.Unix(int64(h.Time), 0), nil
	}
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

// check warns about the rows whose window closes soon, once each. The
// time is the later of the clock and the chain's; the chain's is read only
// while a claimable request with a window is not warned about yet and the
// clock alone does not warn (at most one header read per check).
func (e *expiryWarner) check(ctx context.Context, rows []Row) {
	var ws []protocol.Withdrawal
	byID := make(map[protocol.RequestID]Row, len(rows))
	for _, r := range rows {
		if r.Status == protocol.StatusClaimable && r.ClaimBy != nil && !e.warned[r.Protocol+"/"+string(r.ID)] {
			ws = append(ws, r.Withdrawal)
			byID[r.ID] = r
		}
	}
	if len(ws) == 0 {
		return
	}
	now := e.now()
	if e.chainTime != nil && len(watch.ClosingWindows(ws, now, watch.ClaimWindowWarning)) < len(ws) {
		if t, err := e.chainTime(ctx); err == nil && t.After(now) {
			now = t
		}
	}
	for _, w := range watch.ClosingWindows(ws, now, watch.ClaimWindowWarning) {
		key := w.Protocol + "/" + string(w.ID)
		if e.warned[key] {
			continue
		}
		e.warned[key] = true
		left := max(w.ClaimBy.Sub(now), 0).Round(time.Second)
		msg := fmt.Sprintf("%s request %s must be claimed within %s (by %s) or it expires",
			w.Protocol, w.ID, timeLeft(left), w.ClaimBy.Local().Format(timeLayout))
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

// timeLeft words what is left of a window for people: hours and minutes,
// rounded down (never more time than there is), seconds only in the last
// minute. "22h59m", "45m", "30s".
func timeLeft(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	default:
		return fmt.Sprintf("%ds", int(max(d, 0)/time.Second))
	}
}
