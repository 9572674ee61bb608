// Package devnet runs stakewallet-devnet in-process: one go-ethereum node in
// dev mode (the same node and simulated beacon that `geth --dev` uses) per
// chain of Chains ("devnet", chain id 1337, ETH; "devnet-avalanche";
// "devnet-sonic"), each with a genesis holding the funded test accounts,
// Multicall3 and the chain's model contracts (internal/devnet/models) at the
// fixed addresses of the built-in network of the same name, and an oracle
// goroutine per chain that moves every model along (finalizes withdrawal
// requests, ends cooldowns, accrues rewards).
package devnet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/eth/tracers"
	_ "github.com/ethereum/go-ethereum/eth/tracers/native" // callTracer & co. for debug_trace*
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/devtx"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/internal/devnet/oracle"
)

// Defaults of the stakewallet-devnet command line. There is no default
// WebSocket address: WebSocket shares each chain's HTTP port unless asked
// otherwise, so chains on neighbouring ports (8545, 8546, 8547) never
// collide with each other, a second devnet or a local geth.
const (
	// DefaultHTTPAddr is the "devnet" chain's default address; every
	// chain's is in Chains.
	DefaultHTTPAddr      = "127.0.0.1:8545"
	DefaultBondingPeriod = 60 * time.Second
	DefaultAPR           = 4.0
)

// rpcModules are the JSON-RPC namespaces served over HTTP and WS.
func rpcModules() []string { return []string{"eth", "net", "web3", "txpool", "debug", "dev"} }

// Config configures Start. The zero value is a usable test devnet: HTTP on
// a free loopback port with WS on the same port, blocks on demand, no
// rewards, and a zero bonding period.
type Config struct {
	// Chain names the chain to run, one of Chains ("" = "devnet").
	Chain string
	// HTTPAddr is the loopback host:port for HTTP JSON-RPC; port 0 picks a
	// free port. Empty means "127.0.0.1:0".
	HTTPAddr string
	// WSAddr is the loopback host:port for WebSocket JSON-RPC on a port of
	// its own. Empty, or the HTTP port (including both 0), serves WS on the
	// HTTP port: one listener takes both, as geth does when the ports are
	// equal.
	WSAddr string
	// BondingPeriod is how old a withdrawal request must be before the
	// oracle finalizes it; every model scales its waiting times by it.
	BondingPeriod time.Duration
	// APR is the reward rate in percent per year (0 = no rewards).
	APR float64
	// BlockTime is the block period; 0 mines a block per transaction. Rounded
	// up to whole seconds (geth's dev period is in seconds).
	BlockTime time.Duration
	// DataDir keeps the chain on disk; empty keeps it in memory.
	DataDir string
	// DisableOracle starts the chain without the oracle goroutine.
	DisableOracle bool
	// OracleInterval overrides the oracle's polling interval (default 1s).
	OracleInterval time.Duration
	// RewardInterval overrides the least time between reward-only reports
	// (default 5s).
	RewardInterval time.Duration
	// Logger receives oracle events (with the chain and model as
	// attributes); nil discards them. go-ethereum's own
	// logging is configured globally by the caller (log.SetDefault).
	Logger *slog.Logger
}

