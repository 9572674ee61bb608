package prompt

import "fmt"

// NoTTYError is ErrNoTTY with a message of its own: one sentence that says
// what was needed and how to give it without a terminal. Wrapping ErrNoTTY
// with %w would append its generic text to a message that already says
// "stdin is not a terminal"; NoTTYError still matches
// errors.Is(err, ErrNoTTY), so the exit code (6, input_required) stays.
type NoTTYError struct{ Msg string }

func (e *NoTTYError) Error() string { return e.Msg }

// Unwrap makes errors.Is(err, ErrNoTTY) hold.
func (e *NoTTYError) Unwrap() error { return ErrNoTTY }

// NoTTYf formats a NoTTYError. The arguments are formatted with %v, not
// wrapped: the sentence is the whole message.
func NoTTYf(format string, args ...any) error {
	return &NoTTYError{Msg: fmt.Sprintf(format, args...)}
}
