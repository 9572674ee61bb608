package man

import (
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdMan: the directory and --json reach the options with the root
// of the tree and the build's version; no directory, two, or a transaction
// flag is a usage error.
func TestNewCmdMan(t *testing.T) {
	var f *cmdutil.Factory
	clitest.RunFlagCases(t, clitest.RecordFactory(NewCmdMan, &f), []clitest.FlagCase[ManOptions]{
		{Name: "dir", Args: []string{"out/man"}, Want: ManOptions{Dir: "out/man"}},
		{Name: "json", Args: []string{"m", "--json"}, Want: ManOptions{Dir: "m", JSON: true}},
		{Name: "no dir", Args: nil, WantCode: cmdutil.ExitBadInput},
		{Name: "two dirs", Args: []string{"a", "b"}, WantCode: cmdutil.ExitBadInput},
		{Name: "--yes", Args: []string{"m", "--yes"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *ManOptions) {
		if got.Dir != want.Dir || got.JSON != want.JSON || got.IO != f.IO || got.Version != f.Version ||
			got.Root == nil || got.Root.Name() != "stakewallet" {
			t.Errorf("options %+v, want %+v", got, want)
		}
	})
}