// ConfigError reports an invalid Config: nothing was started.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Devnet is a running devnet.
type Devnet struct {
	stack     *node.Node
	client    *ethclient.Client
	cfg       Config
	chain     Chain
	genesis   *ChainGenesis
	oracleRun context.CancelFunc
	oracleWG  sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Start builds the genesis, starts the node and, unless disabled, the
// oracle. ctx bounds start-up only; the devnet runs until Close.
func Start(ctx context.Context, cfg Config) (*Devnet, error) {
	chain, err := LookupChain(cfg.Chain)
	if err != nil {
		return nil, &ConfigError{err}
	}
	cfg.Chain = chain.Name
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:0"
	}
	httpHost, httpPort, err := loopbackHostPort(cfg.HTTPAddr)
	if err != nil {
		return nil, &ConfigError{fmt.Errorf("HTTP address: %w", err)}
	}
	wsHost, wsPort := httpHost, httpPort
	if cfg.WSAddr != "" {
		if wsHost, wsPort, err = loopbackHostPort(cfg.WSAddr); err != nil {
			return nil, &ConfigError{fmt.Errorf("WS address: %w", err)}
		}
		// geth shares the listener by port alone and would then move the
		// HTTP server to the WS host: keep the HTTP host instead.
		if wsPort == httpPort {
			wsHost = httpHost
		}
	}
	if cfg.BlockTime < 0 || cfg.BondingPeriod < 0 || cfg.APR < 0 {
		return nil, &ConfigError{errors.New("block time, bonding period and APR must not be negative")}
	}

	cg, err := GenesisFor(chain.Name)
	if err != nil {
		return nil, err
	}
	oracleAcc := devkeys.Oracle()

	ncfg := node.DefaultConfig
	ncfg.Name = "stakewallet-" + chain.Name
	ncfg.DataDir = cfg.DataDir
	ncfg.IPCPath = ""
	ncfg.HTTPHost, ncfg.HTTPPort = httpHost, httpPort
	ncfg.HTTPModules = rpcModules()
	ncfg.HTTPCors = []string{"*"} // like anvil: browser dapps on localhost may call it
	ncfg.WSHost, ncfg.WSPort = wsHost, wsPort
	ncfg.WSModules = rpcModules()
	ncfg.WSOrigins = []string{"*"}
	ncfg.UseLightweightKDF = true
	// No networking: a dev chain has no peers (as geth --dev).
	ncfg.P2P = p2p.Config{MaxPeers: 0, NoDiscovery: true, NoDial: true, ListenAddr: ""}

	stack, err := node.New(&ncfg)
	if err != nil {
		return nil, fmt.Errorf("create node: %w", err)
	}
	fail := func(err error) (*Devnet, error) {
		_ = stack.Close()
		return nil, err
	}

	ecfg := ethconfig.Defaults
	ecfg.NetworkId = chain.ChainID
	ecfg.Genesis = cg.Genesis
	ecfg.SyncMode = ethconfig.FullSync
	ecfg.Miner.PendingFeeRecipient = oracleAcc.Address
	ecfg.Miner.GasPrice = big.NewInt(1) // geth --dev accepts a 1 wei tip
	// A dev chain is tiny: mainnet-sized caches only cost memory (and the
	// default dirty cache draws a warning from pathdb).
	ecfg.TrieCleanCache, ecfg.TrieDirtyCache, ecfg.SnapshotCache = 64, 64, 32
	backend, err := eth.New(stack, &ecfg)
	if err != nil {
		return fail(fmt.Errorf("create eth service: %w", err))
	}
	filterSystem := filters.NewFilterSystem(backend.APIBackend, filters.Config{
		LogCacheSize:  ecfg.FilterLogCacheSize,
		LogQueryLimit: ecfg.LogQueryLimit,
		RangeLimit:    ecfg.RangeLimit,
	})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(filterSystem)}})
	stack.RegisterAPIs(tracers.APIs(backend.APIBackend))

	period := uint64((cfg.BlockTime + time.Second - 1) / time.Second)
	beacon, err := catalyst.NewSimulatedBeacon(period, oracleAcc.Address, backend)
	if err != nil {
		return fail(fmt.Errorf("create simulated beacon: %w", err))
	}
	catalyst.RegisterSimulatedBeaconAPIs(stack, beacon)
	stack.RegisterLifecycle(beacon)

	if err := stack.Start(); err != nil {
		return fail(fmt.Errorf("start node: %w", err))
	}
	// Until the transaction indexer's first pass ends, eth_getTransactionReceipt
	// answers "transaction indexing is in progress" instead of null, which
	// clients polling for a receipt take as an error. The indexer only starts
	// once the chain has a block past genesis, so make one (nobody else can
	// have sent a transaction yet), then wait for it to be indexed.
	// With a block period the beacon's own loop seals block 1 within one
	// period; committing here as well would race that loop and can
	// deadlock geth's sealing, so wait for it instead.
	if period == 0 && backend.BlockChain().CurrentBlock().Number.Sign() == 0 {
		beacon.Commit()
	}
	if err := waitFor(ctx, func() bool { return backend.BlockChain().CurrentBlock().Number.Sign() > 0 }); err != nil {
		return fail(fmt.Errorf("wait for the first block: %w", err))
	}
	if err := waitFor(ctx, backend.APIBackend.TxIndexDone); err != nil {
		return fail(fmt.Errorf("wait for the transaction index: %w", err))
	}
	d := &Devnet{stack: stack, client: ethclient.NewClient(stack.Attach()), cfg: cfg, chain: chain, genesis: cg}

	if !cfg.DisableOracle {
		if err := d.startOracle(ctx); err != nil {
			_ = d.Close()
			return nil, fmt.Errorf("start the oracle of %s: %w", chain.Name, err)
		}
	}
	return d, nil
}

