package clitest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/ens"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// Fakenet is the network of the tests that run on the fake node
// (chaintest/lidofake): the devnet's chain ID and contract addresses, but
// only the protocols the fake node plays (Lido, and Rocket Pool where a
// test installs rETH), so that adapters added to the devnet later need no
// fixture there to keep those tests meaningful.
const Fakenet = "fakenet"

// UseFakenet points e at Fakenet through a config file, as a user would.
func UseFakenet(t *testing.T, e *Env) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "[networks.%s]\nchain-id = 1337\ndefault-protocol = \"lido\"\nens-registry = %q\n", Fakenet, ens.Registry.Hex())
	for _, p := range []struct {
		name  string
		addrs protocol.Addresses
	}{{"lido", lido.Deployments["devnet"]}, {"rocketpool", rocketpool.Deployments["devnet"]}} {
		fmt.Fprintf(&b, "\n[networks.%s.protocols.%s]\n", Fakenet, p.name)
		roles := make([]string, 0, len(p.addrs))
		for r := range p.addrs {
			roles = append(roles, r)
		}
		sort.Strings(roles)
		for _, r := range roles {
			fmt.Fprintf(&b, "%s = %q\n", r, p.addrs[r].Hex())
		}
	}
	path := filepath.Join(e.Home, "fakenet.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// The environment for runs through the root command (which reads
	// it when it registers the flags), the flags for direct calls.
	t.Setenv("STAKEWALLET_CONFIG", path)
	t.Setenv("STAKEWALLET_NETWORK", Fakenet)
	e.F.Flags.ConfigFile, e.F.Flags.Network = path, Fakenet
}

// NewFakenetEnv is NewEnv on Fakenet.
func NewFakenetEnv(t *testing.T) *Env {
	t.Helper()
	e := NewEnv(t, "")
	UseFakenet(t, e)
	return e
}
