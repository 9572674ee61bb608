package devnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
)

// Group is several devnet chains running in one process, each its own node
// on its own port.
type Group struct {
	devnets []*Devnet
}

// StartChains starts one devnet per Config (each naming its Chain; no chain
// twice), concurrently, and returns them in the order given. If one fails
// to start, the others are stopped and the first error is returned. ctx
// bounds start-up only; the chains run until Close.
func StartChains(ctx context.Context, cfgs []Config) (*Group, error) {
	if len(cfgs) == 0 {
		return nil, &ConfigError{errors.New("no chain to start")}
	}
	seen := make(map[string]bool, len(cfgs))
	for i := range cfgs {
		ch, err := LookupChain(cfgs[i].Chain)
		if err != nil {
			return nil, &ConfigError{err}
		}
		if seen[ch.Name] {
			return nil, &ConfigError{fmt.Errorf("chain %s given twice", ch.Name)}
		}
		seen[ch.Name] = true
	}
	devnets := make([]*Devnet, len(cfgs))
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		wg.Go(func() {
			d, err := Start(ctx, cfg)
			if err != nil {
				ch, _ := LookupChain(cfg.Chain)
				err = fmt.Errorf("start %s: %w", ch.Name, err)
			}
			devnets[i], errs[i] = d, err
		})
	}
	wg.Wait()
	g := &Group{}
	for _, d := range devnets {
		if d != nil {
			g.devnets = append(g.devnets, d)
		}
	}
	for _, err := range errs {
		if err != nil {
			_ = g.Close()
			return nil, err
		}
	}
	return g, nil
}

// Devnets are the running chains, in the order StartChains was given.
func (g *Group) Devnets() []*Devnet { return append([]*Devnet(nil), g.devnets...) }

// Chain returns the running chain of that name, or nil.
func (g *Group) Chain(name string) *Devnet {
	for _, d := range g.devnets {
		if d.Chain().Name == name {
			return d
		}
	}
	return nil
}

// Close stops every chain and joins their errors. Safe to call more than
// once.
func (g *Group) Close() error {
	errs := make([]error, len(g.devnets))
	var wg sync.WaitGroup
	for i, d := range g.devnets {
		wg.Go(func() { errs[i] = d.Close() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// HTTPAddrs assigns the HTTP (and shared WebSocket) address of each chain
// of a multi-chain run:
//   - httpAddr empty: each chain its own default (Chain.DefaultHTTPAddr:
//     devnet 8545, devnet-avalanche 8546, devnet-sonic 8547), whichever
//     chains run;
//   - httpAddr HOST:PORT: the first chain HOST:PORT, the next ones
//     HOST:PORT+1, HOST:PORT+2, … in the order given;
//   - port 0: every chain a free port of its own (HOST:0).
func HTTPAddrs(httpAddr string, chains []string) ([]string, error) {
	out := make([]string, len(chains))
	if httpAddr == "" {
		for i, name := range chains {
			ch, err := LookupChain(name)
			if err != nil {
				return nil, err
			}
			out[i] = ch.DefaultHTTPAddr
		}
		return out, nil
	}
	host, port, err := loopbackHostPort(httpAddr)
	if err != nil {
		return nil, err
	}
	if port != 0 && port+len(chains)-1 > 65535 {
		return nil, fmt.Errorf("address %q: %d chains need ports %d to %d, past 65535", httpAddr, len(chains), port, port+len(chains)-1)
	}
	for i := range chains {
		p := 0
		if port != 0 {
			p = port + i
		}
		out[i] = net.JoinHostPort(host, strconv.Itoa(p))
	}
	return out, nil
}
