package completion

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/root"
)

// TestNewCmdCompletion: the shell argument reaches the options with the
// root of the tree; an unknown shell, none, two, or a transaction flag is
// a usage error.
func TestNewCmdCompletion(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantShell string
		wantCode  int
	}{
		{name: "bash", args: []string{"bash"}, wantShell: "bash"},
		{name: "powershell", args: []string{"powershell"}, wantShell: "powershell"},
		{name: "unknown shell", args: []string{"tcsh"}, wantCode: cmdutil.ExitBadInput},
		{name: "no shell", args: nil, wantCode: cmdutil.ExitBadInput},
		{name: "two shells", args: []string{"bash", "zsh"}, wantCode: cmdutil.ExitBadInput},
		{name: "--dry-run", args: []string{"bash", "--dry-run"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *CompletionOptions
			err := clitest.Exec(f, newCmdCompletion(f, func(o *CompletionOptions) error { got = o; return nil }), tt.args...)
			if code, _ := clitest.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if got != nil {
					t.Error("runF ran after a usage error")
				}
				return
			}
			if got == nil || got.Shell != tt.wantShell || got.IO != f.IO || got.Root == nil || got.Root.Name() != "stakewallet" {
				t.Errorf("options %+v", got)
			}
		})
	}
}

// TestCompletionScripts: each shell gets its own script, on stdout only,
// and the completion it drives offers the tree's commands.
func TestCompletionScripts(t *testing.T) {
	tests := []struct {
		shell string
		want  string // a line only that shell's script has
	}{
		{"bash", "complete -o default -F __start_stakewallet stakewallet"},
		{"zsh", "#compdef stakewallet"},
		{"fish", "complete -c stakewallet"},
		{"powershell", "Register-ArgumentCompleter"},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			f, streams := clitest.NewFactory("")
			sibling := func(*cmdutil.Factory) *cobra.Command {
				return &cobra.Command{Use: "stake", Run: func(*cobra.Command, []string) {}}
			}
			r := root.NewCmdRoot(f, NewCmdCompletion, sibling)
			r.SetArgs([]string{"completion", tt.shell})
			if err := r.Execute(); err != nil {
				t.Fatal(err)
			}
			out := streams.Out.String()
			if !strings.Contains(out, tt.want) {
				t.Errorf("%s script lacks %q (%d bytes)", tt.shell, tt.want, len(out))
			}
			if streams.ErrOut.Len() != 0 {
				t.Errorf("stderr %q", streams.ErrOut.String())
			}
		})
	}
	// The bash script completes the tree's commands: ask it, as bash would.
	f, streams := clitest.NewFactory("")
	sibling := func(*cmdutil.Factory) *cobra.Command {
		return &cobra.Command{Use: "stake", Run: func(*cobra.Command, []string) {}}
	}
	r := root.NewCmdRoot(f, NewCmdCompletion, sibling)
	r.SetArgs([]string{cobra.ShellCompRequestCmd, "st"})
	if err := r.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(streams.Out.String(), "stake") {
		t.Errorf("completing \"st\": %q", streams.Out.String())
	}
}
