package txflow

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// gateABI is a toy contract: allowance() (what an approve would raise),
// approve() (sets it to 100), open() (a rule) and use() (reverts "SHORT"
// while the allowance is below 100).
var gateABI = func() *abi.ABI {
	a, err := abi.JSON(strings.NewReader(`[
		{"type":"function","name":"allowance","stateMutability":"view","inputs":[],"outputs":[{"type":"uint256"}]},
		{"type":"function","name":"open","stateMutability":"view","inputs":[],"outputs":[{"type":"bool"}]},
		{"type":"function","name":"approve","stateMutability":"nonpayable","inputs":[],"outputs":[]},
		{"type":"function","name":"use","stateMutability":"nonpayable","inputs":[],"outputs":[]}]`))
	if err != nil {
		panic(err)
	}
	return &a
}()

var gate = common.HexToAddress("0x00000000000000000000000000000000000000ee")

type gateState struct {
	allowance int64
	open      bool
}

// batchedSetup is a fake node with the gate contract, a funded signer, a
// chain.Client (a Batcher) and a Flow with a journal.
func batchedSetup(t *testing.T, st *gateState) (*chaintest.Node, *Flow, *testSigner, *journal.Journal) {
	t.Helper()
	node := chaintest.New(t, 1337)
	node.Handle(gate, gateABI, "allowance", func(*chaintest.Ctx, []any) ([]any, error) { return []any{big.NewInt(st.allowance)}, nil })
	node.Handle(gate, gateABI, "open", func(*chaintest.Ctx, []any) ([]any, error) { return []any{st.open}, nil })
	node.Handle(gate, gateABI, "approve", func(c *chaintest.Ctx, _ []any) ([]any, error) {
		c.Commit(func() { st.allowance = 100 })
		return nil, nil
	})
	node.Handle(gate, gateABI, "use", func(*chaintest.Ctx, []any) ([]any, error) {
		if st.allowance < 100 {
			return nil, chaintest.RevertString("SHORT")
		}
		return nil, nil
	})
	s := newTestSigner(t)
	node.SetBalance(s.addr, new(big.Int).Mul(big.NewInt(10), big.NewInt(1e18)))
	c, err := chain.Dial(context.Background(), []string{node.URL()}, chain.Options{ChainID: 1337, Network: "devnet", LazyChainID: true, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	j, err := journal.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := New(c, j, Options{Network: "devnet", ChainID: big.NewInt(1337), Timeout: 5 * time.Second, PollInterval: 10 * time.Millisecond})
	return node, f, s, j
}

func gatePlan(t *testing.T) []protocol.Call {
	t.Helper()
	pack := func(m string) []byte {
		data, err := gateABI.Pack(m)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	to := gate
	return []protocol.Call{
		{Action: "approve", Description: "approve", To: gate, Data: pack("approve"), GasHint: 60_000,
			Only: &protocol.Condition{Msg: ethereum.CallMsg{To: &to, Data: pack("allowance")}, Needed: func(ret []byte) (bool, error) {
				return new(big.Int).SetBytes(ret).Cmp(big.NewInt(100)) < 0, nil
			}}},
		{Action: "use", Description: "use", To: gate, Data: pack("use"), GasHint: 60_000,
			Checks: []protocol.Check{{Msg: ethereum.CallMsg{To: &to, Data: pack("open")}, Verify: func(ret []byte) error {
				if new(big.Int).SetBytes(ret).Sign() == 0 {
					return &protocol.LimitError{Reason: "the gate is closed"}
				}
				return nil
			}}}},
	}
}

// TestBatchedFlow: on a Batcher the plan is read in one round trip (its
// Checks and Conditions included), the send returns the receipt, and a
// call after a needed approve costs one batch (simulation and estimate)
// and its send.
func TestBatchedFlow(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		st      gateState
		steps   []string
		wantErr string
		limit   bool
		prepare int // round trips of Prepare
		execute int // round trips of Execute
	}{
		{name: "approve needed", st: gateState{open: true}, steps: []string{"approve", "use"}, prepare: 1, execute: 3},
		{name: "allowance enough: the approve is left out", st: gateState{allowance: 100, open: true}, steps: []string{"use"}, prepare: 1, execute: 1},
		{name: "a Check refuses before anything is signed", st: gateState{allowance: 100}, wantErr: "the gate is closed", limit: true, prepare: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.st
			node, f, s, _ := batchedSetup(t, &st)
			node.ResetCounters()
			plan, err := f.Prepare(ctx, s.addr, gatePlan(t))
			if got := node.Requests(); got != tt.prepare {
				t.Errorf("Prepare: %d round trips, want %d (%v)", got, tt.prepare, node.Calls())
			}
			if tt.wantErr != "" {
				var le *protocol.LimitError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errors.As(err, &le) != tt.limit {
					t.Fatalf("error %v, want %q (limit %v)", err, tt.wantErr, tt.limit)
				}
				if len(node.Sent()) != 0 {
					t.Error("sent after a refusal")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, st := range plan.Steps {
				actions = append(actions, st.Call.Action)
			}
			if strings.Join(actions, ",") != strings.Join(tt.steps, ",") {
				t.Fatalf("steps %v, want %v", actions, tt.steps)
			}
			node.ResetCounters()
			results, err := f.Execute(ctx, plan, s, Hooks{})
			if err != nil {
				t.Fatal(err)
			}
			if got := node.Requests(); got != tt.execute {
				t.Errorf("Execute: %d round trips, want %d (%v)", got, tt.execute, node.Calls())
			}
			for i, r := range results {
				if r.Receipt == nil || r.Receipt.Status != types.ReceiptStatusSuccessful || r.Receipt.TxHash != r.Hash {
					t.Errorf("result %d: %+v", i, r)
				}
				if r.Step.Nonce != uint64(i) {
					t.Errorf("step %d has nonce %d", i, r.Step.Nonce)
				}
			}
		})
	}
}

// TestBatchedNonceAfterAnotherRun: the nonce read in Prepare's batch is
// used under the lock only while the journal holds no entry of another
// run for the account; otherwise the node is asked again.
func TestBatchedNonceAfterAnotherRun(t *testing.T) {
	ctx := context.Background()
	st := gateState{allowance: 100, open: true}
	node, f, s, j := batchedSetup(t, &st)
	plan, err := f.Prepare(ctx, s.addr, gatePlan(t))
	if err != nil {
		t.Fatal(err)
	}
	// Another run of ours signs nonce 0 meanwhile (journaled, not sent).
	other := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Nonce: 0, Gas: 21_000, GasFeeCap: big.NewInt(1e10), GasTipCap: big.NewInt(1), To: &gate})
	signed, err := s.SignTx(ctx, other, big.NewInt(1337))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Record("devnet", 1337, s.addr, "other", "another run", signed); err != nil {
		t.Fatal(err)
	}
	node.ResetCounters()
	var notes []string
	_, err = f.Execute(ctx, plan, s, Hooks{Note: func(_ int, msg string) { notes = append(notes, msg) }})
	// Nonce 0 never reaches the node, which refuses ours (nonce 1) as a gap.
	if !errors.Is(err, ErrBroadcast) || !strings.Contains(err.Error(), "nonce too high") {
		t.Fatalf("error %v, want the node's refusal of nonce 1", err)
	}
	entries, err := j.List(1337)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[1].Nonce != 1 || entries[1].Action != "use" {
		t.Errorf("journal %+v, want ours at nonce 1 after the other run's 0", entries)
	}
	asked := false
	for _, c := range node.Calls() {
		asked = asked || c == "eth_getTransactionCount"
	}
	if !asked || len(notes) == 0 || !strings.Contains(notes[0], "follows 1 open transaction") {
		t.Errorf("calls %v, notes %v: want the nonce asked again and the gap noted", node.Calls(), notes)
	}
}
