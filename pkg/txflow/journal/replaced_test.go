package journal

import (
	"testing"
)

func TestStateOpen(t *testing.T) {
	tests := []struct {
		s    State
		open bool
	}{
		{StateSigned, true}, {StateBroadcast, true},
		{StateIncluded, false}, {StateReverted, false}, {StateFailed, false}, {StateReplaced, false},
	}
	for _, tt := range tests {
		if tt.s.Open() != tt.open {
			t.Errorf("%s.Open() = %v, want %v", tt.s, !tt.open, tt.open)
		}
	}
}

// A replaced entry leaves Pending, keeps its replacement's hash on disk,
// and SameNonce finds an original with its replacements.
func TestMarkReplacedAndSameNonce(t *testing.T) {
	j, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	orig, from := signedTx(t, 7)
	e, err := j.Record("devnet", 1337, from, "stake", "Stake 1 ETH", orig)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := signedTx(t, 7) // another account's nonce 7: not a sibling
	if _, err := j.Record("devnet", 1337, [20]byte{1}, "stake", "other", other); err != nil {
		t.Fatal(err)
	}
	by := other.Hash()
	if err := j.MarkReplaced(e, &by, "nonce 7 was used by another transaction"); err != nil {
		t.Fatal(err)
	}
	got, err := j.Get(1337, orig.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateReplaced || got.ReplacedBy == nil || *got.ReplacedBy != by {
		t.Fatalf("after MarkReplaced: %+v", got)
	}
	if p, _ := j.Pending(1337, from); len(p) != 0 {
		t.Errorf("replaced entry still pending: %v", p)
	}
	same, err := j.SameNonce(1337, from, 7)
	if err != nil || len(same) != 1 || same[0].Hash != orig.Hash() {
		t.Errorf("SameNonce = %v, %v", same, err)
	}
	if none, _ := j.SameNonce(1337, from, 8); len(none) != 0 {
		t.Errorf("SameNonce(8) = %v", none)
	}
}
