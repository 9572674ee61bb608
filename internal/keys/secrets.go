package keys

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/stakewallet/stakewallet/internal/prompt"
)

// Prompter asks the user for secrets without echo; the CLI's IOStreams
// satisfies it.
type Prompter = prompt.Prompter

// ReadFirstLine returns the first line of the file at path without its line
// ending, as geth and Foundry read password files. The rest of the file is
// zeroed in memory; the caller zeroes the result.
func ReadFirstLine(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer clear(data)
	line := data
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimRight(line, "\r")
	return append([]byte(nil), line...), nil
}

// ReadSecretFile returns the whole content of path with surrounding
// whitespace trimmed (for mnemonics, which may span lines). The caller
// zeroes the result.
func ReadSecretFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer clear(data)
	return append([]byte(nil), bytes.TrimSpace(data)...), nil
}

// maxPromptAttempts is how often a wrong passphrase may be retyped.
const maxPromptAttempts = 3

// errNoPassphrase explains how to supply a passphrase without a terminal,
// in one sentence (a NoTTYError, not a %w wrap that would repeat "stdin is
// not a terminal").
func errNoPassphrase(label string) error {
	return prompt.NoTTYf("%s needs its passphrase but stdin is not a terminal: pass --password-file FILE (or set STAKEWALLET_PASSWORD_FILE)", label)
}

// errNoNewPassphrase is errNoPassphrase for a keystore file about to be
// written.
func errNoNewPassphrase(label string) error {
	return prompt.NoTTYf("%s needs a new passphrase but stdin is not a terminal: pass --password-file FILE (or set STAKEWALLET_PASSWORD_FILE)", label)
}

// passphraseSource yields the passphrase of an existing secret. fromFile
// tells the caller not to retry: a wrong file stays wrong.
func (s *Store) passphrase(label string, attempt int) (pass []byte, fromFile bool, err error) {
	if s.opts.PasswordFile != "" {
		p, err := ReadFirstLine(s.opts.PasswordFile)
		if err != nil {
			return nil, true, fmt.Errorf("password file: %w", err)
		}
		return p, true, nil
	}
	if s.opts.Prompter == nil || !s.opts.Prompter.CanPrompt() {
		return nil, false, errNoPassphrase(label)
	}
	prompt := fmt.Sprintf("Passphrase for %s: ", label)
	if attempt > 1 {
		prompt = fmt.Sprintf("Passphrase for %s (attempt %d/%d): ", label, attempt, maxPromptAttempts)
	}
	p, err := s.opts.Prompter.ReadSecret(prompt)
	return p, false, err
}

// newPassphrase asks for the passphrase of a new keystore file twice (or
// reads --password-file) and refuses an empty one.
func (s *Store) newPassphrase(label string) ([]byte, error) {
	if s.opts.PasswordFile != "" {
		p, err := ReadFirstLine(s.opts.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("password file: %w", err)
		}
		if len(p) == 0 {
			return nil, fmt.Errorf("the first line of password file %s is empty; an empty passphrase is refused", s.opts.PasswordFile)
		}
		return p, nil
	}
	if s.opts.Prompter == nil || !s.opts.Prompter.CanPrompt() {
		return nil, errNoNewPassphrase(label)
	}
	p1, err := s.opts.Prompter.ReadSecret(fmt.Sprintf("New passphrase for %s: ", label))
	if err != nil {
		return nil, err
	}
	if len(p1) == 0 {
		return nil, errors.New("an empty passphrase is refused")
	}
	p2, err := s.opts.Prompter.ReadSecret("Repeat the passphrase: ")
	defer clear(p2)
	if err != nil {
		clear(p1)
		return nil, err
	}
	if !bytes.Equal(p1, p2) {
		clear(p1)
		return nil, errors.New("the passphrases do not match")
	}
	return p1, nil
}
