package devnet

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/holiman/uint256"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/internal/devnet/models"
	"github.com/stakewallet/stakewallet/pkg/ens"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// ChainID is the devnet's chain id (geth --dev's).
const ChainID = 1337

// GenesisGasLimit is the block gas limit at genesis.
const GenesisGasLimit = 30_000_000

// TestAccountBalance is what each mnemonic account holds at genesis.
func TestAccountBalance() *big.Int {
	return new(big.Int).Mul(big.NewInt(10_000), big.NewInt(params.Ether))
}

// OracleBalance is what the oracle holds at genesis; it pays the rewards.
func OracleBalance() *big.Int {
	return new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(params.Ether))
}

// FixedDeployment is where the genesis places the Lido model contracts:
// the addresses of the built-in "devnet" network.
func FixedDeployment() contracts.Deployment {
	return contracts.Deployment{
		StETH:           lido.DevnetStETH,
		WstETH:          lido.DevnetWstETH,
		WithdrawalQueue: lido.DevnetWithdrawalQueue,
		Locator:         lido.DevnetLocator,
	}
}

// DevnetPublicResolver is where the genesis places the ENS public resolver
// model; the registry sits at mainnet's address (ens.Registry), so that
// names resolve on the devnet exactly as on mainnet.
var DevnetPublicResolver = common.HexToAddress("0xE500000000000000000000000000000000000001")

// FixedENS is where the genesis places the ENS model.
func FixedENS() contracts.ENSDeployment {
	return contracts.ENSDeployment{Registry: ens.Registry, Resolver: DevnetPublicResolver}
}

// GenesisENSNames are the names registered in genesis, each owned by the
// test account it resolves to: alice.eth (account 0), bob.eth (account 1)
// and carol.eth (account 2).
func GenesisENSNames() []contracts.ENSName {
	accs := devkeys.TestAccounts()
	return []contracts.ENSName{
		{Label: "alice", Addr: accs[0].Address},
		{Label: "bob", Addr: accs[1].Address},
		{Label: "carol", Addr: accs[2].Address},
	}
}

// ChainGenesis is one chain's genesis and where it placed each model.
type ChainGenesis struct {
	Chain   Chain
	Genesis *core.Genesis
	// Models are the chain's models, in deployment order.
	Models []model.Model
	// Deployments are the addresses each model's Deploy returned, by the
	// roles of its protocol, keyed by model name.
	Deployments map[string]map[string]common.Address
}

// Genesis returns the "devnet" chain's genesis: geth's developer genesis
// (precompiles, system contracts, all forks at block 0, chain id 1337) plus
// the funded test accounts, the funded oracle, Multicall3, the ENS model
// with the names of GenesisENSNames, and every model of the chain (Lido,
// …) with its constructor-initialised storage. It is a pure function of
// the embedded artifacts: two calls give the same block hash.
func Genesis() (*core.Genesis, error) {
	cg, err := GenesisFor(DefaultChain)
	if err != nil {
		return nil, err
	}
	return cg.Genesis, nil
}

// GenesisFor builds the genesis of the named chain ("" = "devnet"): as
// Genesis, with the chain's id, its models (models.ForChain) and
// Multicall3; ENS only on "devnet". A pure function, like Genesis.
func GenesisFor(name string) (*ChainGenesis, error) {
	ch, err := LookupChain(name)
	if err != nil {
		return nil, err
	}
	return buildGenesis(ch, models.ForChain(ch.Name))
}

func buildGenesis(ch Chain, ms []model.Model) (*ChainGenesis, error) {
	g := core.DeveloperGenesisBlock(GenesisGasLimit, nil)
	// geth's dev config also turns on forks still in development (Bogota:
	// new state-growth gas rules under which eth_estimateGas underestimates
	// and transactions run out of gas). The devnet must behave like mainnet,
	// so stop at Osaka.
	cfg := *g.Config
	cfg.BogotaTime = nil
	cfg.ChainID = new(big.Int).SetUint64(ch.ChainID)
	g.Config = &cfg
	// The block hash does not cover the chain config: without this, two
	// chains with the same accounts and contracts would share a genesis
	// hash, and tools that tell chains apart by it would mix them up.
	g.ExtraData = []byte(ch.Name)
	for _, acc := range devkeys.TestAccounts() {
		g.Alloc[acc.Address] = types.Account{Balance: TestAccountBalance()}
	}
	oracle := devkeys.Oracle()
	g.Alloc[oracle.Address] = types.Account{Balance: OracleBalance()}

	alloc, deps, err := contractAlloc(g.Config, ch, ms, oracle.Address)
	if err != nil {
		return nil, fmt.Errorf("build the genesis contracts of %s: %w", ch.Name, err)
	}
	maps.Copy(g.Alloc, alloc)
	return &ChainGenesis{Chain: ch, Genesis: g, Models: ms, Deployments: deps}, nil
}

