package contracts

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/ens"
)

// ENS model contract names (artifact files and Solidity contracts).
const (
	NameENSRegistry    = "ENSRegistry"
	NamePublicResolver = "PublicResolver"
)

// ENSNames lists the ENS model contracts in deployment order.
func ENSNames() []string { return []string{NameENSRegistry, NamePublicResolver} }

// ENSRegistry returns the ENS registry artifact.
func ENSRegistry() *Artifact { return mustLoad(NameENSRegistry) }

// PublicResolver returns the ENS public resolver artifact.
func PublicResolver() *Artifact { return mustLoad(NamePublicResolver) }

// ENSDeployment is where the ENS model lives on one chain.
type ENSDeployment struct {
	Registry common.Address `json:"ensRegistry"`
	Resolver common.Address `json:"ensResolver"`
}

// ENSName is a name to register under .eth: Label "alice" makes alice.eth
// resolve to Addr, owned by Addr.
type ENSName struct {
	Label string
	Addr  common.Address
}

// DeployENS deploys the registry (the deploying account owns the root)
// and a public resolver, takes "eth" for the deploying account and
// registers each name the way a registrar and its owner would: the
// subnode is created with the resolver set, its address record written,
// and only then handed to its owner (the resolver lets only the owner
// write records).
func DeployENS(ctx context.Context, d Deployer, deployer common.Address, names []ENSName) (ENSDeployment, error) {
	var dep ENSDeployment
	reg, res := ENSRegistry(), PublicResolver()
	code, err := reg.InitCode()
	if err != nil {
		return ENSDeployment{}, err
	}
	if dep.Registry, err = d.Create(ctx, NameENSRegistry, code, new(big.Int)); err != nil {
		return ENSDeployment{}, fmt.Errorf("deploy %s: %w", NameENSRegistry, err)
	}
	if code, err = res.InitCode(dep.Registry); err != nil {
		return ENSDeployment{}, err
	}
	if dep.Resolver, err = d.Create(ctx, NamePublicResolver, code, new(big.Int)); err != nil {
		return ENSDeployment{}, fmt.Errorf("deploy %s: %w", NamePublicResolver, err)
	}

	ethNode := ens.Namehash("eth")
	type step struct {
		what string
		to   common.Address
		a    *abi.ABI
		sig  string
		args []any
	}
	steps := []step{{"take eth", dep.Registry, &reg.ABI, "setSubnodeOwner(bytes32,bytes32,address)", []any{[32]byte{}, ens.LabelHash("eth"), deployer}}}
	for _, n := range names {
		if norm, err := ens.Normalize(n.Label); err != nil || norm != n.Label || strings.Contains(n.Label, ".") {
			return ENSDeployment{}, fmt.Errorf("ENS label %q must be one normalised label", n.Label)
		}
		node := ens.Namehash(n.Label + ".eth")
		steps = append(steps,
			step{"register " + n.Label + ".eth", dep.Registry, &reg.ABI, "setSubnodeRecord(bytes32,bytes32,address,address,uint64)",
				[]any{ethNode, ens.LabelHash(n.Label), deployer, dep.Resolver, uint64(0)}},
			step{"set the address of " + n.Label + ".eth", dep.Resolver, &res.ABI, "setAddr(bytes32,address)", []any{node, n.Addr}},
			step{"give " + n.Label + ".eth to its owner", dep.Registry, &reg.ABI, "setOwner(bytes32,address)", []any{node, n.Addr}},
		)
	}
	for _, s := range steps {
		data, err := packSig(s.a, s.sig, s.args...)
		if err != nil {
			return ENSDeployment{}, fmt.Errorf("ENS: %s: %w", s.what, err)
		}
		if err := d.Call(ctx, s.to, data); err != nil {
			return ENSDeployment{}, fmt.Errorf("ENS: %s: %w", s.what, err)
		}
	}
	return dep, nil
}

// packSig packs a call of the method with signature sig: the resolver
// overloads setAddr and addr, and go-ethereum names overloads by their
// order in the ABI, so the signature is the only stable handle.
func packSig(a *abi.ABI, sig string, args ...any) ([]byte, error) {
	for _, m := range a.Methods {
		if m.Sig != sig {
			continue
		}
		enc, err := m.Inputs.Pack(args...)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", sig, err)
		}
		return append(append([]byte{}, m.ID...), enc...), nil
	}
	return nil, fmt.Errorf("the ABI has no %s", sig)
}
