// Package devnettest is the devnet harness of the adapters' tests
// (pkg/protocol/*/devnet_test.go): an in-process devnet chain with its
// oracle driven by hand, the wallet's own JSON-RPC client on it for the
// adapter (with round trips counted), the oracle account as the models'
// admin, model deployment by transactions, and sending calls as the wallet
// does (their Checks first).
//
// pkg tests may import it (internal/cli's TestLayers allows internal
// packages in tests only); nothing outside tests does.
package devnettest

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/deploy"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/protocoltest"
)

// Net is an in-process devnet chain for an adapter's tests.
type Net struct {
	Devnet *devnet.Devnet
	// Client is go-ethereum's client of the node: sends, raw calls and
	// the contract suite's Chain.
	Client *ethclient.Client
	// Wallet is the wallet's own JSON-RPC client on the same node: it
	// batches, as the CLI's reads do. Build adapters on it (through a
	// protocoltest.Counter to count their round trips).
	Wallet *chain.Client
	// Oracle signs as the oracle account, the admin of every model.
	Oracle   *devtx.Sender
	Accounts []devkeys.Account
}

// Start starts the built-in chain chainName ("" for "devnet") in-process
// with its oracle off, dials the wallet's client on it, and closes both
// when t ends.
func Start(ctx context.Context, t testing.TB, chainName string) *Net {
	t.Helper()
	d, err := devnet.Start(ctx, devnet.Config{Chain: chainName, DisableOracle: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close the devnet: %v", err)
		}
	})
	oracle, err := devtx.NewSender(ctx, d.Client(), d.Oracle().PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	wallet, err := chain.Dial(ctx, []string{d.HTTPEndpoint()}, chain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wallet.Close)
	return &Net{Devnet: d, Client: d.Client(), Wallet: wallet, Oracle: oracle, Accounts: d.Accounts()}
}

// Deploy deploys m by transactions from the oracle account, as
// `stakewallet-devnet deploy` does on any node, and returns the protocol's
// addresses by role.
func (n *Net) Deploy(ctx context.Context, t testing.TB, m model.Model) map[string]common.Address {
	t.Helper()
	deps, err := deploy.Models(ctx, n.Oracle, n.Oracle.From(), []model.Model{m}, n.Devnet.Native())
	if err != nil {
		t.Fatal(err)
	}
	return deps[m.Name()]
}

// Stepper binds m's oracle logic, sending as the oracle account (env.Sender
// is set to it).
func (n *Net) Stepper(ctx context.Context, t testing.TB, m model.Model, env model.StepEnv) model.Stepper {
	t.Helper()
	env.Sender = n.Oracle
	st, err := m.NewStepper(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Send judges the calls' Checks and Conditions (as the wallet does), sends
// the needed ones signed by key and returns them with their receipts.
func (n *Net) Send(ctx context.Context, t testing.TB, p protocol.Protocol, key *ecdsa.PrivateKey, calls []protocol.Call) ([]protocol.Call, []*types.Receipt) {
	t.Helper()
	kept, err := protocol.RunChecks(ctx, n.Client, calls)
	if err != nil {
		t.Fatalf("checks: %v", err)
	}
	rs, err := protocoltest.NewSender(n.Client, key, p).Send(ctx, kept)
	if err != nil {
		t.Fatal(err)
	}
	return kept, rs
}

// Finalize is a Harness.Finalize for a model whose requests become
// claimable with time: it steps st until no request of owner is pending
// at p (the delay passed and a block has that time), every 300 ms.
func Finalize(st model.Stepper, p protocol.Requests, owner common.Address) func(ctx context.Context) error {
	return FinalizeBy(st.Step, p, owner, 300*time.Millisecond)
}

// FinalizeBy is Finalize with the model moved along by step (a step, a
// sealed checkpoint, …) and pause between tries, until ctx ends.
func FinalizeBy(step func(context.Context) error, p protocol.Requests, owner common.Address, pause time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		for {
			ws, err := p.Withdrawals(ctx, owner, nil)
			if err != nil {
				return err
			}
			pending := 0
			for _, w := range ws {
				if w.Status == protocol.StatusPending {
					pending++
				}
			}
			if pending == 0 {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%d requests still pending: %w", pending, ctx.Err())
			case <-time.After(pause):
			}
			if err := step(ctx); err != nil {
				return err
			}
		}
	}
}

// Trips runs f and returns the round trips it made through c.
func Trips(c *protocoltest.Counter, f func()) int {
	before := c.Reads()
	f()
	return c.Reads() - before
}
