// Package iostreams is the one place that knows whether stdin, stdout and
// stderr are terminals, whether colour is on, and how to prompt. Commands
// never look at os.Stdin/os.Stdout themselves, so tests can drive them.
package iostreams

import (
	"github.com/stakewallet/stakewallet/internal/prompt"

	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// ErrNoTTY is returned when input is needed but there is no terminal to
// ask; it is prompt.ErrNoTTY, so that errors from internal/keys match.
var ErrNoTTY = prompt.ErrNoTTY

// IOStreams bundles the three standard streams with what we know about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorEnabled                   bool

	// readSecret reads a line without echo; replaced in tests.
	readSecret func() ([]byte, error)
	lineReader *bufio.Reader

	mu      sync.Mutex
	spinner *spinner
}

// System returns streams bound to the process's stdin/stdout/stderr.
func System() *IOStreams {
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
	s.colorEnabled = s.stdoutTTY && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	s.readSecret = func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) }
	return s
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Test returns streams over buffers, none of them a terminal.
func Test(in string) (s *IOStreams, out, errOut *strings.Builder) {
	out, errOut = &strings.Builder{}, &strings.Builder{}
	s = &IOStreams{In: strings.NewReader(in), Out: out, ErrOut: errOut}
	s.readSecret = func() ([]byte, error) { return s.readLine() }
	return s, out, errOut
}

// SetTTY overrides terminal detection (tests).
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// DisableColor turns colour off (--no-color, --json).
func (s *IOStreams) DisableColor() { s.colorEnabled = false }

// ColorEnabled reports whether stdout output may use colour.
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal (progress goes there).
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// CanPrompt reports whether we may ask the user something.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY }

func (s *IOStreams) readLine() ([]byte, error) {
	if s.lineReader == nil {
		s.lineReader = bufio.NewReader(s.In)
	}
	line, err := s.lineReader.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return nil, err
	}
	return []byte(strings.TrimRight(line, "\r\n")), nil
}

// Confirm asks a yes/no question on stderr; the default is no.
func (s *IOStreams) Confirm(question string) (bool, error) {
	if !s.CanPrompt() {
		return false, ErrNoTTY
	}
	s.StopProgress()
	fmt.Fprintf(s.ErrOut, "%s [y/N] ", question)
	line, err := s.readLine()
	if err != nil {
		return false, fmt.Errorf("read answer: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(string(line))) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// ReadSecret asks for a passphrase without echo. The caller must zero the
// returned slice when done.
func (s *IOStreams) ReadSecret(prompt string) ([]byte, error) {
	if !s.CanPrompt() {
		return nil, ErrNoTTY
	}
	s.StopProgress()
	fmt.Fprint(s.ErrOut, prompt)
	b, err := s.readSecret()
	fmt.Fprintln(s.ErrOut)
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	return b, nil
}

// StartProgress shows a spinner with msg on stderr when stderr is a
// terminal; otherwise it does nothing, so piped output stays clean.
func (s *IOStreams) StartProgress(msg string) {
	if !s.stderrTTY {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.spinner != nil {
		s.spinner.setMsg(msg)
		return
	}
	s.spinner = startSpinner(s.ErrOut, msg)
}

// StopProgress removes the spinner, if any.
func (s *IOStreams) StopProgress() {
	s.mu.Lock()
	sp := s.spinner
	s.spinner = nil
	s.mu.Unlock()
	if sp != nil {
		sp.stop()
	}
}

type spinner struct {
	w    io.Writer
	mu   sync.Mutex
	msg  string
	done chan struct{}
	wg   sync.WaitGroup
}

func startSpinner(w io.Writer, msg string) *spinner {
	sp := &spinner{w: w, msg: msg, done: make(chan struct{})}
	sp.wg.Add(1)
	go sp.run()
	return sp
}

func (sp *spinner) setMsg(msg string) {
	sp.mu.Lock()
	sp.msg = msg
	sp.mu.Unlock()
}

func (sp *spinner) run() {
	defer sp.wg.Done()
	frames := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		sp.mu.Lock()
		fmt.Fprintf(sp.w, "\r\033[K%s %s", frames[i%len(frames)], sp.msg)
		sp.mu.Unlock()
		select {
		case <-sp.done:
			fmt.Fprint(sp.w, "\r\033[K")
			return
		case <-t.C:
		}
	}
}

func (sp *spinner) stop() {
	close(sp.done)
	sp.wg.Wait()
}
