package cmdutil

import (
	"context"
	"errors"

	"github.com/stakewallet/stakewallet/internal/prompt"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
	ledgersigner "github.com/stakewallet/stakewallet/pkg/signer/ledger"
	"github.com/stakewallet/stakewallet/pkg/txflow"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// Classify maps an error to the exit code and JSON error code of SPEC.md.
// Order matters: a transaction that was broadcast (timeout) must never be
// reported as safe to retry, so those checks come first.
func Classify(err error) (code int, kind string) {
	var ee *ExitError
	var limit *protocol.LimitError
	var wrongChain *chain.WrongChainError
	var fee *txflow.FeeError
	switch {
	case errors.As(err, &ee):
		return ee.Code, ee.Kind
	case errors.Is(err, txflow.ErrTimeout):
		return ExitTimeout, "timeout"
	case errors.Is(err, txflow.ErrReverted):
		return ExitReverted, "reverted"
	case errors.Is(err, signer.ErrDeclined):
		return ExitNeedsInput, "declined"
	case errors.Is(err, prompt.ErrNoTTY):
		return ExitNeedsInput, "input_required"
	case errors.Is(err, signer.ErrUnavailable):
		return ExitSignerUnavl, "signer_unavailable"
	case errors.Is(err, signer.ErrNotFound):
		return ExitBadInput, "key_not_found"
	case errors.Is(err, ledgersigner.ErrBadRef):
		return ExitBadInput, "bad_input"
	case errors.Is(err, amount.ErrInvalid):
		return ExitBadInput, "bad_amount"
	case errors.As(err, &limit):
		return ExitBadInput, "protocol_limit"
	case errors.Is(err, txflow.ErrSimulation):
		return ExitBadInput, "would_revert"
	case errors.Is(err, txflow.ErrInsufficientFunds):
		return ExitBadInput, "insufficient_funds"
	case errors.Is(err, chain.ErrInvalidURL):
		return ExitBadInput, "bad_input"
	case errors.As(err, &fee) && fee.Input:
		return ExitBadInput, "fee_too_high"
	case errors.As(err, &fee):
		return ExitRPC, "fee_too_high"
	case errors.As(err, &wrongChain), errors.Is(err, txflow.ErrWrongChain):
		return ExitRPC, "wrong_chain"
	case errors.Is(err, chain.ErrBadResponse), errors.Is(err, protocol.ErrBadAnswer):
		// Before ErrUnreachable: an endpoint that answers nonsense is not
		// "unreachable", and the message says to use another.
		return ExitRPC, "bad_rpc_answer"
	case errors.Is(err, chain.ErrUnreachable):
		return ExitRPC, "rpc_unreachable"
	case errors.Is(err, txflow.ErrBroadcast):
		return ExitRPC, "broadcast_failed"
	case errors.Is(err, journal.ErrAccountBusy):
		return ExitOther, "account_busy"
	case errors.Is(err, context.Canceled):
		return ExitOther, "interrupted"
	}
	return ExitOther, "error"
}
