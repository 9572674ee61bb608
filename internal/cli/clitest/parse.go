package clitest

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// NewCmdFunc is the shape of every command constructor: it builds the
// command over f, and when runF is not nil the command hands runF its
// parsed options instead of running its body. Flags→options tests pass
// the constructor itself (NewCmdStake) or, for a parent with several
// subcommands, a closure that adapts their options to one type.
type NewCmdFunc[O any] func(f *cmdutil.Factory, runF func(*O) error) *cobra.Command

// FlagCase is one row of a flags→options table: a command line and either
// the options runF must receive (WantCode 0) or the exit code the command
// must fail with before runF runs.
type FlagCase[O any] struct {
	Name     string
	Args     []string
	Want     O
	WantCode int
}

// RunFlagCases runs each case as a subtest: Parse, a fatal error unless
// the exit code is WantCode, and, when the command line was accepted,
// check. Comparing is the caller's part, since options hold streams and
// functions that no one equality fits.
func RunFlagCases[O any](t *testing.T, newCmd NewCmdFunc[O], cases []FlagCase[O], check func(t *testing.T, got, want *O)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, code, err := Parse(t, newCmd, c.Args...)
			if expectExit(t, c.Args, code, err, c.WantCode) {
				check(t, got, &c.Want)
			}
		})
	}
}

// RecordFactory wraps newCmd so that *f is the factory of the last command
// it built: RunFlagCases makes a fresh one per case, and a check that
// compares the options with it (their streams must be its own) needs
// that case's.
func RecordFactory[O any](newCmd NewCmdFunc[O], f **cmdutil.Factory) NewCmdFunc[O] {
	return func(built *cmdutil.Factory, runF func(*O) error) *cobra.Command {
		*f = built
		return newCmd(built, runF)
	}
}

// Parse runs the command newCmd builds over a fresh NewFactory("") with
// args, as Exec does, with a runF that captures the options. It returns
// those options (nil when runF did not run), the exit code the CLI would
// give and the command's error. A run that fails but reached runF, or
// succeeds without reaching it, fails the test: the first means a usage
// error was found too late (after the body could have acted), the second
// leaves the test nothing to compare.
func Parse[O any](t testing.TB, newCmd NewCmdFunc[O], args ...string) (opts *O, code int, err error) {
	t.Helper()
	f, _ := NewFactory("")
	cmd := newCmd(f, func(o *O) error { opts = o; return nil })
	err = Exec(f, cmd, args...)
	code, _ = ExitCode(err)
	switch {
	case code != cmdutil.ExitOK && opts != nil:
		t.Errorf("%q: runF ran, with %+v, although the command exited %d (%v)", args, *opts, code, err)
	case code == cmdutil.ExitOK && opts == nil:
		// Fatal: the caller would go on to read the options.
		t.Fatalf("%q: exit 0, but runF did not run", args)
	}
	return opts, code, err
}

// expectExit stops the test unless the command run with args exited with
// want (showing err when not), and reports whether it succeeded: in a
// flags→options table, whether the case has options left to compare.
func expectExit(t testing.TB, args []string, code int, err error, want int) bool {
	t.Helper()
	if code != want {
		t.Fatalf("%q: exit %d (%v), want %d", args, code, err, want)
	}
	return code == cmdutil.ExitOK
}

// Capture adapts runF, which takes the options of any of a parent's
// subcommands, to one subcommand's runF: it hands runF a copy of the
// options, as an any holding a T, after strip has cleared what cannot be
// compared (streams, functions). A flags→options table over several
// subcommands can then compare the result with reflect.DeepEqual.
func Capture[T any](runF func(*any) error, strip func(*T)) func(*T) error {
	return func(o *T) error {
		c := *o
		strip(&c)
		var v any = c
		return runF(&v)
	}
}
