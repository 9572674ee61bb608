// Package clitest runs commands in-process for their tests: a factory over
// test streams, the real root command (global flags, flag-error mapping)
// around the command under test, and exit codes as the CLI maps them. It
// starts no node; node-backed tests add a fake one (see Env).
package clitest

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

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

// DecodeJSON decodes s, a command's stdout, into v, and stops the test
// unless s is exactly one JSON document: scripts read stdout whole, so a
// second document or a stray line breaks them as bad JSON would.
// json.Unmarshal, unlike a json.Decoder, refuses anything after the first
// value.
func DecodeJSON(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, s)
	}
}

// JSONKeys is the sorted, comma-joined keys of a decoded JSON object: a
// document's shape, which scripts rely on, in one comparable string.
func JSONKeys(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ",")
}

// TxFlags is the transaction flags' defaults, as a command without any of
// them gets, with edit applied: the options a flags→options case wants
// differ from the defaults in the flags its command line gives.
func TxFlags(edit func(*cmdutil.TxFlags)) cmdutil.TxFlags {
	tx := cmdutil.DefaultTxFlags()
	edit(&tx)
	return tx
}
