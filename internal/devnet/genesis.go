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

// FixedDeployment is where the genesis places the model contracts: the
// addresses of the built-in "devnet" network.
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

// Genesis returns the devnet genesis: geth's developer genesis (precompiles,
// system contracts, all forks at block 0, chain id 1337) plus the funded test
// accounts, the funded oracle and the model contracts (Lido, and ENS with
// the names of GenesisENSNames) with their constructor-initialised storage. It is a pure function of the embedded
// artifacts: two calls give the same block hash.
func Genesis() (*core.Genesis, error) {
	g := core.DeveloperGenesisBlock(GenesisGasLimit, nil)
	// geth's dev config also turns on forks still in development (Bogota:
	// new state-growth gas rules under which eth_estimateGas underestimates
	// and transactions run out of gas). The devnet must behave like mainnet,
	// so stop at Osaka.
	cfg := *g.Config
	cfg.BogotaTime = nil
	g.Config = &cfg
	for _, acc := range devkeys.TestAccounts() {
		g.Alloc[acc.Address] = types.Account{Balance: TestAccountBalance()}
	}
	oracle := devkeys.Oracle()
	g.Alloc[oracle.Address] = types.Account{Balance: OracleBalance()}

	alloc, err := contractAlloc(g.Config, oracle.Address)
	if err != nil {
		return nil, fmt.Errorf("build genesis contracts: %w", err)
	}
	maps.Copy(g.Alloc, alloc)
	return g, nil
}

// GenesisHash returns the hash of the devnet's genesis block.
func GenesisHash() (common.Hash, error) {
	g, err := Genesis()
	if err != nil {
		return common.Hash{}, err
	}
	return g.ToBlock().Hash(), nil
}

// contractAlloc runs the model deployment in a throw-away in-memory EVM,
// with each contract's creation code executed in place at its fixed address,
// and returns the resulting accounts (code, storage, balance).
func contractAlloc(cfg *params.ChainConfig, oracle common.Address) (types.GenesisAlloc, error) {
	sdb, err := state.New(types.EmptyRootHash, state.NewDatabase(triedb.NewDatabase(rawdb.NewMemoryDatabase(), nil), nil))
	if err != nil {
		return nil, fmt.Errorf("in-memory state: %w", err)
	}
	d := &genesisDeployer{
		state:   sdb,
		config:  cfg,
		from:    oracle,
		fixed:   FixedDeployment(),
		ens:     FixedENS(),
		touched: make(map[common.Address]map[common.Hash]struct{}),
	}
	// The deployer pays the bootstrap deposit; this balance lives only in
	// the scratch state, the genesis funds the oracle separately.
	sdb.SetBalance(d.from, uint256.MustFromBig(contracts.BootstrapDeposit()), tracing.BalanceChangeUnspecified)

	dep, err := contracts.Deploy(context.Background(), d, oracle)
	if err != nil {
		return nil, err
	}
	if dep != d.fixed {
		return nil, fmt.Errorf("model deployed at %+v, want %+v", dep, d.fixed)
	}
	ensDep, err := contracts.DeployENS(context.Background(), d, oracle, GenesisENSNames())
	if err != nil {
		return nil, err
	}
	if ensDep != d.ens {
		return nil, fmt.Errorf("ENS model deployed at %+v, want %+v", ensDep, d.ens)
	}

	alloc := make(types.GenesisAlloc, 6)
	for _, addr := range []common.Address{dep.StETH, dep.WstETH, dep.WithdrawalQueue, dep.Locator, ensDep.Registry, ensDep.Resolver} {
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
			Nonce:   1, // what EIP-161 gives a freshly created contract
		}
	}
	return alloc, nil
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
	fixed   contracts.Deployment
	ens     contracts.ENSDeployment
	touched map[common.Address]map[common.Hash]struct{}
}

func (d *genesisDeployer) Create(_ context.Context, name string, initCode []byte, value *big.Int) (common.Address, error) {
	var addr common.Address
	switch name {
	case contracts.NameLido:
		addr = d.fixed.StETH
	case contracts.NameWstETH:
		addr = d.fixed.WstETH
	case contracts.NameWithdrawalQueue:
		addr = d.fixed.WithdrawalQueue
	case contracts.NameLocator:
		addr = d.fixed.Locator
	case contracts.NameENSRegistry:
		addr = d.ens.Registry
	case contracts.NamePublicResolver:
		addr = d.ens.Resolver
	default:
		return common.Address{}, fmt.Errorf("no fixed address for %s", name)
	}
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

func (d *genesisDeployer) Call(_ context.Context, to common.Address, data []byte) error {
	_, err := d.call(to, data, new(big.Int))
	return err
}

func (d *genesisDeployer) call(to common.Address, input []byte, value *big.Int) ([]byte, error) {
	hooks := &tracing.Hooks{
		OnStorageChange: func(addr common.Address, slot, _, _ common.Hash) {
			if d.touched[addr] == nil {
				d.touched[addr] = make(map[common.Hash]struct{})
			}
			d.touched[addr][slot] = struct{}{}
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
