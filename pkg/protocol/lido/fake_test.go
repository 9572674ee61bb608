package lido

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// fakeChain is a protocol.Backend that plays the three Lido contracts
// from a table of state. It decodes the calldata it receives with the
// ABI of the contract addressed (so a wrongly encoded read fails the
// test) and answers with ABI-encoded results.
type fakeChain struct {
	t    *testing.T
	abis *contractABIs

	stakingPaused bool
	stakeLimit    *big.Int
	noFullInfo    bool // getStakeLimitFullInfo reverts, as on a contract without it
	queuePaused   bool
	// balances and allowances per token contract.
	balances   map[common.Address]map[common.Address]*big.Int
	allowances map[common.Address]map[[2]common.Address]*big.Int
	// wstETH rate: stETH = wstETH·pooled/shares, like stETH's share math.
	pooled, shares *big.Int
	requests       map[uint64]requestStatus
	owned          map[common.Address][]*big.Int
	lastCheckpoint int64
	// checkpoint of a finalized request: the hint findCheckpointHints returns.
	checkpoint map[uint64]int64
	claimable  map[uint64]*big.Int

	calls []string // contract methods called, in order
}

var (
	alice = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	bob   = common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
)

func eth(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e18)) }

func newFake(t *testing.T) *fakeChain {
	t.Helper()
	abis, err := loadABIs()
	if err != nil {
		t.Fatal(err)
	}
	return &fakeChain{
		t:          t,
		abis:       abis,
		stakeLimit: eth(150_000),
		balances: map[common.Address]map[common.Address]*big.Int{
			DevnetStETH:  {alice: eth(1_000_000)},
			DevnetWstETH: {alice: eth(1_000_000)},
		},
		allowances: map[common.Address]map[[2]common.Address]*big.Int{},
		pooled:     big.NewInt(12),
		shares:     big.NewInt(10),
		requests:   map[uint64]requestStatus{},
		owned:      map[common.Address][]*big.Int{},
		checkpoint: map[uint64]int64{},
		claimable:  map[uint64]*big.Int{},
	}
}

func (f *fakeChain) adapter(t *testing.T) *Lido {
	t.Helper()
	p, err := New(devnetEnv(f))
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Lido)
}

// nativeETH is the devnet's coin as the network table hands it to New.
var nativeETH = protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}

// devnetEnv binds the adapter to the built-in devnet addresses read
// through b.
func devnetEnv(b protocol.Backend) protocol.Env {
	return protocol.Env{Network: "devnet", Addresses: Deployments["devnet"], Backend: b, Native: nativeETH}
}

// rids formats request ids as the adapter does (decimal strings).
func rids(vs ...int64) []protocol.RequestID {
	out := make([]protocol.RequestID, len(vs))
	for i, v := range vs {
		out[i] = protocol.RequestID(strconv.FormatInt(v, 10))
	}
	return out
}

func (f *fakeChain) setAllowance(token, owner, spender common.Address, v *big.Int) {
	if f.allowances[token] == nil {
		f.allowances[token] = map[[2]common.Address]*big.Int{}
	}
	f.allowances[token][[2]common.Address{owner, spender}] = v
}

// addRequest records request id of owner; status is "pending",
// "claimable" or "claimed".
func (f *fakeChain) addRequest(id uint64, owner common.Address, amt *big.Int, status string) {
	s := requestStatus{AmountOfStETH: amt, AmountOfShares: amt, Owner: owner, Timestamp: big.NewInt(1_700_000_000 + int64(id))}
	switch status {
	case "claimable":
		s.IsFinalized = true
		f.claimable[id] = new(big.Int).Sub(amt, big.NewInt(1)) // a little below face value
	case "claimed":
		s.IsFinalized, s.IsClaimed = true, true
	}
	if s.IsFinalized {
		f.checkpoint[id] = int64(id/10) + 1
		if f.checkpoint[id] > f.lastCheckpoint {
			f.lastCheckpoint = f.checkpoint[id]
		}
	}
	f.requests[id] = s
	f.owned[owner] = append(f.owned[owner], new(big.Int).SetUint64(id))
}

func (f *fakeChain) count(method string) int {
	n := 0
	for _, c := range f.calls {
		if c == method {
			n++
		}
	}
	return n
}

// revertErr carries revert data like go-ethereum's rpc error.
type revertErr struct{ data []byte }

func (e revertErr) Error() string  { return "execution reverted" }
func (e revertErr) ErrorData() any { return hexutil.Encode(e.data) }

func (f *fakeChain) revert(a *abi.ABI, name string, args ...any) error {
	e := a.Errors[name]
	body, err := e.Inputs.Pack(args...)
	if err != nil {
		f.t.Fatalf("pack %s: %v", name, err)
	}
	return revertErr{append(append([]byte{}, e.ID[:4]...), body...)}
}

func (f *fakeChain) CallContract(_ context.Context, msg ethereum.CallMsg, _ *big.Int) ([]byte, error) {
	if msg.To == nil {
		// As a node that runs no creation code in eth_call: the adapter
		// reads without its lens, which is what these tests cover.
		f.calls = append(f.calls, "create")
		return nil, errors.New("contract creation is not supported")
	}
	var a *abi.ABI
	switch *msg.To {
	case DevnetStETH:
		a = f.abis.stETH
	case DevnetWstETH:
		a = f.abis.wstETH
	case DevnetWithdrawalQueue:
		a = f.abis.queue
	case DevnetLocator:
		a = f.abis.locator
	default:
		return nil, nil // no contract: empty return data
	}
	m, err := a.MethodById(msg.Data)
	if err != nil {
		f.t.Fatalf("call to %s: %v", msg.To.Hex(), err)
	}
	args, err := m.Inputs.Unpack(msg.Data[4:])
	if err != nil {
		f.t.Fatalf("%s: bad calldata %x: %v", m.Name, msg.Data, err)
	}
	f.calls = append(f.calls, m.Name)
	out, err := f.answer(*msg.To, a, m.Name, args)
	if err != nil {
		return nil, err
	}
	res, err := m.Outputs.Pack(out...)
	if err != nil {
		f.t.Fatalf("%s: pack result: %v", m.Name, err)
	}
	return res, nil
}

