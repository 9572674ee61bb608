package readcmd

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// TestReaderCoalesces: adapters bound by a Reader read through its
// Coalescer, so the reads of concurrent workers cost one round trip; the
// zero Reader takes the factory's bindings and runs workers in turn.
func TestReaderCoalesces(t *testing.T) {
	tests := []struct {
		name  string
		zero  bool
		trips int
	}{{"coalescing", false, 1}, {"zero reader: chain-ID check, then a call each", true, 4}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			e.Lido.Mint(e.Alice, clitest.Ether(3))
			d := txcmd.DepsFrom(e.F)
			ctx := context.Background()
			c, err := d.Chain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			r := New(c)
			if tt.zero {
				r = new(Reader)
			}
			ps, err := r.Protocols(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			var lido protocol.Protocol
			for _, p := range ps {
				if p.Name() == "lido" {
					lido = p
				}
			}
			if lido == nil {
				t.Fatalf("no lido among %d protocols", len(ps))
			}
			if _, ok := r.Backend.(*chain.Coalescer); ok == tt.zero {
				t.Errorf("backend %T", r.Backend)
			}
			steth, _ := lido.Tokens().ByRole(protocol.RoleStaked)
			got := make([]*big.Int, 3)
			workers := make([]func(ctx context.Context) error, len(got))
			backend := r.Backend
			if tt.zero {
				backend = c
			}
			for i := range workers {
				workers[i] = func(ctx context.Context) error {
					var err error
					got[i], err = erc20.BalanceOf(ctx, backend, steth.Address, e.Alice)
					return err
				}
			}
			e.Node.ResetCounters()
			if err := r.Run(ctx, workers...); err != nil {
				t.Fatal(err)
			}
			for i, v := range got {
				if v.Cmp(e.Lido.StETHBalance(e.Alice)) != 0 {
					t.Errorf("worker %d read %s", i, v)
				}
			}
			if n := e.Node.Requests(); n != tt.trips {
				t.Errorf("%d round trips, want %d", n, tt.trips)
			}
		})
	}
}

// TestReaderProtocolErrors: a named protocol is checked by the factory
// first, so its errors keep the factory's wording; Run returns the first
// worker error.
func TestReaderProtocolErrors(t *testing.T) {
	e := clitest.NewEnv(t, "")
	d := txcmd.DepsFrom(e.F)
	ctx := context.Background()
	c, err := d.Chain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := New(c)
	_, want := d.Protocol(ctx, "nosuch")
	if _, err := r.Protocol(ctx, d, "nosuch"); err == nil || err.Error() != want.Error() {
		t.Errorf("unknown protocol: %v, want %v", err, want)
	}
	p, err := r.Protocol(ctx, d, "lido")
	if err != nil || p.Name() != "lido" {
		t.Fatalf("lido: %v, %v", p, err)
	}
	boom := errors.New("boom")
	if err := r.Run(ctx, func(context.Context) error { return nil }, func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Run: %v, want boom", err)
	}
}
