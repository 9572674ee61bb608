package lido

import (
	"context"
	"math/big"
	"testing"
)

func TestClaimBatches(t *testing.T) {
	tests := []struct {
		name   string
		ids    []int64
		perTx  int
		chunks [][]int64
	}{
		{"one transaction", []int64{3, 1, 2}, 10, [][]int64{{1, 2, 3}}},
		{"split by the caller's size", []int64{5, 4, 3, 2, 1}, 2, [][]int64{{1, 2}, {3, 4}, {5}}},
		{"more than Claim's 100 in one", seq(150), 150, [][]int64{seq(150)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			for _, id := range tt.ids {
				f.addRequest(uint64(id), alice, eth(1), "claimable")
			}
			l := f.adapter(t)
			calls, err := l.ClaimBatches(context.Background(), rids(tt.ids...), tt.perTx)
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != len(tt.chunks) {
				t.Fatalf("%d calls, want %d", len(calls), len(tt.chunks))
			}
			m := l.abis.queue.Methods["claimWithdrawals"]
			for i, c := range calls {
				args, err := m.Inputs.Unpack(c.Data[4:])
				if err != nil {
					t.Fatal(err)
				}
				got, hints := args[0].([]*big.Int), args[1].([]*big.Int)
				if len(got) != len(tt.chunks[i]) || len(hints) != len(got) {
					t.Fatalf("call %d: ids %v hints %v, want %v", i, got, hints, tt.chunks[i])
				}
				want := new(big.Int)
				for j, id := range got {
					if id.Int64() != tt.chunks[i][j] {
						t.Errorf("call %d id %d = %s, want %d", i, j, id, tt.chunks[i][j])
					}
					if hints[j].Int64() != f.checkpoint[id.Uint64()] {
						t.Errorf("id %s hint %s, want %d", id, hints[j], f.checkpoint[id.Uint64()])
					}
					want.Add(want, f.claimable[id.Uint64()])
				}
				if c.Amount.Cmp(want) != 0 || c.To != DevnetWithdrawalQueue {
					t.Errorf("call %d: amount %s to %s, want %s to the queue", i, c.Amount, c.To.Hex(), want)
				}
			}
		})
	}
}

func TestClaimBatchesRefuses(t *testing.T) {
	f := newFake(t)
	f.addRequest(1, alice, eth(1), "pending")
	l := f.adapter(t)
	if _, err := l.ClaimBatches(context.Background(), nil, 10); err == nil {
		t.Error("no ids: accepted")
	}
	if _, err := l.ClaimBatches(context.Background(), rids(1), 0); err == nil {
		t.Error("batch size 0: accepted")
	}
	if _, err := l.ClaimBatches(context.Background(), rids(1), 10); err == nil {
		t.Error("pending request (no hint): accepted")
	}
}

func seq(n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i) + 1
	}
	return out
}
