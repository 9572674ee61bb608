package withdrawals

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/pkg/ens"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// fakenet is the network these tests run on: the devnet's chain ID and
// contract addresses, but only the protocols the fake node plays (Lido,
// and Rocket Pool where a test installs rETH), so that adapters added to
// the devnet later need no fixture here to keep these tests meaningful.
const fakenet = "fakenet"

// useFakenet points e at fakenet through a config file, as a user would.
func useFakenet(t *testing.T, e *clitest.Env) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "[networks.%s]\nchain-id = 1337\ndefault-protocol = \"lido\"\nens-registry = %q\n", fakenet, ens.Registry.Hex())
	for _, p := range []struct {
		name  string
		addrs protocol.Addresses
	}{{"lido", lido.Deployments["devnet"]}, {"rocketpool", rocketpool.Deployments["devnet"]}} {
		fmt.Fprintf(&b, "\n[networks.%s.protocols.%s]\n", fakenet, p.name)
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
	t.Setenv("STAKEWALLET_NETWORK", fakenet)
	e.F.Flags.ConfigFile, e.F.Flags.Network = path, fakenet
}

// newEnv is clitest.NewEnv on fakenet.
func newEnv(t *testing.T) *clitest.Env {
	t.Helper()
	e := clitest.NewEnv(t, "")
	useFakenet(t, e)
	return e
}
