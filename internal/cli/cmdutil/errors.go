package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes of SPEC.md.
const (
	ExitOK          = 0
	ExitOther       = 1
	ExitBadInput    = 2
	ExitRPC         = 3
	ExitReverted    = 4
	ExitTimeout     = 5
	ExitNeedsInput  = 6
	ExitSignerUnavl = 7
)

// ExitError carries an exit code and a stable machine-readable code for
// --json output through the error chain.
type ExitError struct {
	Code int
	// Kind is the "code" of the JSON error object, e.g. "bad_input".
	Kind string
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// BadInput marks err as a usage/input error (exit 2).
func BadInput(err error) error {
	return &ExitError{Code: ExitBadInput, Kind: "bad_input", Err: err}
}

// BadInputf formats a usage/input error (exit 2).
func BadInputf(format string, args ...any) error {
	return BadInput(fmt.Errorf(format, args...))
}

// WithExit wraps err with a specific exit code and kind.
func WithExit(code int, kind string, err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: code, Kind: kind, Err: err}
}

// ErrSilent is returned when the command already printed its own error
// output and only the exit code remains to be set.
var ErrSilent = errors.New("silent")
