package savax

import (
	"context"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// headerTimeout bounds the one header read RequestIDs may need (a node
// whose receipts' logs carry no blockTimestamp).
const headerTimeout = 30 * time.Second

// unlockRequest is one entry of userUnlockRequests[owner], at index idx.
type unlockRequest struct {
	idx       int
	startedAt uint64
	shares    *big.Int
	// rate is the AVAX per 1e18 shares a redeem pays, from
	// getPaginatedUnlockRequests; nil when not in the window (or unread).
	rate *big.Int
}

// snapshot is an owner's requests and the contract's periods, as of one
// block.
type snapshot struct {
	list             []unlockRequest
	cooldown, redeem uint64
	// now is the time of the block the reads ran at when Multicall3 told
	// it; the wall clock otherwise.
	now time.Time
}

// state is a request's place in its cooldown and window at s.now
// (staking-systems.md §4.5: pending while now ≤ S+C, redeemable while
// S+C < now ≤ S+C+R, expired after).
func (s *snapshot) state(r unlockRequest) protocol.Status {
	if r.rate != nil && r.rate.Sign() > 0 {
		return protocol.StatusClaimable // the contract said so
	}
	now := uint64(max(s.now.Unix(), 0))
	switch end := r.startedAt + s.cooldown; {
	case now <= end:
		return protocol.StatusPending
	case now <= end+s.redeem:
		// In the window by the clock, but the contract gave no rate: its
		// latest block is older than the clock. Not claimable yet.
		return protocol.StatusPending
	default:
		return protocol.StatusExpired
	}
}

// readSnapshot reads owner's requests in one round trip: the count, the
// whole array with the exchange rates of those in their window
// (getPaginatedUnlockRequests(owner, 0, 2^256-1): `to` is clamped to the
// length), both periods and the block time. Only when the page reverts
// (the contract has no exchange rate recorded yet) is the array read again
// entry by entry, in a second round trip.
func (s *SAvax) readSnapshot(ctx context.Context, owner common.Address) (*snapshot, error) {
	var msgs []ethereum.CallMsg
	for _, r := range []struct {
		sig  string
		args []any
	}{
		{"getUnlockRequestCount(address)", []any{owner}},
		{"getPaginatedUnlockRequests(address,uint256,uint256)", []any{owner, new(big.Int), math.MaxBig256}},
		{"cooldownPeriod()", nil},
		{"redeemPeriod()", nil},
	} {
		m, err := s.read(r.sig, r.args...)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	// Multicall3 (protocol.Multicall3) is at the same address on Avalanche
	// C-Chain and every devnet chain; its getCurrentBlockTimestamp() tells the
	// time of the block the other reads of a batch ran at. Where it is
	// missing (a bare anvil), the call returns nothing and the wall clock
	// stands in.
	mc := protocol.Multicall3
	msgs = append(msgs, ethereum.CallMsg{To: &mc, Data: selBlockTimestamp})
	rets, errs := protocol.CallAll(ctx, s.b, msgs)
	if len(rets) != len(msgs) || len(errs) != len(msgs) {
		return nil, fmt.Errorf("savax: %d answers for %d reads", len(rets), len(msgs))
	}
	for _, i := range []int{0, 2, 3} {
		if errs[i] != nil {
			return nil, fmt.Errorf("savax: read the unlock requests of %s from %s: %w", owner.Hex(), s.token.Hex(), errs[i])
		}
		if len(rets[i]) == 0 {
			return nil, fmt.Errorf("savax: %s returned nothing: no StakedAvax contract at that address on this network?", s.token.Hex())
		}
	}
	count, err := s.decodeUint(rets[0], "getUnlockRequestCount(address)")
	if err != nil {
		return nil, err
	}
	cooldown, err := s.decodeUint(rets[2], "cooldownPeriod()")
	if err != nil {
		return nil, err
	}
	redeem, err := s.decodeUint(rets[3], "redeemPeriod()")
	if err != nil {
		return nil, err
	}
	if !count.IsInt64() || count.Int64() > 1<<20 || !cooldown.IsUint64() || !redeem.IsUint64() {
		return nil, fmt.Errorf("%w: implausible unlock request count %s or periods %s/%s", protocol.ErrBadAnswer, count, cooldown, redeem)
	}
	snap := &snapshot{cooldown: cooldown.Uint64(), redeem: redeem.Uint64(), now: time.Now()}
	if errs[4] == nil && len(rets[4]) == 32 {
		if ts := new(big.Int).SetBytes(rets[4]); ts.IsInt64() && ts.Sign() > 0 {
			snap.now = time.Unix(ts.Int64(), 0)
		}
	}
	if count.Sign() == 0 {
		return snap, nil
	}
	if errs[1] == nil {
		if snap.list, err = s.decodePage(rets[1]); err != nil {
			return nil, err
		}
		return snap, nil
	}
	// The page reverted ("Exchange rate not found": a request is in its
	// window but no rate is recorded). Read the entries one by one.
	n := int(count.Int64())
	msgs = msgs[:0]
	for i := range n {
		m, err := s.read("userUnlockRequests(address,uint256)", owner, big.NewInt(int64(i)))
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	rets, errs = protocol.CallAll(ctx, s.b, msgs)
	if len(rets) != n || len(errs) != n {
		return nil, fmt.Errorf("savax: %d answers for %d unlock requests", len(rets), n)
	}
	for i := range n {
		if errs[i] != nil {
			return nil, fmt.Errorf("savax: read unlock request %d of %s: %w", i, owner.Hex(), errs[i])
		}
		vals, err := unpack(s.abi, "userUnlockRequests(address,uint256)", rets[i])
		if err != nil {
			return nil, err
		}
		started, ok1 := vals[0].(*big.Int)
		shares, ok2 := vals[1].(*big.Int)
		if !ok1 || !ok2 || !started.IsUint64() {
			return nil, fmt.Errorf("%w: userUnlockRequests returned %v", protocol.ErrBadAnswer, vals)
		}
		snap.list = append(snap.list, unlockRequest{idx: i, startedAt: started.Uint64(), shares: shares})
	}
	return snap, nil
}

// decodePage decodes getPaginatedUnlockRequests' (UnlockRequest[], uint[]).
func (s *SAvax) decodePage(ret []byte) ([]unlockRequest, error) {
	const sig = "getPaginatedUnlockRequests(address,uint256,uint256)"
	vals, err := unpack(s.abi, sig, ret)
	if err != nil {
		return nil, err
	}
	reqs, ok := pageEntries(vals[0])
	if !ok {
		return nil, fmt.Errorf("%w: %s returned %T", protocol.ErrBadAnswer, sig, vals[0])
	}
	rates, ok := vals[1].([]*big.Int)
	if !ok || len(rates) != len(reqs) {
		return nil, fmt.Errorf("%w: %s returned %d rates for %d requests", protocol.ErrBadAnswer, sig, len(rates), len(reqs))
	}
	out := make([]unlockRequest, len(reqs))
	for i, r := range reqs {
		if !r[0].IsUint64() || rates[i] == nil {
			return nil, fmt.Errorf("%w: %s returned a malformed request", protocol.ErrBadAnswer, sig)
		}
		out[i] = unlockRequest{idx: i, startedAt: r[0].Uint64(), shares: r[1]}
		if rates[i].Sign() > 0 {
			out[i].rate = rates[i]
		}
	}
	return out, nil
}

// pageEntries reads the (startedAt, shareAmount) pairs out of the slice
// of structs go-ethereum builds for UnlockRequest[].
func pageEntries(v any) ([][2]*big.Int, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil, false
	}
	out := make([][2]*big.Int, rv.Len())
	for i := range rv.Len() {
		e := rv.Index(i)
		if e.Kind() != reflect.Struct {
			return nil, false
		}
		for j, name := range []string{"StartedAt", "ShareAmount"} {
			f := e.FieldByName(name)
			if !f.IsValid() {
				return nil, false
			}
			n, ok := f.Interface().(*big.Int)
			if !ok || n == nil {
				return nil, false
			}
			out[i][j] = n
		}
	}
	return out, true
}

// withdrawal describes request r (named k) of owner.
func (s *SAvax) withdrawal(snap *snapshot, owner common.Address, r unlockRequest, k requestKey) protocol.Withdrawal {
	claimableAt := time.Unix(int64(r.startedAt+snap.cooldown+1), 0).UTC()
	claimBy := time.Unix(int64(r.startedAt+snap.cooldown+snap.redeem), 0).UTC()
	w := protocol.Withdrawal{
		ID:          k.id(),
		Protocol:    s.Name(),
		Owner:       owner,
		Amount:      new(big.Int).Set(r.shares),
		Token:       s.sAVAX(),
		Status:      snap.state(r),
		RequestedAt: time.Unix(int64(r.startedAt), 0).UTC(),
		ClaimableAt: &claimableAt,
		ClaimBy:     &claimBy,
	}
	switch w.Status {
	case protocol.StatusPending:
		eta := claimableAt
		w.ETA = &eta
	case protocol.StatusClaimable:
		w.Claimable = payout(r)
	}
	return w
}

// payout is what redeem pays: rate · shares / 1e18, rounded down.
func payout(r unlockRequest) *big.Int {
	if r.rate == nil {
		return nil
	}
	v := new(big.Int).Mul(r.rate, r.shares)
	return v.Quo(v, big.NewInt(1e18))
}

// RequestIDs implements protocol.Requests: one id per UnlockRequested event
// of the contract in receipt. The request time is the block's: the logs'
// blockTimestamp where the node sends it (geth, recent anvil), else one
// header read.
func (s *SAvax) RequestIDs(receipt *types.Receipt) []protocol.RequestID {
	if receipt == nil {
		return nil
	}
	topic := s.abi.Events["UnlockRequested"].ID
	var ids []protocol.RequestID
	seen := map[requestKey]int{}
	var blockTime uint64
	for _, lg := range receipt.Logs {
		if lg == nil || lg.Address != s.token || len(lg.Topics) != 2 || lg.Topics[0] != topic || len(lg.Data) != 32 {
			continue
		}
		if blockTime == 0 {
			blockTime = lg.BlockTimestamp
		}
		if blockTime == 0 {
			blockTime = s.blockTime(receipt)
		}
		if blockTime == 0 {
			return nil
		}
		k := requestKey{startedAt: blockTime, shares: new(big.Int).SetBytes(lg.Data).String()}
		seen[k]++
		k.nth = seen[k]
		ids = append(ids, k.id())
	}
	return ids
}

// blockTime reads the timestamp of receipt's block; 0 when it cannot.
func (s *SAvax) blockTime(receipt *types.Receipt) uint64 {
	if receipt.BlockNumber == nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), headerTimeout)
	defer cancel()
	h, err := s.b.HeaderByNumber(ctx, receipt.BlockNumber)
	if err != nil || h == nil {
		return 0
	}
	return h.Time
}

