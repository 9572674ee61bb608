package polygon

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Validator statuses (StakeManager Status: Inactive, Active, Locked,
// Unstaked).
const (
	StatusActive   = "active"
	StatusJailed   = "jailed"
	StatusInactive = "inactive"
)

// The StakeManager's Status enum values the adapter tells apart
// (0 Inactive, 1 Active, 2 Locked, 3 Unstaked).
const (
	statusActive uint8 = 1
	statusLocked uint8 = 2
)

// speculative is how many validators Validators reads with NFTCounter in
// its first batch; more cost one more round trip.
const speculative = 32

// ParseValidator parses a --validator: a validator id, a whole number from 1.
func ParseValidator(target string) (uint64, error) {
	id, ok := parseNumber(strings.TrimSpace(target))
	if !ok {
		return 0, &protocol.LimitError{Reason: fmt.Sprintf("--validator %q: Polygon validators are named by their numeric id (e.g. 4); `stakewallet validators --protocol polygon` lists them", target)}
	}
	return id, nil
}

func statusName(v validatorInfo) string {
	switch {
	case v.Status == statusLocked:
		return StatusJailed
	case v.Status == statusActive && v.DeactivationEpoch.Sign() == 0:
		return StatusActive
	default:
		return StatusInactive
	}
}

// Validators implements protocol.Validators: every id from 1 to
// NFTCounter()−1 with StakeManager.validators(id): status (Active →
// active, Locked → jailed, Inactive, Unstaked or deactivating → inactive),
// commission (a whole percentage), total stake (own plus delegated) and
// its ValidatorShare as the credit. One round trip up to 32 validators
// (mainnet: two). Polygon validators have no on-chain moniker.
func (a *Polygon) Validators(ctx context.Context) ([]protocol.Validator, error) {
	return a.validators(ctx, a.direct())
}

// validatorsMsgs are Validators' first batch: NFTCounter and the first
// speculative validators.
func (a *Polygon) validatorsMsgs() ([]ethereum.CallMsg, error) {
	counter, err := msg(a.abis.sm, a.sm, "NFTCounter")
	if err != nil {
		return nil, err
	}
	msgs := []ethereum.CallMsg{counter}
	for id := uint64(1); id <= speculative; id++ {
		m, err := msg(a.abis.sm, a.sm, "validators", new(big.Int).SetUint64(id))
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

func (a *Polygon) validators(ctx context.Context, r *reader) ([]protocol.Validator, error) {
	msgs, err := a.validatorsMsgs()
	if err != nil {
		return nil, err
	}
	rets, errs := r.callAll(ctx, msgs)
	if errs[0] != nil {
		return nil, fmt.Errorf("polygon: read NFTCounter on %s: %w", a.sm.Hex(), errs[0])
	}
	n, err := unpackBig(a.abis.sm, "NFTCounter", rets[0])
	if err != nil {
		return nil, err
	}
	if !n.IsUint64() || n.Uint64() > 100_000 {
		return nil, fmt.Errorf("polygon: %w: NFTCounter = %s", protocol.ErrBadAnswer, n)
	}
	last := uint64(0)
	if n.Uint64() > 0 {
		last = n.Uint64() - 1
	}
	rets, errs = rets[1:], errs[1:]
	if last > speculative {
		var more []ethereum.CallMsg
		for id := uint64(speculative + 1); id <= last; id++ {
			m, err := msg(a.abis.sm, a.sm, "validators", new(big.Int).SetUint64(id))
			if err != nil {
				return nil, err
			}
			more = append(more, m)
		}
		r2, e2 := r.callAll(ctx, more)
		rets, errs = append(rets, r2...), append(errs, e2...)
	}
	var out []protocol.Validator
	for id := uint64(1); id <= last; id++ {
		if errs[id-1] != nil {
			return nil, fmt.Errorf("polygon: read validator %d: %w", id, errs[id-1])
		}
		v, err := a.abis.unpackValidator(rets[id-1])
		if err != nil {
			return nil, err
		}
		if v.ContractAddress == (common.Address{}) {
			continue // no delegation contract: nothing to delegate to
		}
		a.remember(id, v.ContractAddress)
		credit := ShareToken(id, v.ContractAddress)
		out = append(out, protocol.Validator{
			ID:         strconv.FormatUint(id, 10),
			Commission: v.CommissionRate.String(),
			TotalStake: new(big.Int).Add(v.Amount, v.DelegatedAmount),
			Status:     statusName(v),
			Credit:     &credit,
		})
	}
	return out, nil
}

func (a *Polygon) remember(id uint64, share common.Address) {
	a.mu.Lock()
	a.sharesMap[id] = share
	a.mu.Unlock()
}

// knownShares returns the ValidatorShares of ids known already, and the
// ids (distinct, in order) whose ValidatorShare is not.
func (a *Polygon) knownShares(ids []uint64) (known map[uint64]common.Address, missing []uint64) {
	known = map[uint64]common.Address{}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		if s, ok := a.sharesMap[id]; ok {
			known[id] = s
		} else if !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	return known, missing
}

// shareMsgs are the getValidatorContract reads of ids.
func (a *Polygon) shareMsgs(ids []uint64) ([]ethereum.CallMsg, error) {
	msgs := make([]ethereum.CallMsg, len(ids))
	for i, id := range ids {
		m, err := msg(a.abis.sm, a.sm, "getValidatorContract", new(big.Int).SetUint64(id))
		if err != nil {
			return nil, err
		}
		msgs[i] = m
	}
	return msgs, nil
}

// noValidator is the refusal of a validator without a ValidatorShare.
func noValidator(id uint64) error {
	return &protocol.LimitError{Reason: fmt.Sprintf("Polygon has no validator %d taking delegations; `stakewallet validators --protocol polygon` lists them", id)}
}

// shares returns the ValidatorShare of each id, reading the unknown ones
// (getValidatorContract) in one round trip; a validator without one is
// refused (LimitError). A ValidatorShare never changes, so each is read
// once per adapter.
func (a *Polygon) shares(ctx context.Context, r *reader, ids []uint64) (map[uint64]common.Address, error) {
	out, missing := a.knownShares(ids)
	if len(missing) == 0 {
		return out, nil
	}
	msgs, err := a.shareMsgs(missing)
	if err != nil {
		return nil, err
	}
	rets, errs := r.callAll(ctx, msgs)
	for i, id := range missing {
		if errs[i] != nil {
			return nil, fmt.Errorf("polygon: read the delegation contract of validator %d: %w", id, errs[i])
		}
		s, err := unpackAddress(a.abis.sm, "getValidatorContract", rets[i])
		if err != nil {
			return nil, err
		}
		if s == (common.Address{}) {
			return nil, noValidator(id)
		}
		a.remember(id, s)
		out[id] = s
	}
	return out, nil
}

func (a *Polygon) share(ctx context.Context, id uint64) (common.Address, error) {
	m, err := a.shares(ctx, a.direct(), []uint64{id})
	if err != nil {
		return common.Address{}, err
	}
	return m[id], nil
}
