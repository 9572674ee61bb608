// Package prompt holds what asking the user needs below the command layer:
// the Prompter interface and the error for "there is no terminal to ask
// on". internal/cli/iostreams implements Prompter; internal/keys asks
// through it without importing the CLI.
package prompt

import "errors"

// ErrNoTTY is returned when input is needed but there is no terminal to ask.
var ErrNoTTY = errors.New("input needed but stdin is not a terminal")

// Prompter asks the user for secrets without echo.
type Prompter interface {
	ReadSecret(prompt string) ([]byte, error)
	CanPrompt() bool
}