// Withdrawals implements protocol.Requests in one round trip (two when the
// contract has no exchange rate yet). With no ids it lists every open
// request of owner, oldest first. A given id that is no longer in the
// contract's list was redeemed, cancelled or returned as overdue — the
// contract keeps no trace of which — and is reported as claimed.
func (s *SAvax) Withdrawals(ctx context.Context, owner common.Address, ids []protocol.RequestID) ([]protocol.Withdrawal, error) {
	keys, err := parseKeys(ids)
	if err != nil {
		return nil, err
	}
	snap, err := s.readSnapshot(ctx, owner)
	if err != nil {
		return nil, err
	}
	names := keysOf(snap.list)
	byKey := make(map[requestKey]int, len(names))
	for i, k := range names {
		byKey[k] = i
	}
	var out []protocol.Withdrawal
	if len(keys) == 0 {
		for i, r := range snap.list {
			out = append(out, s.withdrawal(snap, owner, r, names[i]))
		}
	} else {
		for _, k := range keys {
			if i, ok := byKey[k]; ok {
				out = append(out, s.withdrawal(snap, owner, snap.list[i], k))
				continue
			}
			if k.startedAt > uint64(max(snap.now.Unix(), 0))+60 {
				return nil, &protocol.LimitError{Reason: fmt.Sprintf("sAVAX request %s does not exist: its time is in the future", k.id())}
			}
			out = append(out, protocol.Withdrawal{
				ID: k.id(), Protocol: s.Name(), Owner: owner, Amount: k.amount(), Token: s.sAVAX(),
				Status: protocol.StatusClaimed, RequestedAt: time.Unix(int64(k.startedAt), 0).UTC(),
			})
		}
	}
	slices.SortStableFunc(out, func(a, b protocol.Withdrawal) int { return a.RequestedAt.Compare(b.RequestedAt) })
	return out, nil
}

