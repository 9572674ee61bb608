package devnet_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/ensfake"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/ens"
)

// TestENSSelectors compares the compiled ENS models with the selectors and
// topics of the real contracts (ensdomains/ens-contracts ENSRegistry and
// PublicResolver: the registry's hex is what the dispatcher of the
// deployed registry at 0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e holds).
// Each signature must exist in the artifact, and the hex must be its
// keccak256.
func TestENSSelectors(t *testing.T) {
	reg, res := contracts.ENSRegistry(), contracts.PublicResolver()
	type entry struct {
		artifact *contracts.Artifact
		sig      string
		want     string
	}
	methods := []entry{
		{reg, "resolver(bytes32)", "0178b8bf"},
		{reg, "owner(bytes32)", "02571be3"},
		{reg, "ttl(bytes32)", "16a25cbd"},
		{reg, "recordExists(bytes32)", "f79fe538"},
		{reg, "isApprovedForAll(address,address)", "e985e9c5"},
		{reg, "setRecord(bytes32,address,address,uint64)", "cf408823"},
		{reg, "setSubnodeRecord(bytes32,bytes32,address,address,uint64)", "5ef2c7f0"},
		{reg, "setOwner(bytes32,address)", "5b0fc9c3"},
		{reg, "setSubnodeOwner(bytes32,bytes32,address)", "06ab5923"},
		{reg, "setResolver(bytes32,address)", "1896f70a"},
		{reg, "setTTL(bytes32,uint64)", "14ab9038"},
		{reg, "setApprovalForAll(address,bool)", "a22cb465"},
		{res, "addr(bytes32)", "3b3b57de"},
		{res, "addr(bytes32,uint256)", "f1cb7e06"},
		{res, "setAddr(bytes32,address)", "d5fa2b00"},
		{res, "setAddr(bytes32,uint256,bytes)", "8b95dd71"},
		{res, "supportsInterface(bytes4)", "01ffc9a7"},
		{res, "isApprovedForAll(address,address)", "e985e9c5"},
		{res, "setApprovalForAll(address,bool)", "a22cb465"},
	}
	events := []entry{
		{reg, "NewOwner(bytes32,bytes32,address)", "ce0457fe73731f824cc272376169235128c118b49d344817417c6d108d155e82"},
		{reg, "Transfer(bytes32,address)", "d4735d920b0f87494915f556dd9b54c8f309026070caea5c737245152564d266"},
		{reg, "NewResolver(bytes32,address)", "335721b01866dc23fbee8b6b2c7b1e14d6f05c28cd35a2c934239f94095602a0"},
		{reg, "NewTTL(bytes32,uint64)", "1d4f9bbfc9cab89d66e1a1562f2233ccbf1308cb4f63de2ead5787adddb8fa68"},
		{reg, "ApprovalForAll(address,address,bool)", "17307eab39ab6107e8899845ad3d59bd9653f200f220920489ca2b5937696c31"},
		{res, "AddrChanged(bytes32,address)", "52d7d861f09ab3d26239d492e8968629f95e9e318cf0b73bfddc441522a15fd2"},
		{res, "AddressChanged(bytes32,uint256,bytes)", "65412581168e88a1e60c6459d7f44ae83ad0832e670826c05a4e2476b57af752"},
		{res, "ApprovalForAll(address,address,bool)", "17307eab39ab6107e8899845ad3d59bd9653f200f220920489ca2b5937696c31"},
	}
	check := func(t *testing.T, e entry, found map[string][]byte, size int) {
		t.Helper()
		if got := hex.EncodeToString(crypto.Keccak256([]byte(e.sig))[:size]); got != e.want {
			t.Errorf("keccak(%s) = %s, table says %s", e.sig, got, e.want)
		}
		id, ok := found[e.sig]
		if !ok {
			t.Errorf("%s has no %s", e.artifact.Name, e.sig)
			return
		}
		if got := hex.EncodeToString(id[:size]); got != e.want {
			t.Errorf("%s.%s compiled to %s, want %s", e.artifact.Name, e.sig, got, e.want)
		}
	}
	for _, e := range methods {
		found := map[string][]byte{}
		for _, m := range e.artifact.ABI.Methods {
			found[m.Sig] = m.ID
		}
		check(t, e, found, 4)
	}
	for _, e := range events {
		found := map[string][]byte{}
		for _, ev := range e.artifact.ABI.Events {
			found[ev.Sig] = ev.ID.Bytes()
		}
		check(t, e, found, 32)
	}
	// The client's own ABI (pkg/ens) must call what the models answer.
	for name, m := range ens.ABI.Methods {
		a := reg
		if name == "addr" {
			a = res
		}
		found := false
		for _, am := range a.ABI.Methods {
			found = found || am.Sig == m.Sig
		}
		if !found {
			t.Errorf("pkg/ens calls %s, which %s lacks", m.Sig, a.Name)
		}
	}
}