// GenesisHash returns the hash of the "devnet" chain's genesis block.
func GenesisHash() (common.Hash, error) { return GenesisHashFor(DefaultChain) }

// GenesisHashFor returns the hash of the named chain's genesis block.
func GenesisHashFor(name string) (common.Hash, error) {
	cg, err := GenesisFor(name)
	if err != nil {
		return common.Hash{}, err
	}
	return cg.Genesis.ToBlock().Hash(), nil
}

// fixedAddresses maps every contract the chain's genesis creates, by the
// name its deployment passes to Deployer.Create, to its address: each
// model's Fixed, Multicall3, and ENS on "devnet". Names and addresses must
// be unique.
func fixedAddresses(ch Chain, ms []model.Model) (map[string]common.Address, error) {
	fixed := map[string]common.Address{NameMulticall3: Multicall3Address}
	owner := map[string]string{NameMulticall3: "the devnet"}
	if ch.Name == DefaultChain {
		e := FixedENS()
		fixed[contracts.NameENSRegistry], fixed[contracts.NamePublicResolver] = e.Registry, e.Resolver
		owner[contracts.NameENSRegistry], owner[contracts.NamePublicResolver] = "ENS", "ENS"
	}
	for _, m := range ms {
		for name, addr := range m.Fixed() {
			if prev, dup := owner[name]; dup {
				return nil, fmt.Errorf("model %s: contract name %s is already used by %s", m.Name(), name, prev)
			}
			fixed[name], owner[name] = addr, "model "+m.Name()
		}
	}
	seen := make(map[common.Address]string, len(fixed))
	for name, addr := range fixed {
		if addr == (common.Address{}) {
			return nil, fmt.Errorf("%s: contract %s has the zero address", owner[name], name)
		}
		if prev, dup := seen[addr]; dup {
			return nil, fmt.Errorf("contracts %s and %s share the address %s", prev, name, addr.Hex())
		}
		seen[addr] = name
	}
	return fixed, nil
}

// contractAlloc runs the deployments in a throw-away in-memory EVM, with
// each contract's creation code executed in place at its fixed address,
// and returns the resulting accounts (code, storage, balance, nonce) and
// each model's addresses by role.
func contractAlloc(cfg *params.ChainConfig, ch Chain, ms []model.Model, oracle common.Address) (types.GenesisAlloc, map[string]map[string]common.Address, error) {
	fixed, err := fixedAddresses(ch, ms)
	if err != nil {
		return nil, nil, err
	}
	sdb, err := state.New(types.EmptyRootHash, state.NewDatabase(triedb.NewDatabase(rawdb.NewMemoryDatabase(), nil), nil))
	if err != nil {
		return nil, nil, fmt.Errorf("in-memory state: %w", err)
	}
	d := &genesisDeployer{
		state:   sdb,
		config:  cfg,
		from:    oracle,
		fixed:   fixed,
		touched: make(map[common.Address]map[common.Hash]struct{}),
	}
	// The deployer pays what the models need (bootstrap deposits,
	// collateral); this balance lives only in the scratch state, the
	// genesis funds the oracle separately.
	funding := new(big.Int)
	for _, m := range ms {
		if f := m.Funding(); f != nil {
			if f.Sign() < 0 {
				return nil, nil, fmt.Errorf("model %s: negative funding %s", m.Name(), f)
			}
			funding.Add(funding, f)
		}
	}
	sdb.SetBalance(d.from, uint256.MustFromBig(funding), tracing.BalanceChangeUnspecified)

	ctx := context.Background()
	if _, err := d.Create(ctx, NameMulticall3, mustInitCode(NameMulticall3), new(big.Int)); err != nil {
		return nil, nil, fmt.Errorf("deploy %s: %w", NameMulticall3, err)
	}
	if ch.Name == DefaultChain {
		ensDep, err := contracts.DeployENS(ctx, d, oracle, GenesisENSNames())
		if err != nil {
			return nil, nil, err
		}
		if ensDep != FixedENS() {
			return nil, nil, fmt.Errorf("ENS model deployed at %+v, want %+v", ensDep, FixedENS())
		}
	}
	deps := make(map[string]map[string]common.Address, len(ms))
	for _, m := range ms {
		addrs, err := m.Deploy(ctx, d, oracle)
		if err != nil {
			return nil, nil, fmt.Errorf("deploy model %s: %w", m.Name(), err)
		}
		deps[m.Name()] = addrs
	}
	for name, addr := range fixed {
		if _, ok := d.created[addr]; !ok {
			return nil, nil, fmt.Errorf("contract %s (%s) has a fixed address but was never created", name, addr.Hex())
		}
	}

	// Every account a constructor or call gave code or storage: the fixed
	// contracts and anything they created themselves.
	alloc := make(types.GenesisAlloc, len(d.touched))
	for addr := range d.touched {
		storage := make(map[common.Hash]common.Hash)
		for slot := range d.touched[addr] {
			if v := sdb.GetState(addr, slot); v != (common.Hash{}) {
				storage[slot] = v
			}
		}
		alloc[addr] = types.Account{
			Code:    sdb.GetCode(addr),
			Storage: storage,
			Balance: sdb.GetBalance(addr).ToBig(),
			Nonce:   sdb.GetNonce(addr),
		}
	}
	return alloc, deps, nil
}

