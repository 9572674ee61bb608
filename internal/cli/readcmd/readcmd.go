// Package readcmd is what the read-only commands (balance, withdrawals)
// share to reach the fewest round trips: adapters bound to a
// chain.Coalescer, so that the reads of many accounts and protocols, made
// concurrently, go out together.
package readcmd

import (
	"context"
	"fmt"
	"sort"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Reader is the chain access of a read-only command: a Coalescer when the
// chain client has one (*chain.Client), else the chain itself. The zero
// Reader uses the factory's bindings and runs workers one by one.
type Reader struct {
	// Backend is what adapters are bound to and reads go through.
	Backend protocol.Backend
	co      *chain.Coalescer
}

// New returns the reader of c.
func New(c cmdutil.Chain) *Reader {
	if cc, ok := c.(interface{ Coalesce() *chain.Coalescer }); ok {
		co := cc.Coalesce()
		return &Reader{Backend: co, co: co}
	}
	return &Reader{Backend: c}
}

// Run runs workers concurrently, their reads coalesced, and returns the
// first error; without a Coalescer it runs them one after another.
func (r *Reader) Run(ctx context.Context, workers ...func(ctx context.Context) error) error {
	var errs []error
	if r.co != nil {
		errs = r.co.Run(ctx, workers...)
	} else {
		for _, w := range workers {
			errs = append(errs, w(ctx))
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Protocols binds every protocol of the network to the reader (from the
// network's descriptors and addresses, as the factory binds them to the
// chain), sorted by name. Without a Coalescer the factory's bindings are
// used.
func (r *Reader) Protocols(ctx context.Context, d txcmd.Deps) ([]protocol.Protocol, error) {
	if r.co == nil {
		return txcmd.Protocols(ctx, d)
	}
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	n, err := d.Network()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(n.Protocols))
	for name := range n.Protocols {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]protocol.Protocol, 0, len(names))
	for _, name := range names {
		p, err := r.bind(ctx, cfg.Protocol, n.Name, name, d)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Protocol binds the named protocol ("" = the network's default) to the
// reader, as the factory's Protocol does to the chain.
func (r *Reader) Protocol(ctx context.Context, d txcmd.Deps, name string) (protocol.Protocol, error) {
	if r.co == nil || name == "" {
		return d.Protocol(ctx, name)
	}
	// Errors (an unknown name, no contracts on the network) are the
	// factory's, with its wording: ask it first.
	if _, err := d.Protocol(ctx, name); err != nil {
		return nil, err
	}
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	n, err := d.Network()
	if err != nil {
		return nil, err
	}
	return r.bind(ctx, cfg.Protocol, n.Name, name, d)
}

// bind binds name's adapter to the reader; one the configuration has no
// descriptor for is the factory's to bind (or refuse).
func (r *Reader) bind(ctx context.Context, lookup func(string) (protocol.Descriptor, bool), network, name string, d txcmd.Deps) (protocol.Protocol, error) {
	n, err := d.Network()
	if err != nil {
		return nil, err
	}
	desc, ok := lookup(name)
	if !ok {
		return d.Protocol(ctx, name)
	}
	p, err := desc.New(protocol.Env{Network: network, Addresses: n.Protocols[name], Backend: r.Backend, Native: n.Native()})
	if err != nil {
		return nil, cmdutil.BadInput(fmt.Errorf("protocol %s on %s: %w", name, network, err))
	}
	return p, nil
}
