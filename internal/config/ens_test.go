package config

import (
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/ens"
)

// TestENSRegistry: the built-in networks where ENS is deployed carry its
// registry, Hoodi (no deployment) does not, and a config file can set one
// for its own network, replace a built-in one, or turn ENS off with the
// zero address.
func TestENSRegistry(t *testing.T) {
	own := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	tests := []struct {
		name    string
		content string
		want    map[string]common.Address
		errPart string
	}{
		{
			name: "built in",
			want: map[string]common.Address{
				"mainnet": ens.Registry, "sepolia": ens.Registry, "holesky": ens.Registry, "devnet": ens.Registry,
				"hoodi": {},
			},
		},
		{
			name:    "own network",
			content: "[networks.local]\nchain-id = 31337\nens-registry = \"" + own.Hex() + "\"\n[networks.bare]\nchain-id = 31338\n",
			want:    map[string]common.Address{"local": own, "bare": {}, "mainnet": ens.Registry},
		},
		{
			name:    "replaced and turned off",
			content: "[networks.hoodi]\nens-registry = \"" + own.Hex() + "\"\n[networks.devnet]\nens-registry = \"0x0000000000000000000000000000000000000000\"\n",
			want:    map[string]common.Address{"hoodi": own, "devnet": {}},
		},
		{name: "not an address", content: "[networks.local]\nchain-id = 31337\nens-registry = \"alice.eth\"\n", errPart: `ens-registry = "alice.eth" is not an address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.content)
			if tt.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				n, err := c.Network(name)
				if err != nil {
					t.Fatal(err)
				}
				if n.ENSRegistry != want {
					t.Errorf("%s: ENS registry %s, want %s", name, n.ENSRegistry.Hex(), want.Hex())
				}
			}
		})
	}
}
