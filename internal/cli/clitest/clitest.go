// Package clitest runs commands in-process for their tests: a factory over
// test streams, the real root command (global flags, flag-error mapping)
// around the command under test, and exit codes as the CLI maps them. It
// starts no node; node-backed tests add a fake one (see Env).
package clitest

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/root"
)

// Streams are a test's captured stdout and stderr.
type Streams struct {
	Out, ErrOut *strings.Builder
}

// NewFactory returns a factory over test streams (stdin holds in, none is a
// terminal) with no dependencies: a flags→options test must not reach
// them (a nil function panics, failing the test). Node-backed tests set
// them before building the command, since commands copy them at
// construction.
func NewFactory(in string) (*cmdutil.Factory, Streams) {
	ios, out, errOut := iostreams.Test(in)
	f := &cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{LedgerTransport: "hid"}, Version: "test"}
	return f, Streams{Out: out, ErrOut: errOut}
}

// Exec runs cmd, built by the test from f, as a subcommand of the real root
// command with args, and returns the command's error (nil on success).
func Exec(f *cmdutil.Factory, cmd *cobra.Command, args ...string) error {
	r := root.NewCmdRoot(f, func(*cmdutil.Factory) *cobra.Command { return cmd })
	r.SetArgs(append([]string{cmd.Name()}, args...))
	return r.ExecuteContext(context.Background())
}

// ExitCode is the process exit code the CLI gives err (0 for nil), with
// the JSON error kind. Flag and argument errors are usage errors (2), as
// in cli.Run.
func ExitCode(err error) (int, string) {
	if err == nil {
		return cmdutil.ExitOK, ""
	}
	code, kind := cmdutil.Classify(err)
	return code, kind
}
