// Package ensfake plays the ENS registry and a public resolver on a
// chaintest.Node, as pkg/ens sees them: the registry answers
// resolver(bytes32) and owner(bytes32), the resolver addr(bytes32), both
// by namehash as the real contracts do. Names are registered by the test
// (Set, SetResolver); there is no registrar and nothing is sent to them.
package ensfake

import (
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/ens"
)

// DevnetResolver is where the fake's resolver lives unless told otherwise:
// the devnet's public resolver address (internal/devnet), so that a
// command test sees the devnet's layout.
var DevnetResolver = common.HexToAddress("0xE500000000000000000000000000000000000001")

// ENS is the fake, installed on a node. Its maps are guarded by the
// node's lock: handlers run under it, and fixture methods go through
// Node.Apply.
type ENS struct {
	n                  *chaintest.Node
	Registry, Resolver common.Address
	resolvers          map[common.Hash]common.Address
	owners             map[common.Hash]common.Address
	addrs              map[common.Hash]common.Address
}

// Install registers the registry at registry and a public resolver at
// resolver on node, with no names.
func Install(node *chaintest.Node, registry, resolver common.Address) *ENS {
	e := &ENS{
		n: node, Registry: registry, Resolver: resolver,
		resolvers: map[common.Hash]common.Address{},
		owners:    map[common.Hash]common.Address{},
		addrs:     map[common.Hash]common.Address{},
	}
	node.Handle(registry, ens.ABI, "resolver", func(_ *chaintest.Ctx, args []any) ([]any, error) {
		return []any{e.resolvers[args[0].([32]byte)]}, nil
	})
	node.Handle(registry, ens.ABI, "owner", func(_ *chaintest.Ctx, args []any) ([]any, error) {
		return []any{e.owners[args[0].([32]byte)]}, nil
	})
	node.Handle(resolver, ens.ABI, "addr", func(_ *chaintest.Ctx, args []any) ([]any, error) {
		return []any{e.addrs[args[0].([32]byte)]}, nil
	})
	return e
}

// Set registers name (normalised already, e.g. "alice.eth"), owned by
// addr, with the fake's resolver pointing it at addr.
func (e *ENS) Set(name string, addr common.Address) {
	node := ens.Namehash(name)
	e.apply(func() {
		e.owners[node], e.resolvers[node], e.addrs[node] = addr, e.Resolver, addr
	})
}

// SetResolver registers name with resolver and no address record: the
// zero address leaves it unresolvable, another address is a resolver the
// fake does not play.
func (e *ENS) SetResolver(name string, resolver common.Address) {
	node := ens.Namehash(name)
	e.apply(func() {
		e.resolvers[node] = resolver
		delete(e.addrs, node)
	})
}

func (e *ENS) apply(fn func()) {
	t := e.n.T()
	t.Helper()
	if err := e.n.Apply(e.Registry, func(c *chaintest.Ctx) error {
		c.Commit(fn)
		return nil
	}); err != nil {
		t.Fatalf("ensfake: %v", err)
	}
}
