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
	var f *cmdutil.Factory // the case's, whose streams the options carry
	clitest.RunFlagCases(t, clitest.RecordFactory(newCmdCompletion, &f), []clitest.FlagCase[CompletionOptions]{
		{Name: "bash", Args: []string{"bash"}, Want: CompletionOptions{Shell: "bash"}},
		{Name: "powershell", Args: []string{"powershell"}, Want: CompletionOptions{Shell: "powershell"}},
		{Name: "unknown shell", Args: []string{"tcsh"}, WantCode: cmdutil.ExitBadInput},
		{Name: "no shell", Args: nil, WantCode: cmdutil.ExitBadInput},
		{Name: "two shells", Args: []string{"bash", "zsh"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--dry-run", Args: []string{"bash", "--dry-run"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *CompletionOptions) {
		if got.Shell != want.Shell || got.IO != f.IO || got.Root == nil || got.Root.Name() != "stakewallet" {
			t.Errorf("options %+v", got)
		}
	})
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