func (f *fakeChain) answer(to common.Address, a *abi.ABI, method string, args []any) ([]any, error) {
	big0 := func(v *big.Int) *big.Int {
		if v == nil {
			return new(big.Int)
		}
		return v
	}
	ids := func(i int) []*big.Int { return args[i].([]*big.Int) }
	switch method {
	case "lido":
		return []any{DevnetStETH}, nil
	case "wstETH":
		return []any{DevnetWstETH}, nil
	case "withdrawalQueue":
		return []any{DevnetWithdrawalQueue}, nil
	case "getStakeLimitFullInfo":
		if f.noFullInfo {
			return nil, revertErr{}
		}
		lim := f.stakeLimit
		if f.stakingPaused {
			lim = new(big.Int)
		}
		return []any{f.stakingPaused, true, lim, eth(150_000), big.NewInt(6400), lim, big.NewInt(1)}, nil
	case "isStakingPaused":
		return []any{f.stakingPaused}, nil
	case "getCurrentStakeLimit":
		if f.stakingPaused {
			return []any{new(big.Int)}, nil
		}
		return []any{f.stakeLimit}, nil
	case "balanceOf":
		return []any{big0(f.balances[to][args[0].(common.Address)])}, nil
	case "allowance":
		return []any{big0(f.allowances[to][[2]common.Address{args[0].(common.Address), args[1].(common.Address)}])}, nil
	case "getWstETHByStETH":
		v := new(big.Int).Mul(args[0].(*big.Int), f.shares)
		return []any{v.Div(v, f.pooled)}, nil
	case "getStETHByWstETH":
		v := new(big.Int).Mul(args[0].(*big.Int), f.pooled)
		return []any{v.Div(v, f.shares)}, nil
	case "isPaused":
		return []any{f.queuePaused}, nil
	case "getWithdrawalRequests":
		return []any{f.owned[args[0].(common.Address)]}, nil
	case "getWithdrawalStatus":
		var out []requestStatus
		for _, id := range ids(0) {
			s, ok := f.requests[id.Uint64()]
			if !ok {
				return nil, f.revert(a, "InvalidRequestId", id)
			}
			out = append(out, s)
		}
		return []any{out}, nil
	case "getLastCheckpointIndex":
		return []any{big.NewInt(f.lastCheckpoint)}, nil
	case "getLastFinalizedRequestId":
		// Finalized requests are the ones with a checkpoint.
		var last uint64
		for id, h := range f.checkpoint {
			if h > 0 {
				last = max(last, id)
			}
		}
		return []any{new(big.Int).SetUint64(last)}, nil
	case "findCheckpointHints":
		first, last := args[1].(*big.Int).Int64(), args[2].(*big.Int).Int64()
		if first < 1 || last > f.lastCheckpoint {
			return nil, f.revert(a, "InvalidRequestIdRange", args[1], args[2])
		}
		var out []*big.Int
		prev := int64(0)
		for _, id := range ids(0) {
			if id.Int64() < prev {
				return nil, f.revert(a, "RequestIdsNotSorted")
			}
			prev = id.Int64()
			if first < 1 {
				// As the real queue: each answer starts the next search,
				// so an id after a NOT_FOUND reverts.
				return nil, f.revert(a, "InvalidRequestIdRange", big.NewInt(first), args[2])
			}
			h := f.checkpoint[id.Uint64()]
			if h < first {
				h = 0 // outside the searched range: NOT_FOUND
			}
			out = append(out, big.NewInt(h))
			first = h
		}
		return []any{out}, nil
	case "getClaimableEther":
		var out []*big.Int
		for i, id := range ids(0) {
			if ids(1)[i].Int64() != f.checkpoint[id.Uint64()] {
				return nil, f.revert(a, "InvalidHint", ids(1)[i])
			}
			out = append(out, big0(f.claimable[id.Uint64()]))
		}
		return []any{out}, nil
	}
	f.t.Fatalf("fake chain: unexpected call %s", method)
	return nil, nil
}

func (f *fakeChain) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errors.New("fake chain: FilterLogs not used")
}

func (f *fakeChain) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errors.New("fake chain: HeaderByNumber not used")
}

// Hand encoding of calldata, independent of go-ethereum's packer, so the
// tests pin the bytes a real contract receives.
func word(v uint64) string      { return fmt.Sprintf("%064x", v) }
func wordBig(v *big.Int) string { return fmt.Sprintf("%064x", v) }
func wordAddr(a common.Address) string {
	return strings.Repeat("0", 24) + hex.EncodeToString(a.Bytes())
}

// wordsArray encodes the tail of a uint256[]: length, then the items.
func wordsArray(vs ...*big.Int) string {
	s := word(uint64(len(vs)))
	for _, v := range vs {
		s += wordBig(v)
	}
	return s
}

func wantLimit(t *testing.T, err error, substr string) {
	t.Helper()
	var le *protocol.LimitError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T), want *protocol.LimitError", err, err)
	}
	if !strings.Contains(le.Reason, substr) {
		t.Errorf("reason %q does not contain %q", le.Reason, substr)
	}
}

func checkCalldata(t *testing.T, c protocol.Call, want string) {
	t.Helper()
	if got := hex.EncodeToString(c.Data); got != want {
		t.Errorf("%s calldata\n got %s\nwant %s", c.Action, got, want)
	}
}
