package withdrawals

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/stakewallet/stakewallet/internal/cli/claim"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/watch"
)

// reporter shows the progress of a wait on stderr. There are three: a
// live view on a terminal, one line per state change when piped, and one
// JSON object per state change with --json. All write to stderr only:
// stdout carries the result alone.
type reporter interface {
	// mode says how new blocks are followed (err: why a subscription failed).
	mode(m watch.Mode, err error)
	// snapshot is the state after a check; changed lists the rows whose
	// status changed (or that are seen for the first time).
	snapshot(rows []Row, changed []change, head uint64)
	// retry reports a failed attempt and the delay before the next.
	retry(err error, delay time.Duration)
	// claimed reports a claim sent by the wait (--claim).
	claimed(ids []string, res *claim.Result)
	// pause clears any live view before something else writes to the
	// terminal (a claim's preview and prompt); resume redraws it.
	pause()
	resume()
	stop()
}

// change is one request's status change; prev is "" the first time.
type change struct {
	row  Row
	prev protocol.Status
}

// newReporter picks the reporter for the streams and flags; native is
// the network's coin, what claims pay.
func newReporter(w io.Writer, st output.Styles, native protocol.Token, jsonMode, live bool, interval time.Duration, now func() time.Time) reporter {
	switch {
	case jsonMode:
		return &jsonReporter{w: w, now: now}
	case live:
		r := &liveReporter{w: w, st: st, native: native, now: now, start: now(), interval: interval, done: make(chan struct{})}
		r.wg.Add(1)
		go r.tick()
		return r
	}
	return &lineReporter{w: w, st: st, native: native, now: now, interval: interval}
}

// ---- JSON: one object per line ----

type jsonReporter struct {
	mu  sync.Mutex
	w   io.Writer
	now func() time.Time
}

// eventHead is what every JSON event starts with.
type eventHead struct {
	Event string `json:"event"`
	Time  string `json:"time"`
}

type modeEvent struct {
	eventHead
	Mode  string  `json:"mode"`
	Error *string `json:"error"`
}

type statusEvent struct {
	eventHead
	RequestDoc
	// Previous is the status before, null the first time.
	Previous *string `json:"previous"`
	Block    uint64  `json:"block"`
}

type retryEvent struct {
	eventHead
	Error   string `json:"error"`
	RetryIn string `json:"retryIn"`
}

type claimedEvent struct {
	eventHead
	RequestIDs   []string    `json:"requestIds"`
	Transactions []claimedTx `json:"transactions"`
}

// claimedTx names one claim transaction; a dry run's has no hash or block.
type claimedTx struct {
	TxHash      *string `json:"txHash"`
	Status      string  `json:"status"`
	BlockNumber *uint64 `json:"blockNumber"`
}

func (r *jsonReporter) head(event string) eventHead {
	return eventHead{Event: event, Time: r.now().UTC().Format(time.RFC3339)}
}

func (r *jsonReporter) emit(v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	fmt.Fprintf(r.w, "%s\n", b)
}

func (r *jsonReporter) mode(m watch.Mode, err error) {
	e := modeEvent{eventHead: r.head("mode"), Mode: string(m)}
	if err != nil {
		msg := err.Error()
		e.Error = &msg
	}
	r.emit(e)
}

func (r *jsonReporter) snapshot(_ []Row, changed []change, head uint64) {
	for _, c := range changed {
		e := statusEvent{eventHead: r.head("status"), RequestDoc: NewRequestDoc(c.row), Block: head}
		if c.prev != "" {
			prev := string(c.prev)
			e.Previous = &prev
		}
		r.emit(e)
	}
}

func (r *jsonReporter) retry(err error, delay time.Duration) {
	r.emit(retryEvent{eventHead: r.head("retry"), Error: err.Error(), RetryIn: delay.Round(time.Millisecond).String()})
}

// claimed names the transactions; their decoded events are in the final
// document, not repeated in the log stream.
func (r *jsonReporter) claimed(ids []string, res *claim.Result) {
	e := claimedEvent{eventHead: r.head("claimed"), RequestIDs: ids, Transactions: []claimedTx{}}
	if res != nil && res.Result != nil {
		for _, t := range res.Transactions {
			tx := claimedTx{Status: t.Status, BlockNumber: t.BlockNumber}
			if t.TxHash != "" {
				hash := t.TxHash
				tx.TxHash = &hash
			}
			e.Transactions = append(e.Transactions, tx)
		}
	}
	r.emit(e)
}

func (r *jsonReporter) pause()  {}
func (r *jsonReporter) resume() {}
func (r *jsonReporter) stop()   {}

