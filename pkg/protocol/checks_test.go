package protocol_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// word is a 32-byte big-endian answer of n.
func word(n int64) []byte { return common.LeftPadBytes(big.NewInt(n).Bytes(), 32) }

// read is a read of contract `to` whose calldata names it, so a fake
// backend (and a reader of the test) can tell reads apart.
func read(to byte, name string) ethereum.CallMsg {
	a := common.BytesToAddress([]byte{to})
	return ethereum.CallMsg{To: &a, Data: []byte(name)}
}

// atLeast verifies that the answer is ≥ min, else refuses with a
// LimitError; a short answer is a bad answer.
func atLeast(min int64, what string) func([]byte) error {
	return func(ret []byte) error {
		if len(ret) != 32 {
			return fmt.Errorf("%w: %d bytes", protocol.ErrBadAnswer, len(ret))
		}
		if v := new(big.Int).SetBytes(ret); v.Cmp(big.NewInt(min)) < 0 {
			return &protocol.LimitError{Reason: fmt.Sprintf("%s %s is below %d", what, v, min)}
		}
		return nil
	}
}

// below is a Condition: needed while the answer is below want.
func below(want int64) func([]byte) (bool, error) {
	return func(ret []byte) (bool, error) {
		if len(ret) != 32 {
			return false, fmt.Errorf("%w: %d bytes", protocol.ErrBadAnswer, len(ret))
		}
		return new(big.Int).SetBytes(ret).Cmp(big.NewInt(want)) < 0, nil
	}
}

// plan is an approve that only an allowance below 10 needs, and a request
// with two Checks (balance ≥ 10, not paused, where 0 = not paused).
func plan() []protocol.Call {
	return []protocol.Call{
		{Action: "approve", Only: &protocol.Condition{Msg: read(1, "allowance"), Needed: below(10)}},
		{Action: "request", Checks: []protocol.Check{
			{Msg: read(1, "balance"), Verify: atLeast(10, "balance")},
			{Msg: read(2, "paused"), Verify: func(ret []byte) error {
				if new(big.Int).SetBytes(ret).Sign() != 0 {
					return &protocol.LimitError{Reason: "paused"}
				}
				return nil
			}},
		}},
	}
}

func actions(calls []protocol.Call) []string {
	out := []string{}
	for _, c := range calls {
		out = append(out, c.Action)
	}
	return out
}

func TestReadsOrder(t *testing.T) {
	got := protocol.Reads(plan())
	var names []string
	for _, m := range got {
		names = append(names, string(m.Data))
	}
	// For each call: its Condition, then its Checks.
	if want := []string{"allowance", "balance", "paused"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Reads = %v, want %v", names, want)
	}
	if n := len(protocol.Reads([]protocol.Call{{Action: "plain"}})); n != 0 {
		t.Errorf("a call without rules reads %d times", n)
	}
}

func TestJudge(t *testing.T) {
	readErr := errors.New("connection reset")
	badWord := []byte{1, 2, 3}
	tests := []struct {
		name     string
		calls    []protocol.Call
		results  [][]byte
		errs     []error
		want     []string // actions kept
		wantErr  string
		limit    bool // the error is a *protocol.LimitError, unwrapped
		wantBad  bool // the error wraps ErrBadAnswer
		wantRead error
	}{
		{name: "approve needed", calls: plan(), results: [][]byte{word(3), word(10), word(0)}, errs: make([]error, 3),
			want: []string{"approve", "request"}},
		{name: "allowance enough: approve left out", calls: plan(), results: [][]byte{word(10), word(50), word(0)}, errs: make([]error, 3),
			want: []string{"request"}},
		{name: "a check refuses: LimitError passes through", calls: plan(), results: [][]byte{word(10), word(9), word(0)}, errs: make([]error, 3),
			wantErr: "balance 9 is below 10", limit: true},
		{name: "second check refuses", calls: plan(), results: [][]byte{word(0), word(99), word(1)}, errs: make([]error, 3),
			wantErr: "paused", limit: true},
		{name: "a failed check read refuses", calls: plan(), results: [][]byte{word(10), nil, word(0)}, errs: []error{nil, readErr, nil},
			wantErr: "request: check: connection reset", wantRead: readErr},
		{name: "a failed condition read refuses", calls: plan(), results: [][]byte{nil, word(10), word(0)}, errs: []error{readErr, nil, nil},
			wantErr: "approve: read whether it is needed: connection reset", wantRead: readErr},
		{name: "an undecodable condition is a bad answer", calls: plan(), results: [][]byte{badWord, word(10), word(0)}, errs: make([]error, 3),
			wantErr: "approve:", wantBad: true},
		{name: "an undecodable check is a bad answer", calls: plan(), results: [][]byte{word(10), badWord, word(0)}, errs: make([]error, 3),
			wantErr: "request:", wantBad: true},
		{name: "answers miscounted", calls: plan(), results: [][]byte{word(1)}, errs: []error{nil},
			wantErr: "1 answers for 3 reads"},
		{name: "no rules: every call kept", calls: []protocol.Call{{Action: "a"}, {Action: "b"}},
			want: []string{"a", "b"}},
		// A Check of a call that is not needed is not judged: its failing
		// read or refusing answer does not stop the plan.
		{name: "checks of an unneeded call are skipped", calls: []protocol.Call{
			{Action: "approve", Only: &protocol.Condition{Msg: read(1, "allowance"), Needed: below(10)},
				Checks: []protocol.Check{{Msg: read(1, "approve rule"), Verify: atLeast(1, "rule")}}},
			{Action: "request"},
		}, results: [][]byte{word(10), nil}, errs: []error{nil, readErr}, want: []string{"request"}},
		{name: "checks of a needed conditional call are judged", calls: []protocol.Call{
			{Action: "approve", Only: &protocol.Condition{Msg: read(1, "allowance"), Needed: below(10)},
				Checks: []protocol.Check{{Msg: read(1, "approve rule"), Verify: atLeast(1, "rule")}}},
			{Action: "request"},
		}, results: [][]byte{word(0), word(0)}, errs: make([]error, 2), wantErr: "rule 0 is below 1", limit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kept, err := protocol.Judge(tt.calls, tt.results, tt.errs)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := actions(kept); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("kept %v, want %v", got, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if kept != nil {
				t.Errorf("calls kept along with the error: %v", actions(kept))
			}
			var le *protocol.LimitError
			if got := errors.As(err, &le); got != tt.limit {
				t.Errorf("LimitError %v, want %v (%v)", got, tt.limit, err)
			}
			if tt.limit && err.Error() != le.Reason {
				t.Errorf("LimitError wrapped: %q", err)
			}
			if got := errors.Is(err, protocol.ErrBadAnswer); got != tt.wantBad {
				t.Errorf("ErrBadAnswer %v, want %v", got, tt.wantBad)
			}
			if tt.wantRead != nil && !errors.Is(err, tt.wantRead) {
				t.Errorf("the read's error is not wrapped: %v", err)
			}
		})
	}
}