// TestENSGenesis: the registry sits at mainnet's address and the resolver
// where the command tests' fake expects it, both with code and storage.
func TestENSGenesis(t *testing.T) {
	g, err := devnet.Genesis()
	if err != nil {
		t.Fatal(err)
	}
	if devnet.FixedENS().Registry != ens.Registry {
		t.Errorf("registry at %s, want mainnet's %s", devnet.FixedENS().Registry.Hex(), ens.Registry.Hex())
	}
	if devnet.DevnetPublicResolver != ensfake.DevnetResolver {
		t.Errorf("resolver at %s, but ensfake plays it at %s", devnet.DevnetPublicResolver.Hex(), ensfake.DevnetResolver.Hex())
	}
	for _, tt := range []struct {
		addr     common.Address
		artifact *contracts.Artifact
	}{{ens.Registry, contracts.ENSRegistry()}, {devnet.DevnetPublicResolver, contracts.PublicResolver()}} {
		acc, ok := g.Alloc[tt.addr]
		if !ok {
			t.Fatalf("no %s at %s", tt.artifact.Name, tt.addr.Hex())
		}
		if len(acc.Code) != len(tt.artifact.DeployedBytecode) || len(acc.Storage) == 0 || acc.Nonce != 1 {
			t.Errorf("%s: code %d bytes (want %d), %d storage slots, nonce %d", tt.artifact.Name, len(acc.Code), len(tt.artifact.DeployedBytecode), len(acc.Storage), acc.Nonce)
		}
	}
}

// TestENSOnDevnet resolves the genesis names on a running devnet with the
// wallet's resolver, checks the registry's view of who owns them, and
// that the records follow the real contracts' rules: an owner may change
// her name's address (with the real events), nobody else may.
func TestENSOnDevnet(t *testing.T) {
	t.Parallel()
	_, c := startDevnet(t, devnet.Config{DisableOracle: true})
	reg, res := contracts.ENSRegistry(), contracts.PublicResolver()

	for _, n := range devnet.GenesisENSNames() {
		name := n.Label + ".eth"
		got, err := ens.Resolve(c.ctx, c.client, ens.Registry, name)
		if err != nil || got != n.Addr {
			t.Errorf("%s resolves to %s, %v; want %s", name, got.Hex(), err, n.Addr.Hex())
		}
		if owner := c.call(reg, ens.Registry, "owner", ens.Namehash(name))[0]; owner != n.Addr {
			t.Errorf("%s is owned by %v, want %s", name, owner, n.Addr.Hex())
		}
	}
	for _, name := range []string{"dave.eth", "eth", "alice.test"} {
		_, err := ens.Resolve(c.ctx, c.client, ens.Registry, name)
		var nr *ens.NotResolvedError
		if !errors.As(err, &nr) || !strings.Contains(nr.Reason, "no resolver") {
			t.Errorf("%s: %v, want it not to resolve for want of a resolver", name, err)
		}
	}
	// A resolver that is not a contract (a real node answers such calls
	// with empty data).
	carol := account(t, 2)
	c.send(carol, ens.Registry, nil, reg, "setResolver", ens.Namehash("carol.eth"), account(t, 9).Address)
	if _, err := ens.Resolve(c.ctx, c.client, ens.Registry, "carol.eth"); err == nil || !strings.Contains(err.Error(), "not a contract") {
		t.Errorf("carol.eth with an account as resolver: %v", err)
	}

	alice, bob, dest := account(t, 0), account(t, 1), account(t, 5).Address
	node := ens.Namehash("alice.eth")
	// go-ethereum names overloads by their order in the ABI ("setAddr",
	// "setAddr0"): find the two-argument one by its signature.
	var data []byte
	for name, m := range res.ABI.Methods {
		if m.Sig == "setAddr(bytes32,address)" {
			data = pack(t, res, name, node, dest)
		}
	}
	// A stranger is refused with a bare revert, as by the real resolver's
	// require().
	to := devnet.DevnetPublicResolver
	_, err := c.client.CallContract(c.ctx, ethereum.CallMsg{From: bob.Address, To: &to, Data: data}, nil)
	if rev, ok := abidecode.FromError(err); !ok || rev.Reason() != "" {
		t.Errorf("bob's setAddr for alice.eth: %v, want a revert without a reason", err)
	}
	r := c.sendRaw(alice, devnet.DevnetPublicResolver, nil, data)
	wantEvent(t, r.Logs, res, devnet.DevnetPublicResolver, "AddrChanged", event{"node": [32]byte(node), "a": dest})
	wantEvent(t, r.Logs, res, devnet.DevnetPublicResolver, "AddressChanged", event{"node": [32]byte(node), "coinType": 60, "newAddress": dest.Bytes()})
	if got, err := ens.Resolve(c.ctx, c.client, ens.Registry, "alice.eth"); err != nil || got != dest {
		t.Errorf("after setAddr alice.eth resolves to %s, %v; want %s", got.Hex(), err, dest.Hex())
	}
}