// parseKeys parses ids and drops duplicates, keeping the first.
func parseKeys(ids []protocol.RequestID) ([]requestKey, error) {
	var keys []requestKey
	seen := map[requestKey]bool{}
	for _, id := range ids {
		k, err := parseKey(string(id))
		if err != nil {
			return nil, err
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// Claim implements protocol.Requests: redeem(index) for each request in
// its window (AVAX at the rate recorded when its cooldown ended) and
// redeemOverdueShares(index) for each expired one (its sAVAX back), one
// transaction each. With no ids it takes every claimable and expired
// request of owner. A pending id, or one no longer open, is refused.
//
// The indices are read from the current array (one round trip) and the
// calls go from the highest index down: each call swaps the last entry into
// the slot it empties and pops, which only moves entries at or above that
// slot, so every later call's (lower) index still holds its request —
// whether the calls are mined one after the other or simulated together on
// today's state.
func (s *SAvax) Claim(ctx context.Context, owner common.Address, ids []protocol.RequestID) ([]protocol.Call, error) {
	keys, err := parseKeys(ids)
	if err != nil {
		return nil, err
	}
	snap, err := s.readSnapshot(ctx, owner)
	if err != nil {
		return nil, err
	}
	names := keysOf(snap.list)
	var targets []unlockRequest
	var problems []string
	if len(keys) == 0 {
		for _, r := range snap.list {
			if st := snap.state(r); st == protocol.StatusClaimable || st == protocol.StatusExpired {
				targets = append(targets, r)
			}
		}
		if len(targets) == 0 {
			return nil, &protocol.LimitError{Reason: "no claimable or expired sAVAX requests for " + owner.Hex()}
		}
	} else {
		byKey := make(map[requestKey]int, len(names))
		for i, k := range names {
			byKey[k] = i
		}
		for _, k := range keys {
			i, ok := byKey[k]
			if !ok {
				problems = append(problems, fmt.Sprintf("request %s is no longer open (already claimed, cancelled or returned)", k.id()))
				continue
			}
			r := snap.list[i]
			switch snap.state(r) {
			case protocol.StatusPending:
				at := time.Unix(int64(r.startedAt+snap.cooldown+1), 0)
				problems = append(problems, fmt.Sprintf("request %s is still in its cooldown until %s", k.id(), at.UTC().Format(time.RFC3339)))
			default:
				targets = append(targets, r)
			}
		}
	}
	if len(problems) > 0 {
		return nil, &protocol.LimitError{Reason: "cannot claim: " + strings.Join(problems, "; ")}
	}
	return s.claimCalls(snap, names, targets)
}

// claimCalls builds one call per target, highest index first.
func (s *SAvax) claimCalls(snap *snapshot, names []requestKey, targets []unlockRequest) ([]protocol.Call, error) {
	targets = slices.Clone(targets)
	slices.SortFunc(targets, func(a, b unlockRequest) int { return b.idx - a.idx })
	tok := s.sAVAX()
	paused, err := s.read("paused()")
	if err != nil {
		return nil, err
	}
	// redeem and redeemOverdueShares are whenNotPaused: one Check, on the
	// first call (the wallet reads it in its batch).
	notPaused := protocol.Check{Msg: paused, Verify: func(ret []byte) error {
		p, err := s.decodeBool(ret, "paused()")
		if err != nil {
			return err
		}
		if p {
			return &protocol.LimitError{Reason: "Benqi has paused the sAVAX contract: redeeming waits until it resumes (a request's window keeps running)"}
		}
		return nil
	}}
	calls := make([]protocol.Call, 0, len(targets))
	for _, r := range targets {
		idx := big.NewInt(int64(r.idx))
		id := names[r.idx].id()
		if snap.state(r) == protocol.StatusExpired {
			data, err := pack(s.abi, "redeemOverdueShares(uint256)", idx)
			if err != nil {
				return nil, err
			}
			calls = append(calls, protocol.Call{
				Action: "redeemOverdueShares",
				Description: fmt.Sprintf("Take back %s of expired sAVAX request %s (its redeem window closed %s)",
					amount.FormatUnits(r.shares, tok.Decimals, tok.Symbol), id,
					time.Unix(int64(r.startedAt+snap.cooldown+snap.redeem), 0).UTC().Format(time.RFC3339)),
				To: s.token, Data: data, Amount: new(big.Int).Set(r.shares), Token: tok, GasHint: gasOverdue,
			})
			continue
		}
		data, err := pack(s.abi, "redeem(uint256)", idx)
		if err != nil {
			return nil, err
		}
		call := protocol.Call{
			Action:  "redeem",
			To:      s.token,
			Data:    data,
			Token:   s.native,
			GasHint: gasRedeem,
		}
		if pay := payout(r); pay != nil {
			call.Amount = pay
			call.Description = fmt.Sprintf("Redeem %s for %s from sAVAX request %s",
				amount.FormatUnits(r.shares, tok.Decimals, tok.Symbol), amount.FormatUnits(pay, s.native.Decimals, s.native.Symbol), id)
		} else {
			call.Description = fmt.Sprintf("Redeem %s for AVAX from sAVAX request %s", amount.FormatUnits(r.shares, tok.Decimals, tok.Symbol), id)
		}
		calls = append(calls, call)
	}
	if len(calls) > 0 {
		calls[0].Checks = append(calls[0].Checks, notPaused)
	}
	return calls, nil
}

// Estimator implements protocol.Estimating. A request's cooldown is fixed
// when it is made, so the ETA is its claimableAt: no reads.
func (s *SAvax) Estimator() protocol.Estimator { return estimator{} }

type estimator struct{}

func (estimator) Estimate(_ context.Context, ws []protocol.Withdrawal) (map[protocol.RequestID]protocol.Estimate, error) {
	now := time.Now()
	out := map[protocol.RequestID]protocol.Estimate{}
	for _, w := range ws {
		if w.Status != protocol.StatusPending {
			continue
		}
		e := protocol.Estimate{AsOf: now, Note: "the end of the cooldown: requested at + cooldownPeriod"}
		if w.ClaimableAt != nil {
			eta := *w.ClaimableAt
			e.ETA = &eta
			if w.ClaimBy != nil {
				e.Note += fmt.Sprintf("; then redeem by %s or the request expires", w.ClaimBy.UTC().Format(time.RFC3339))
			}
		} else {
			e.Note = "unknown: the request carries no cooldown"
		}
		out[w.ID] = e
	}
	return out, nil
}
