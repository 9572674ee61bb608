package version

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdVersion: version takes --json and nothing else.
func TestNewCmdVersion(t *testing.T) {
	// Each case's factory has a version of its own: the options must
	// carry it, and the factory's streams.
	withVersion := func(f *cmdutil.Factory, runF func(*VersionOptions) error) *cobra.Command {
		f.Version = "v9.8.7"
		return NewCmdVersion(f, runF)
	}
	var f *cmdutil.Factory
	clitest.RunFlagCases(t, clitest.RecordFactory(withVersion, &f), []clitest.FlagCase[VersionOptions]{
		{Name: "plain", Args: nil},
		{Name: "json", Args: []string{"--json"}, Want: VersionOptions{JSON: true}},
		{Name: "an argument", Args: []string{"1.0"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--nonce", Args: []string{"--nonce", "1"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *VersionOptions) {
		if got.JSON != want.JSON || got.Version != "v9.8.7" || got.IO != f.IO || got.BuildInfo == nil {
			t.Errorf("options %+v", got)
		}
	})
}

// TestVersionOutput: the document has the keys it always had, filled from
// the build info; people get one line with the commit cut to 12 digits.
func TestVersionOutput(t *testing.T) {
	const rev = "0123456789abcdef0123456789abcdef01234567"
	withVCS := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{
			Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}},
			Deps:     []*debug.Module{{Path: "github.com/spf13/cobra", Version: "v1.0.0"}, {Path: "github.com/ethereum/go-ethereum", Version: "v1.14.0"}},
		}, true
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	platform := runtime.GOOS + "/" + runtime.GOARCH + ", " + runtime.Version()
	tests := []struct {
		name      string
		buildInfo func() (*debug.BuildInfo, bool)
		wantDoc   VersionResult
		wantHuman string
	}{
		{"with VCS data", withVCS,
			VersionResult{Version: "v1.2.3", Commit: rev, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, GoEthereum: "v1.14.0"},
			"stakewallet v1.2.3 (" + platform + ", commit 0123456789ab)\n"},
		{"without build info", none,
			VersionResult{Version: "v1.2.3", Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH},
			"stakewallet v1.2.3 (" + platform + ")\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, streams := clitest.NewFactory("")
			if err := versionRun(&VersionOptions{IO: f.IO, Version: "v1.2.3", BuildInfo: tt.buildInfo, JSON: true}); err != nil {
				t.Fatal(err)
			}
			var keys map[string]any
			clitest.DecodeJSON(t, streams.Out.String(), &keys)
			if len(keys) != 6 {
				t.Errorf("document %v: want the 6 keys version, commit, go, os, arch, goEthereum", keys)
			}
			var doc VersionResult
			clitest.DecodeJSON(t, streams.Out.String(), &doc)
			if doc != tt.wantDoc {
				t.Errorf("document %+v\nwant     %+v", doc, tt.wantDoc)
			}

			f, streams = clitest.NewFactory("")
			if err := versionRun(&VersionOptions{IO: f.IO, Version: "v1.2.3", BuildInfo: tt.buildInfo}); err != nil {
				t.Fatal(err)
			}
			if streams.Out.String() != tt.wantHuman {
				t.Errorf("human %q, want %q", streams.Out.String(), tt.wantHuman)
			}
		})
	}
}
