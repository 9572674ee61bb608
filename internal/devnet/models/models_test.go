package models_test

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/models"
	"github.com/stakewallet/stakewallet/pkg/protocol/all"
)

// TestRegistry: every registered model runs on a known chain, is a
// registered protocol, and claims contract names and addresses no other
// model (nor Multicall3) claims; ForChain partitions All.
func TestRegistry(t *testing.T) {
	names := map[string]string{}
	addrs := map[common.Address]string{devnet.Multicall3Address: "Multicall3"}
	protocols := map[string]bool{}
	for _, m := range models.All() {
		if _, err := devnet.LookupChain(m.Chain()); err != nil {
			t.Errorf("model %s: %v", m.Name(), err)
		}
		if _, ok := all.Lookup(m.Name()); !ok {
			t.Errorf("model %s is not a protocol of pkg/protocol/all", m.Name())
		}
		if protocols[m.Name()] {
			t.Errorf("model %s registered twice", m.Name())
		}
		protocols[m.Name()] = true
		// A model that only adds to another model's contracts (sonic adds
		// validators to sts's SFC) says whose with Extends.
		if _, extends := m.(interface{ Extends() string }); len(m.Fixed()) == 0 && !extends {
			t.Errorf("model %s creates no contracts", m.Name())
		}
		for name, addr := range m.Fixed() {
			if prev, dup := names[name]; dup {
				t.Errorf("contract name %s of %s is also %s's", name, m.Name(), prev)
			}
			names[name] = m.Name()
			if prev, dup := addrs[addr]; dup {
				t.Errorf("%s's %s at %s collides with %s", m.Name(), name, addr.Hex(), prev)
			}
			addrs[addr] = m.Name() + "." + name
		}
		if f := m.Funding(); f != nil && f.Sign() < 0 {
			t.Errorf("model %s: negative funding %s", m.Name(), f)
		}
	}
	n := 0
	for _, ch := range devnet.ChainNames() {
		for _, m := range models.ForChain(ch) {
			if m.Chain() != ch {
				t.Errorf("ForChain(%s) returned %s of %s", ch, m.Name(), m.Chain())
			}
			n++
		}
	}
	if n != len(models.All()) {
		t.Errorf("ForChain over the chains gives %d models, All %d", n, len(models.All()))
	}
	if len(models.ForChain("devnet-moon")) != 0 {
		t.Error("an unknown chain has models")
	}
	if m := models.ForChain("devnet"); len(m) == 0 || m[0].Name() != "lido" {
		t.Error("lido must be the devnet's first model (deploy's nonces and the default protocol rest on it)")
	}
}

// TestGenesisPlacesModelsAtTheirNetworkAddresses: what each model's Deploy
// returns in the genesis is exactly its protocol's built-in deployment on
// the chain's network, so the wallet finds the models there.
func TestGenesisPlacesModelsAtTheirNetworkAddresses(t *testing.T) {
	for _, ch := range devnet.ChainNames() {
		cg, err := devnet.GenesisFor(ch)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cg.Models {
			d, ok := all.Lookup(m.Name())
			if !ok {
				continue // reported by TestRegistry
			}
			want := d.Deployments[ch]
			got := cg.Deployments[m.Name()]
			if len(got) != len(want) {
				t.Errorf("%s on %s: %d roles deployed, the built-in network has %d", m.Name(), ch, len(got), len(want))
			}
			for role, addr := range want {
				if got[role] != addr {
					t.Errorf("%s on %s: %s at %s, the built-in network says %s", m.Name(), ch, role, got[role].Hex(), addr.Hex())
				}
			}
		}
	}
}
