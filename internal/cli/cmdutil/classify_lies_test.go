package cmdutil

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// TestClassifyLies: a lying RPC is exit 3 with its own code, a fee the
// user's input makes too high is exit 2, and a broadcast transaction whose
// wait saw lies stays exit 5 (never "safe to retry").
func TestClassifyLies(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int
		kind string
	}{
		{"bad answer", fmt.Errorf("read: %w", chain.ErrBadResponse), ExitRPC, "bad_rpc_answer"},
		{"bad answer that also failed over an unreachable endpoint", errors.Join(chain.ErrUnreachable, chain.ErrBadResponse), ExitRPC, "bad_rpc_answer"},
		{"contract read that does not decode", fmt.Errorf("lido: %w: x", protocol.ErrBadAnswer), ExitRPC, "bad_rpc_answer"},
		{"node's fee data", &txflow.FeeError{Msg: "above the cap"}, ExitRPC, "fee_too_high"},
		{"user's fee or amount", fmt.Errorf("prepare: %w", &txflow.FeeError{Msg: "10 ×", Input: true}), ExitBadInput, "fee_too_high"},
		{"insufficient funds", &txflow.InsufficientFundsError{}, ExitBadInput, "insufficient_funds"},
		{"wait that saw lies", &txflow.TimeoutError{Last: chain.ErrBadResponse}, ExitTimeout, "timeout"},
		{"a changed chain ID", &chain.WrongChainError{Want: 1337, Got: 1, Before: 1337}, ExitRPC, "wrong_chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, kind := Classify(tt.err); code != tt.code || kind != tt.kind {
				t.Errorf("Classify = %d %s, want %d %s", code, kind, tt.code, tt.kind)
			}
		})
	}
}