// mustInitCode is the creation code of an embedded artifact without
// constructor arguments; the artifacts are compiled in, so a failure is a
// build defect.
func mustInitCode(name string) []byte {
	a, err := contracts.Load(name)
	if err != nil {
		panic(fmt.Sprintf("devnet: artifact %s: %v", name, err))
	}
	return a.Bytecode
}

// genesisDeployer implements contracts.Deployer on a scratch StateDB. Create
// installs the creation code at the contract's fixed address and calls it:
// the constructor then runs with address(this) equal to the final address,
// its storage writes land there, and its return value (the runtime code,
// immutables filled in) replaces the creation code.
type genesisDeployer struct {
	state   *state.StateDB
	config  *params.ChainConfig
	from    common.Address
	fixed   map[string]common.Address
	created map[common.Address]struct{}
	touched map[common.Address]map[common.Hash]struct{}
}

func (d *genesisDeployer) Create(_ context.Context, name string, initCode []byte, value *big.Int) (common.Address, error) {
	addr, ok := d.fixed[name]
	if !ok {
		return common.Address{}, fmt.Errorf("no fixed address for %s: add it to the model's Fixed", name)
	}
	if _, dup := d.created[addr]; dup {
		return common.Address{}, fmt.Errorf("%s created twice at %s", name, addr.Hex())
	}
	if d.created == nil {
		d.created = make(map[common.Address]struct{})
	}
	d.created[addr] = struct{}{}
	d.touch(addr)
	d.state.CreateAccount(addr)
	d.state.SetNonce(addr, 1, tracing.NonceChangeUnspecified)
	d.state.SetCode(addr, initCode, tracing.CodeChangeUnspecified)
	code, err := d.call(addr, nil, value)
	if err != nil {
		return common.Address{}, err
	}
	if len(code) == 0 {
		return common.Address{}, errors.New("constructor returned no code")
	}
	d.state.SetCode(addr, code, tracing.CodeChangeUnspecified)
	return addr, nil
}

// Created implements contracts.CreationLog: the fixed address of a contract
// this deployment created.
func (d *genesisDeployer) Created(name string) (common.Address, bool) {
	addr, ok := d.fixed[name]
	if !ok {
		return common.Address{}, false
	}
	_, made := d.created[addr]
	return addr, made
}

func (d *genesisDeployer) Call(_ context.Context, to common.Address, data []byte) error {
	_, err := d.call(to, data, new(big.Int))
	return err
}

func (d *genesisDeployer) call(to common.Address, input []byte, value *big.Int) ([]byte, error) {
	hooks := &tracing.Hooks{
		OnStorageChange: func(addr common.Address, slot, _, _ common.Hash) {
			d.touch(addr)[slot] = struct{}{}
		},
		OnCodeChange: func(addr common.Address, _ common.Hash, _ []byte, _ common.Hash, _ []byte) {
			d.touch(addr)
		},
	}
	blockCtx := vm.BlockContext{
		CanTransfer: core.CanTransfer,
		Transfer:    core.Transfer,
		GetHash:     func(uint64) common.Hash { return common.Hash{} },
		GasLimit:    GenesisGasLimit,
		BlockNumber: new(big.Int),
		Time:        0, // the genesis timestamp
		Difficulty:  new(big.Int),
		BaseFee:     new(big.Int),
		BlobBaseFee: new(big.Int),
		Random:      &common.Hash{},
	}
	evm := vm.NewEVM(blockCtx, state.NewHookedState(d.state, hooks), d.config, vm.Config{})
	evm.SetTxContext(vm.TxContext{Origin: d.from, GasPrice: new(uint256.Int)})
	rules := d.config.Rules(blockCtx.BlockNumber, true, blockCtx.Time)
	d.state.Prepare(rules, d.from, common.Address{}, &to, vm.ActivePrecompiles(rules), nil)

	ret, _, err := evm.Call(d.from, to, input, vm.NewGasBudget(GenesisGasLimit, 0), uint256.MustFromBig(value))
	if err != nil {
		if reason, uerr := abi.UnpackRevert(ret); uerr == nil {
			return nil, fmt.Errorf("%w: %s", err, reason)
		}
		return nil, fmt.Errorf("%w (return data %x)", err, ret)
	}
	return ret, nil
}

// touch records addr as an account of the genesis and returns its set of
// written slots.
func (d *genesisDeployer) touch(addr common.Address) map[common.Hash]struct{} {
	if d.touched[addr] == nil {
		d.touched[addr] = make(map[common.Hash]struct{})
	}
	return d.touched[addr]
}
