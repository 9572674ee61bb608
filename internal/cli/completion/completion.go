// Package completion implements `stakewallet completion`.
package completion

import (
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// NewCmdCompletion returns the completion command.
func NewCmdCompletion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print a completion script for your shell. For bash:

  source <(stakewallet completion bash)

or install it: stakewallet completion bash > /etc/bash_completion.d/stakewallet`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      cmdutil.ExactArgs(1, "a shell: bash, zsh, fish or powershell"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), f.IO.Out
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return cmdutil.BadInputf("unknown shell %q: use bash, zsh, fish or powershell", args[0])
		},
	}
}
