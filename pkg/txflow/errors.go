package txflow

import (
	"errors"
	"strings"

	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/txpool"
)

// isExecutionError reports whether err says the EVM rejected the call (as
// opposed to the node being unreachable).
func isExecutionError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "execution reverted") ||
		strings.Contains(msg, "insufficient funds") ||
		strings.Contains(msg, "gas required exceeds")
}

// alreadyKnown reports whether the node already has the transaction, which
// happens when a send is retried after a lost response.
func alreadyKnown(err error) bool {
	msg := strings.ToLower(err.Error())
	return errors.Is(err, txpool.ErrAlreadyKnown) ||
		strings.Contains(msg, "already known") ||
		strings.Contains(msg, "already imported")
}

// nonceTaken reports whether the node refused a transaction because its
// nonce is used: mined already, or held in the pool by another
// transaction that this one does not outbid.
func nonceTaken(err error) bool {
	msg := strings.ToLower(err.Error())
	return errors.Is(err, core.ErrNonceTooLow) || errors.Is(err, txpool.ErrReplaceUnderpriced) ||
		strings.Contains(msg, "nonce too low") || strings.Contains(msg, "replacement transaction underpriced")
}
