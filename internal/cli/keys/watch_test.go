package keys

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/ensfake"
	"github.com/stakewallet/stakewallet/pkg/ens"
)

func keysCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdKeys(f) }

// keys add NAME --address: an address or an ENS name (resolved once, on
// the network's registry) registered with no key; listed and shown as a
// "watch" key; never exported. Bad combinations are refused before
// anything is read.
func TestAddWatchOnly(t *testing.T) {
	e := clitest.NewFakenetEnv(t)
	ensfake.Install(e.Node, ens.Registry, ensfake.DevnetResolver).Set("bob.eth", e.Bob)

	type key struct{ Name, Backend, Address, File string }
	tests := []struct {
		name, address, want string
	}{
		{"vault", e.Alice.Hex(), e.Alice.Hex()},
		{"bobs", "bob.eth", e.Bob.Hex()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.RunOK(t, keysCmd, "add", tc.name, "--address", tc.address, "--json")
			var k key
			e.JSON(t, &k)
			if k.Name != tc.name || k.Backend != "watch" || k.Address != tc.want || k.File != "" {
				t.Errorf("added %+v, want a watch key of %s", k, tc.want)
			}
			e.RunOK(t, keysCmd, "show", tc.name, "--json")
			e.JSON(t, &k)
			if k.Backend != "watch" || k.Address != tc.want {
				t.Errorf("show: %+v", k)
			}
		})
	}

	refused := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"add", "vault", "--address", e.Bob.Hex()}, 2, "already exists"},
		{[]string{"add", "v2", "--address", "0x1234"}, 2, "address"},
		{[]string{"add", "v3", "--address", "nobody.eth"}, 2, "does not resolve"},
		{[]string{"add", "v4", "--address", e.Bob.Hex(), "--ledger"}, 2, "give one kind"},
		{[]string{"add", "v5"}, 2, "--address ADDR"},
		{[]string{"export", "vault", "--out", filepath.Join(e.Home, "vault.json")}, 2, "watch-only"},
	}
	for _, tc := range refused {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			e.RunFails(t, keysCmd, tc.code, tc.msg, tc.args...)
		})
	}
	e.RunOK(t, keysCmd, "list", "--json")
	if out := e.Out.String(); strings.Count(out, `"watch"`) != 2 {
		t.Errorf("list: %s", out)
	}
}
