// Package completion implements `stakewallet completion`.
package completion

import (
	"slices"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
)

// shells are the shells cobra writes completion scripts for.
var shells = []string{"bash", "zsh", "fish", "powershell"}

// CompletionOptions are the inputs of `completion`.
type CompletionOptions struct {
	IO *iostreams.IOStreams
	// Root is the command tree to complete (the root of the command run).
	Root  *cobra.Command
	Shell string
}

// NewCmdCompletion returns the completion command.
func NewCmdCompletion(f *cmdutil.Factory) *cobra.Command {
	return newCmdCompletion(f, nil)
}

// newCmdCompletion is NewCmdCompletion with the body replaceable in tests.
func newCmdCompletion(f *cmdutil.Factory, runF func(*CompletionOptions) error) *cobra.Command {
	opts := &CompletionOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long: `Print a completion script for your shell. Install it once:

  bash (needs the bash-completion package)
    stakewallet completion bash > ~/.local/share/bash-completion/completions/stakewallet
  zsh (compinit enabled in ~/.zshrc; ~/.zsh/completions in fpath before it)
    stakewallet completion zsh > ~/.zsh/completions/_stakewallet
  fish
    stakewallet completion fish > ~/.config/fish/completions/stakewallet.fish

or try it in the current shell: source <(stakewallet completion bash).

Besides commands and flags it completes --signer (registered keys and
ledger), --network, --protocol, --token and transfer's TOKEN, and
--validator where a protocol lists validators. It reads only the config
file and the key registry: never the network, the OS keyring or a Ledger.`,
		ValidArgs: shells,
		Args:      cmdutil.ExactArgs(1, "a shell: bash, zsh, fish or powershell"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Shell, opts.Root = args[0], cmd.Root()
			if !slices.Contains(shells, opts.Shell) {
				return cmdutil.BadInputf("unknown shell %q: use bash, zsh, fish or powershell", opts.Shell)
			}
			if runF != nil {
				return runF(opts)
			}
			return completionRun(opts)
		},
	}
}

// completionRun writes the script itself, not a result: it is meant to be
// sourced, and --json has no document to give.
func completionRun(opts *CompletionOptions) error {
	out := opts.IO.Out
	switch opts.Shell {
	case "bash":
		return opts.Root.GenBashCompletionV2(out, true)
	case "zsh":
		return opts.Root.GenZshCompletion(out)
	case "fish":
		return opts.Root.GenFishCompletion(out, true)
	case "powershell":
		return opts.Root.GenPowerShellCompletionWithDesc(out)
	}
	return cmdutil.BadInputf("unknown shell %q: use bash, zsh, fish or powershell", opts.Shell)
}
