package cli

import (
	"context"
	"errors"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
	ledgersigner "github.com/stakewallet/stakewallet/pkg/signer/ledger"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// classify maps an error to the exit code and JSON error code of SPEC.md.
// Order matters: a transaction that was broadcast (timeout) must never be
// reported as safe to retry, so those checks come first.
func classify(err error) (code int, kind string) {
	var ee *cmdutil.ExitError
	var limit *protocol.LimitError
	var wrongChain *chain.WrongChainError
	switch {
	case errors.As(err, &ee):
		return ee.Code, ee.Kind
	case errors.Is(err, txflow.ErrTimeout):
		return cmdutil.ExitTimeout, "timeout"
	case errors.Is(err, txflow.ErrReverted):
		return cmdutil.ExitReverted, "reverted"
	case errors.Is(err, signer.ErrDeclined):
		return cmdutil.ExitNeedsInput, "declined"
	case errors.Is(err, iostreams.ErrNoTTY):
		return cmdutil.ExitNeedsInput, "input_required"
	case errors.Is(err, signer.ErrUnavailable):
		return cmdutil.ExitSignerUnavl, "signer_unavailable"
	case errors.Is(err, signer.ErrNotFound):
		return cmdutil.ExitBadInput, "key_not_found"
	case errors.Is(err, ledgersigner.ErrBadRef):
		return cmdutil.ExitBadInput, "bad_input"
	case errors.Is(err, amount.ErrInvalid):
		return cmdutil.ExitBadInput, "bad_amount"
	case errors.As(err, &limit):
		return cmdutil.ExitBadInput, "protocol_limit"
	case errors.Is(err, txflow.ErrSimulation):
		return cmdutil.ExitBadInput, "would_revert"
	case errors.Is(err, txflow.ErrInsufficientFunds):
		return cmdutil.ExitBadInput, "insufficient_funds"
	case errors.Is(err, chain.ErrInvalidURL):
		return cmdutil.ExitBadInput, "bad_input"
	case errors.As(err, &wrongChain), errors.Is(err, txflow.ErrWrongChain):
		return cmdutil.ExitRPC, "wrong_chain"
	case errors.Is(err, chain.ErrUnreachable):
		return cmdutil.ExitRPC, "rpc_unreachable"
	case errors.Is(err, txflow.ErrBroadcast):
		return cmdutil.ExitRPC, "broadcast_failed"
	case errors.Is(err, context.Canceled):
		return cmdutil.ExitOther, "interrupted"
	}
	return cmdutil.ExitOther, "error"
}
