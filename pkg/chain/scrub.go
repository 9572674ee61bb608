package chain

import (
	"errors"

	"github.com/ethereum/go-ethereum/rpc"
)

// scrubbedNodeError is a node's JSON-RPC error whose message held the
// endpoint's credentials (a provider that repeats the API key it refuses):
// the same error for errors.Is/As, code and data included, with the
// credentials masked in its message.
type scrubbedNodeError struct {
	msg string
	err rpc.Error
}

func (e *scrubbedNodeError) Error() string  { return e.msg }
func (e *scrubbedNodeError) Unwrap() error  { return e.err }
func (e *scrubbedNodeError) ErrorCode() int { return e.err.ErrorCode() }

// ErrorData keeps revert data reachable (abidecode.RevertData).
func (e *scrubbedNodeError) ErrorData() any {
	var de rpc.DataError
	if errors.As(e.err, &de) {
		return de.ErrorData()
	}
	return nil
}

// scrubNodeError masks ep's credentials in a node's error message. Errors
// without them come back unchanged, so comparisons keep working.
func scrubNodeError(ep *endpoint, err error) error {
	var re rpc.Error
	if !errors.As(err, &re) {
		return err
	}
	msg := err.Error()
	if clean := ep.scrub(msg); clean != msg {
		return &scrubbedNodeError{msg: clean, err: re}
	}
	return err
}