// fakeBackend answers eth_calls from a table keyed by calldata and counts
// how it was asked; batching says whether it implements BatchBackend.
type fakeBackend struct {
	answers map[string][]byte
	fail    map[string]error
	singles int
	batches [][]string
}

func (f *fakeBackend) CallContract(_ context.Context, m ethereum.CallMsg, _ *big.Int) ([]byte, error) {
	f.singles++
	return f.answer(m)
}

func (f *fakeBackend) answer(m ethereum.CallMsg) ([]byte, error) {
	if err := f.fail[string(m.Data)]; err != nil {
		return nil, err
	}
	return bytes.Clone(f.answers[string(m.Data)]), nil
}

func (f *fakeBackend) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errors.New("not here")
}

func (f *fakeBackend) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errors.New("not here")
}

type batchingBackend struct{ *fakeBackend }

func (b batchingBackend) BatchCallContract(_ context.Context, msgs []ethereum.CallMsg, _ *big.Int) ([][]byte, []error) {
	var names []string
	res, errs := make([][]byte, len(msgs)), make([]error, len(msgs))
	for i, m := range msgs {
		names = append(names, string(m.Data))
		res[i], errs[i] = b.answer(m)
	}
	b.batches = append(b.batches, names)
	return res, errs
}

func TestRunChecks(t *testing.T) {
	answers := map[string][]byte{"allowance": word(0), "balance": word(20), "paused": word(0)}
	t.Run("one batch on a batching backend", func(t *testing.T) {
		f := &fakeBackend{answers: answers}
		kept, err := protocol.RunChecks(context.Background(), batchingBackend{f}, plan())
		if err != nil {
			t.Fatal(err)
		}
		if got := actions(kept); !reflect.DeepEqual(got, []string{"approve", "request"}) {
			t.Errorf("kept %v", got)
		}
		if len(f.batches) != 1 || f.singles != 0 || !reflect.DeepEqual(f.batches[0], []string{"allowance", "balance", "paused"}) {
			t.Errorf("batches %v, single calls %d: want one batch of the three reads", f.batches, f.singles)
		}
	})
	t.Run("one by one otherwise", func(t *testing.T) {
		f := &fakeBackend{answers: answers}
		if _, err := protocol.RunChecks(context.Background(), f, plan()); err != nil {
			t.Fatal(err)
		}
		if f.singles != 3 {
			t.Errorf("%d single calls, want 3", f.singles)
		}
	})
	t.Run("no rules: nothing read", func(t *testing.T) {
		f := &fakeBackend{answers: answers}
		calls := []protocol.Call{{Action: "stake"}}
		kept, err := protocol.RunChecks(context.Background(), batchingBackend{f}, calls)
		if err != nil || len(kept) != 1 || f.singles != 0 || len(f.batches) != 0 {
			t.Errorf("kept %v, err %v, %d singles, %d batches", actions(kept), err, f.singles, len(f.batches))
		}
	})
	t.Run("a refusal comes back as the LimitError", func(t *testing.T) {
		f := &fakeBackend{answers: map[string][]byte{"allowance": word(50), "balance": word(1), "paused": word(0)}}
		_, err := protocol.RunChecks(context.Background(), batchingBackend{f}, plan())
		var le *protocol.LimitError
		if !errors.As(err, &le) || le.Reason != "balance 1 is below 10" {
			t.Errorf("error %v, want the balance LimitError", err)
		}
	})
	t.Run("a failed read refuses", func(t *testing.T) {
		down := errors.New("RPC down")
		f := &fakeBackend{answers: answers, fail: map[string]error{"paused": down}}
		_, err := protocol.RunChecks(context.Background(), batchingBackend{f}, plan())
		if !errors.Is(err, down) {
			t.Errorf("error %v, want the read's failure", err)
		}
	})
}
