// Package root assembles the stakewallet command tree.
package root

import (
	"regexp"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// NewCmdRoot returns the root command with every subcommand.
func NewCmdRoot(f *cmdutil.Factory, cmds ...func(*cmdutil.Factory) *cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stakewallet <command>",
		Short: "Stake, unstake, claim and transfer liquid staking tokens from the terminal",
		Long: `stakewallet stakes native coin into liquid-staking protocols (Lido first),
requests withdrawals, waits for the bonding period, claims, and transfers
LSTs. It signs with a Ledger, the OS keyring or an encrypted keystore file,
and speaks JSON to scripts (--json).`,
		Example: `  stakewallet stake 1 --signer alice
  stakewallet unstake 0.5 --signer alice
  stakewallet withdrawals wait --claim --signer alice
  stakewallet balance 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --json`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       f.Version,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			markRan(cmd)
			if f.Flags.NoColor || f.Flags.JSON {
				f.IO.DisableColor()
			}
			return nil
		},
	}
	cmd.SetVersionTemplate("stakewallet {{.Version}}\n")
	f.Flags.Register(cmd.PersistentFlags())
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		// Cobra reads "-1" as a shorthand flag; say what the user meant.
		if m := negativeNumber.FindStringSubmatch(err.Error()); m != nil {
			return cmdutil.BadInputf("invalid amount %q: no sign allowed; amounts are positive", m[1])
		}
		return cmdutil.BadInput(err)
	})
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	for _, c := range cmds {
		sub := c(f)
		cmd.AddCommand(sub)
	}
	cmdutil.RegisterCompletions(cmd, f)
	return cmd
}

// ranKey marks, in the root's annotations, that argument and flag parsing
// succeeded, so later errors are not usage errors.
const ranKey = "stakewallet/ran"

func markRan(cmd *cobra.Command) {
	r := cmd.Root()
	if r.Annotations == nil {
		r.Annotations = map[string]string{}
	}
	r.Annotations[ranKey] = "1"
}

// Ran reports whether a command's RunE was reached.
func Ran(root *cobra.Command) bool { return root.Annotations[ranKey] == "1" }

var negativeNumber = regexp.MustCompile(`in (-[0-9][0-9.]*)$`)