// ---- piped: one line per state change ----

type lineReporter struct {
	w        io.Writer
	st       output.Styles
	native   protocol.Token
	now      func() time.Time
	interval time.Duration
}

func (r *lineReporter) stamp() string { return r.now().Local().Format("15:04:05") }

func (r *lineReporter) mode(m watch.Mode, err error) {
	fmt.Fprintf(r.w, "%s %s\n", r.stamp(), modeText(m, err, r.interval))
}

func (r *lineReporter) snapshot(_ []Row, changed []change, _ uint64) {
	for _, c := range changed {
		fmt.Fprintf(r.w, "%s %s\n", r.stamp(), changeText(c, r.native, r.now()))
	}
}

func (r *lineReporter) retry(err error, delay time.Duration) {
	fmt.Fprintf(r.w, "%s warning: %s; retrying in %s\n", r.stamp(), output.SafeLines(err.Error()), delay.Round(time.Second))
}

func (r *lineReporter) claimed(ids []string, _ *claim.Result) {
	fmt.Fprintf(r.w, "%s claimed %s\n", r.stamp(), strings.Join(ids, ", "))
}

func (r *lineReporter) pause()  {}
func (r *lineReporter) resume() {}
func (r *lineReporter) stop()   {}

func modeText(m watch.Mode, err error, interval time.Duration) string {
	switch {
	case m == watch.ModeSubscription:
		return "following new blocks by subscription"
	case err != nil:
		return fmt.Sprintf("no subscription (%s): polling every %s", output.Safe(err.Error()), interval)
	}
	return fmt.Sprintf("polling every %s", interval)
}

// changeText is "lido #12 pending → claimable, 0.5 ETH to claim".
func changeText(c change, native protocol.Token, now time.Time) string {
	r := c.row
	s := fmt.Sprintf("%s #%s %s", r.Protocol, r.ID, r.Status)
	if c.prev != "" {
		s = fmt.Sprintf("%s #%s %s → %s", r.Protocol, r.ID, c.prev, r.Status)
	}
	switch r.Status {
	case protocol.StatusClaimable:
		if r.Claimable != nil {
			s += ", " + amount.FormatUnits(r.Claimable, native.Decimals, native.Symbol) + " to claim"
		}
		if r.ClaimBy != nil {
			s += " by " + r.ClaimBy.Local().Format(timeLayout)
		}
	case protocol.StatusExpired:
		if r.ClaimBy != nil {
			s += ", its claim window closed " + r.ClaimBy.Local().Format(timeLayout)
		}
	case protocol.StatusPending:
		if r.Est != nil {
			s += ", ETA " + etaText(r.Est, now)
			if r.Est.RequestsAhead != nil {
				s += ", " + aheadText(r) + " ahead"
			}
		}
	}
	return s
}

// ---- terminal: a live view redrawn in place ----

const (
	liveRows = 8  // requests shown one per line; the rest are summed up
	barWidth = 16 // cells of a progress bar
)

type liveReporter struct {
	w        io.Writer
	st       output.Styles
	native   protocol.Token
	now      func() time.Time
	start    time.Time
	interval time.Duration

	mu     sync.Mutex
	rows   []Row
	seen   bool // a snapshot arrived
	head   uint64
	how    string
	status string // the last retry, shown until the next good check
	drawn  int    // lines of the view on screen
	paused bool
	frame  int

	done chan struct{}
	wg   sync.WaitGroup
}

func (r *liveReporter) tick() {
	defer r.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-r.done:
			return
		case <-t.C:
			r.mu.Lock()
			r.frame++
			r.redraw()
			r.mu.Unlock()
		}
	}
}

func (r *liveReporter) mode(m watch.Mode, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.how = modeText(m, err, r.interval)
	r.redraw()
}

func (r *liveReporter) snapshot(rows []Row, changed []change, head uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows, r.head, r.status, r.seen = rows, head, "", true
	r.clear()
	for _, c := range changed {
		if c.prev == "" {
			continue // the view shows it
		}
		fmt.Fprintf(r.w, "%s %s\n", r.now().Local().Format("15:04:05"), changeText(c, r.native, r.now()))
	}
	r.redraw()
}

func (r *liveReporter) retry(err error, delay time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = fmt.Sprintf("RPC error, retrying in %s: %s", delay.Round(time.Second), output.Safe(err.Error())) // the node's words
	r.redraw()
}

func (r *liveReporter) claimed(ids []string, _ *claim.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clear()
	fmt.Fprintf(r.w, "%s claimed %s\n", r.now().Local().Format("15:04:05"), strings.Join(ids, ", "))
	r.redraw()
}

