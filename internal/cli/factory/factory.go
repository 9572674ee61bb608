// Package factory wires the real dependencies into a cmdutil.Factory. Each
// dependency is built on first use and memoised, so `stakewallet version`
// touches neither the config file nor the network.
package factory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/ledgerbackend"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/all"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

// New returns a factory bound to the process's streams.
func New(version string, io *iostreams.IOStreams) *cmdutil.Factory {
	f := &cmdutil.Factory{IO: io, Flags: &cmdutil.GlobalFlags{}, Version: version}
	f.Config = onceValue(func() (*config.Config, error) {
		c, err := config.Load(f.Flags.ConfigFile, all.Descriptors())
		if err != nil {
			return nil, cmdutil.BadInput(err)
		}
		return c, nil
	})
	f.Network = onceValue(func() (*config.Network, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		name := f.Flags.Network
		if name == "" {
			name = cfg.DefaultNetwork
		}
		n, err := cfg.Network(name)
		if err != nil {
			return nil, cmdutil.BadInput(err)
		}
		return n, nil
	})
	var (
		chainMu sync.Mutex
		client  *chain.Client
	)
	// The tracer is made on first use, after flag parsing has said
	// whether there is one; it writes to stderr, so --json stays clean.
	tracer := onceValue(func() (*chain.Tracer, error) {
		if !f.Flags.TraceRPC {
			return nil, nil
		}
		return chain.NewTracer(f.IO.ErrOut), nil
	})
	f.TraceSummary = func() string {
		t, _ := tracer()
		if t == nil {
			return ""
		}
		return t.Summary()
	}
	f.Chain = func(ctx context.Context) (cmdutil.Chain, error) {
		chainMu.Lock()
		defer chainMu.Unlock()
		if client != nil {
			return client, nil
		}
		n, err := f.Network()
		if err != nil {
			return nil, err
		}
		urls := f.Flags.RPCURLs
		if len(urls) == 0 {
			urls = n.RPCURLs
		}
		if len(urls) == 0 {
			return nil, cmdutil.BadInputf("no RPC endpoint for network %s: pass --rpc-url URL, set ETH_RPC_URL, or add rpc-urls to [networks.%s] in the config file", n.Name, n.Name)
		}
		// With ChainID set, Dial checks it on every endpoint it uses, so a
		// failover never lands on another chain.
		trace, _ := tracer()
		c, err := chain.Dial(ctx, urls, chain.Options{ChainID: n.ChainID, Network: n.Name, Trace: trace, LazyChainID: true})
		if err != nil {
			if errors.Is(err, chain.ErrInvalidURL) {
				return nil, cmdutil.BadInput(err)
			}
			return nil, err
		}
		client = c
		return c, nil
	}
	f.Protocol = func(ctx context.Context, name string) (protocol.Protocol, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		n, err := f.Network()
		if err != nil {
			return nil, err
		}
		if name == "" {
			name = n.DefaultProtocol
		}
		if name == "" {
			return nil, cmdutil.BadInputf("network %s has no staking protocol configured; add one under [networks.%s.protocols.NAME] in %s", n.Name, n.Name, cfg.Path)
		}
		d, ok := cfg.Protocol(name)
		if !ok {
			return nil, cmdutil.BadInputf("unknown protocol %q (supported: %s)", name, strings.Join(cfg.ProtocolNames(), ", "))
		}
		addrs, ok := n.Protocols[name]
		if !ok {
			return nil, cmdutil.BadInputf("protocol %s has no contracts on network %s; add them under [networks.%s.protocols.%s] in %s", name, n.Name, n.Name, name, cfg.Path)
		}
		c, err := f.Chain(ctx)
		if err != nil {
			return nil, err
		}
		p, err := d.New(protocol.Env{Network: n.Name, Addresses: addrs, Backend: c, Native: n.Native()})
		if err != nil {
			return nil, cmdutil.BadInput(fmt.Errorf("protocol %s on %s: %w", name, n.Name, err))
		}
		return p, nil
	}
	f.Keys = onceValue(func() (*keys.Store, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		timeout := 30 * time.Second
		if cfg.KeyringTimeout != "" {
			if timeout, err = time.ParseDuration(cfg.KeyringTimeout); err != nil {
				return nil, cmdutil.BadInputf("defaults.keyring-timeout in %s: %w", cfg.Path, err)
			}
		}
		return keys.Open(keys.Options{
			Dir:             cfg.KeysDir(),
			PasswordFile:    f.Flags.PasswordFile,
			Prompter:        f.IO,
			KeyringTimeout:  timeout,
			Ledger:          ledgerbackend.New(f.IO),
			LedgerTransport: f.Flags.LedgerTransport,
		})
	})
	signerRef := func() (string, *keys.Store, error) {
		cfg, err := f.Config()
		if err != nil {
			return "", nil, err
		}
		ref := f.Flags.Signer
		if ref == "" {
			ref = cfg.DefaultSigner
		}
		if ref == "" {
			return "", nil, cmdutil.BadInputf("no signer: pass --signer NAME (see `stakewallet keys list`), keystore:FILE, keyring:NAME or ledger, or set STAKEWALLET_SIGNER")
		}
		store, err := f.Keys()
		return ref, store, err
	}
	f.Account = func(ctx context.Context) (*signer.Lazy, error) {
		ref, store, err := signerRef()
		if err != nil {
			return nil, err
		}
		return store.Account(ctx, ref)
	}
	f.Address = func(ctx context.Context) (common.Address, error) {
		ref, store, err := signerRef()
		if err != nil {
			return common.Address{}, err
		}
		return store.Address(ctx, ref)
	}
	return f
}

// onceValue memoises a constructor, including its error.
func onceValue[T any](fn func() (T, error)) func() (T, error) {
	var (
		once sync.Once
		v    T
		err  error
	)
	return func() (T, error) {
		once.Do(func() { v, err = fn() })
		return v, err
	}
}
