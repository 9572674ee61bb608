// Package version implements `stakewallet version`.
package version

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
)

// VersionOptions are the inputs of `version`.
type VersionOptions struct {
	IO *iostreams.IOStreams
	// Version is the build's version string (set by the linker).
	Version string
	// BuildInfo reads the binary's module and VCS data; tests give
	// their own, since a test binary has neither.
	BuildInfo func() (*debug.BuildInfo, bool)
	JSON      bool
}

// NewCmdVersion returns the version command; runF replaces its body in
// tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IO, Version: f.Version, BuildInfo: debug.ReadBuildInfo}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

// VersionResult is `version`.
type VersionResult struct {
	Version string `json:"version"`
	// Commit is the VCS revision the binary was built from; "" when the
	// build did not record one.
	Commit string `json:"commit"`
	Go     string `json:"go"`
	OS     string `json:"os"`
	Arch   string `json:"arch"`
	// GoEthereum is the go-ethereum module version linked in.
	GoEthereum string `json:"goEthereum"`
}

// RenderHuman implements output.Human.
func (r *VersionResult) RenderHuman(w io.Writer, _ output.Styles) {
	fmt.Fprintf(w, "stakewallet %s (%s/%s, %s", r.Version, r.OS, r.Arch, r.Go)
	if r.Commit != "" {
		fmt.Fprintf(w, ", commit %.12s", r.Commit)
	}
	fmt.Fprintln(w, ")")
}

func versionRun(opts *VersionOptions) error {
	res := &VersionResult{Version: opts.Version, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi, ok := opts.BuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				res.Commit = s.Value
			}
		}
		for _, d := range bi.Deps {
			if d.Path == "github.com/ethereum/go-ethereum" {
				res.GoEthereum = d.Version
			}
		}
	}
	return output.Print(opts.IO, opts.JSON, res)
}
