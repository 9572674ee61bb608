// Package version implements `stakewallet version`.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
)

// NewCmdVersion returns the version command.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			commit, geth := "", ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						commit = s.Value
					}
				}
				for _, d := range bi.Deps {
					if d.Path == "github.com/ethereum/go-ethereum" {
						geth = d.Version
					}
				}
			}
			if f.Flags.JSON {
				return output.JSON(f.IO.Out, map[string]any{"version": f.Version, "commit": commit, "go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH, "goEthereum": geth})
			}
			fmt.Fprintf(f.IO.Out, "stakewallet %s (%s/%s, %s", f.Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
			if commit != "" {
				fmt.Fprintf(f.IO.Out, ", commit %.12s", commit)
			}
			fmt.Fprintln(f.IO.Out, ")")
			return nil
		},
	}
}
