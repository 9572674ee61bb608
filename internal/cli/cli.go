// Package cli runs the stakewallet command line: it builds the command
// tree, executes it and turns errors into the exit codes and JSON error
// documents of SPEC.md.
package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/factory"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/root"
)

// Main runs the CLI with args (without the program name) and returns the
// process exit code.
func Main(version string, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, factory.New(version, iostreams.System()), args)
}

// Run executes the command tree against f; tests call it with a test factory.
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	cmd := root.NewCmdRoot(f, Commands()...)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	f.IO.StopProgress()
	if f.TraceSummary != nil {
		if s := f.TraceSummary(); s != "" {
			fmt.Fprintln(f.IO.ErrOut, s)
		}
	}
	if err == nil {
		return cmdutil.ExitOK
	}
	code, kind := cmdutil.Classify(err)
	if !root.Ran(cmd) && code == cmdutil.ExitOther {
		// Cobra rejected the arguments before any command ran.
		code, kind = cmdutil.ExitBadInput, "usage"
	}
	if f.Flags.JSON || jsonRequested(args) {
		_ = output.JSON(f.IO.Out, map[string]any{"error": map[string]any{"code": kind, "message": err.Error()}})
	} else {
		st := output.NewStyles(f.IO)
		// The message may quote what the chain or an RPC said (a revert
		// reason, a moniker, a token symbol): its control characters are
		// shown escaped, never acted on by the terminal.
		fmt.Fprintln(f.IO.ErrOut, st.Err.Render("Error:")+" "+output.SafeLines(err.Error()))
		if kind == "usage" {
			fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", commandPath(cmd, args))
		}
	}
	return code
}

func commandPath(root *cobra.Command, args []string) string {
	c, _, err := root.Find(args)
	if err != nil || c == nil {
		return root.Name()
	}
	return c.CommandPath()
}

// jsonRequested finds --json in args when flag parsing failed before
// setting it, so scripts still get a JSON error document.
func jsonRequested(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--json" || a == "--json=true" {
			return true
		}
	}
	return false
}