func (r *liveReporter) pause() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clear()
	r.paused = true
}

func (r *liveReporter) resume() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.paused = false
	r.redraw()
}

func (r *liveReporter) stop() {
	close(r.done)
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clear()
	r.paused = true
}

// clear erases the view: up to its first line, then to the end of the screen.
func (r *liveReporter) clear() {
	if r.drawn > 0 {
		fmt.Fprintf(r.w, "\033[%dF\033[J", r.drawn)
		r.drawn = 0
	}
}

func (r *liveReporter) redraw() {
	if r.paused {
		return
	}
	r.clear()
	if !r.seen {
		// Nothing read yet: a header with "0 of 0" would mislead.
		fmt.Fprintf(r.w, "%s Reading withdrawal requests…\n", spinnerFrames[r.frame%len(spinnerFrames)])
		r.drawn = 1
		return
	}
	lines := liveLines(r.st, r.native, r.rows, r.now(), r.now().Sub(r.start), r.how, r.status, r.head, r.frame)
	for _, l := range lines {
		fmt.Fprintln(r.w, l)
	}
	r.drawn = len(lines)
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// liveLines renders the view: a header with the elapsed time, then a line
// per request with a progress bar and the ETA, the rest summed up.
func liveLines(st output.Styles, native protocol.Token, rows []Row, now time.Time, elapsed time.Duration, how, status string, head uint64, frame int) []string {
	pending := 0
	for _, r := range rows {
		if r.Status == protocol.StatusPending {
			pending++
		}
	}
	head0 := fmt.Sprintf("%s Waiting for %s of %d · %s elapsed", spinnerFrames[frame%len(spinnerFrames)],
		plural(pending, "pending request"), len(rows), elapsed.Round(time.Second))
	if how != "" {
		head0 += " · " + how
	}
	if head > 0 {
		head0 += fmt.Sprintf(" · block %d", head)
	}
	lines := []string{head0}
	if status != "" {
		lines = append(lines, "  "+st.Warn.Render(status))
	}
	shown := rows
	if len(shown) > liveRows {
		shown = shown[:liveRows]
	}
	for _, r := range shown {
		lines = append(lines, "  "+liveRow(st, native, r, now))
	}
	if rest := rows[len(shown):]; len(rest) > 0 {
		var p, c, d, x int
		for _, r := range rest {
			switch r.Status {
			case protocol.StatusPending:
				p++
			case protocol.StatusClaimable:
				c++
			case protocol.StatusExpired:
				x++
			default:
				d++
			}
		}
		sum := fmt.Sprintf("  … %d more: %d pending, %d claimable, %d claimed", len(rest), p, c, d)
		if x > 0 {
			sum += fmt.Sprintf(", %d expired", x)
		}
		lines = append(lines, st.Dim.Render(sum))
	}
	return lines
}

func liveRow(st output.Styles, native protocol.Token, r Row, now time.Time) string {
	frac, known := progress(r, now)
	b := bar(frac, known)
	s := fmt.Sprintf("#%-6s %s  %s  %s", r.ID, amount.FormatUnits(r.Amount, r.Token.Decimals, r.Token.Symbol), b, statusText(st, r.Withdrawal))
	switch r.Status {
	case protocol.StatusPending:
		if r.Est != nil {
			s += "  ETA " + etaText(r.Est, now)
			if r.Est.RequestsAhead != nil && *r.Est.RequestsAhead > 0 {
				s += " · " + aheadText(r) + " ahead"
			}
		}
	case protocol.StatusClaimable:
		if r.Claimable != nil {
			s += "  " + amount.FormatUnits(r.Claimable, native.Decimals, native.Symbol)
		}
	}
	return s
}

// progress is how far a request is from requested to claimable, by the
// clock against its ETA; unknown without an ETA.
func progress(r Row, now time.Time) (float64, bool) {
	if r.Status != protocol.StatusPending {
		return 1, true
	}
	if r.ETA == nil || !r.ETA.After(r.RequestedAt) {
		return 0, false
	}
	if r.Est != nil {
		now = estimateNow(r.Est, now)
	}
	f := float64(now.Sub(r.RequestedAt)) / float64(r.ETA.Sub(r.RequestedAt))
	// Pending is never done, however late the report is.
	return min(max(f, 0), 0.99), true
}

func bar(frac float64, known bool) string {
	if !known {
		return "[" + strings.Repeat("·", barWidth) + "]"
	}
	n := int(frac * barWidth)
	return "[" + strings.Repeat("█", n) + strings.Repeat("░", barWidth-n) + "]"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