// startOracle binds every model of the chain to the oracle account and
// starts the loop that steps them.
func (d *Devnet) startOracle(ctx context.Context) error {
	cfg := d.cfg
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("chain", d.chain.Name)
	sctx, cancel := context.WithTimeout(ctx, oracleStartTimeout)
	defer cancel()
	sender, err := devtx.NewSender(sctx, d.client, devkeys.Oracle().PrivateKey)
	if err != nil {
		return err
	}
	steppers, err := oracle.Bind(sctx, d.genesis.Models, model.StepEnv{
		Sender:         sender,
		BondingPeriod:  cfg.BondingPeriod,
		APR:            cfg.APR,
		RewardInterval: cfg.RewardInterval,
		WallClock:      true, // blocks are stamped with the wall clock
		Logger:         logger,
	}, d.genesis.Deployments)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(context.Background())
	d.oracleRun = stop
	d.oracleWG.Add(1)
	go func() {
		defer d.oracleWG.Done()
		oracle.Loop(runCtx, steppers, cfg.OracleInterval, logger)
	}()
	return nil
}

// oracleStartTimeout bounds binding the models to the chain at start-up.
const oracleStartTimeout = 30 * time.Second

// waitFor polls cond until it holds or ctx ends.
func waitFor(ctx context.Context, cond func() bool) error {
	ticker := time.NewTicker(5 * time.Millisecond)
	defer ticker.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
	return nil
}

// loopbackHostPort splits host:port and refuses non-loopback hosts: the
// devnet's keys are public, so its RPC must not be reachable from outside.
func loopbackHostPort(addr string) (string, int, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("address %q: invalid port", addr)
	}
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return "", 0, fmt.Errorf("address %q: only loopback hosts are allowed (127.0.0.1, ::1, localhost)", addr)
		}
	}
	return host, port, nil
}

// HTTPEndpoint is the bound HTTP JSON-RPC URL (real port, also when 0 was asked).
func (d *Devnet) HTTPEndpoint() string { return d.stack.HTTPEndpoint() }

// WSEndpoint is the bound WebSocket JSON-RPC URL.
func (d *Devnet) WSEndpoint() string { return d.stack.WSEndpoint() }

// WSShared reports whether WebSocket is served on the HTTP listener.
func (d *Devnet) WSShared() bool {
	return strings.TrimPrefix(d.WSEndpoint(), "ws://") == strings.TrimPrefix(d.HTTPEndpoint(), "http://")
}

// ChainID is the chain's id (1337 for "devnet").
func (d *Devnet) ChainID() *big.Int { return new(big.Int).SetUint64(d.chain.ChainID) }

// Chain is the chain the devnet runs: name, chain id, native coin.
func (d *Devnet) Chain() Chain { return d.chain }

// Native is the symbol of the chain's native coin ("ETH", "AVAX", "S").
func (d *Devnet) Native() string { return d.chain.Native }

// Models are the chain's models, in deployment order.
func (d *Devnet) Models() []model.Model { return append([]model.Model(nil), d.genesis.Models...) }

// Deployment is where the genesis placed the named model, by the roles of
// its protocol; nil when the chain has no such model.
func (d *Devnet) Deployment(modelName string) map[string]common.Address {
	dep, ok := d.genesis.Deployments[modelName]
	if !ok {
		return nil
	}
	return maps.Clone(dep)
}

// Accounts are the ten funded test accounts (public keys of the test mnemonic).
func (d *Devnet) Accounts() []devkeys.Account { return devkeys.TestAccounts() }

// Oracle is the account that signs oracle reports.
func (d *Devnet) Oracle() devkeys.Account { return devkeys.Oracle() }

// Contracts are the Lido model contracts' addresses on "devnet" (fixed, see
// FixedDeployment); other chains have no Lido.
func (d *Devnet) Contracts() contracts.Deployment { return FixedDeployment() }

// Client is an in-process RPC client of the node. Closed by Close.
func (d *Devnet) Client() *ethclient.Client { return d.client }

// Config is the configuration the devnet runs with, defaults filled in.
func (d *Devnet) Config() Config { return d.cfg }

// Close stops the oracle and the node. Safe to call more than once.
func (d *Devnet) Close() error {
	d.closeOnce.Do(func() {
		if d.oracleRun != nil {
			d.oracleRun()
			d.oracleWG.Wait()
		}
		d.client.Close()
		if err := d.stack.Close(); err != nil {
			d.closeErr = fmt.Errorf("stop node: %w", err)
		}
	})
	return d.closeErr
}
