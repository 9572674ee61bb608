package rocketpool_test

import (
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	rpmodel "github.com/stakewallet/stakewallet/internal/devnet/models/rocketpool"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
)

// TestGenesis: the "devnet" genesis holds the six contracts at the fixed
// addresses, with code, and the deployment by role is the adapter's
// built-in "devnet" one.
func TestGenesis(t *testing.T) {
	cg, err := devnet.GenesisFor("devnet")
	if err != nil {
		t.Fatal(err)
	}
	for name, addr := range rpmodel.Model.Fixed() {
		acc, ok := cg.Genesis.Alloc[addr]
		if !ok || len(acc.Code) == 0 {
			t.Errorf("%s at %s: no code in the genesis", name, addr.Hex())
		}
	}
	dep := cg.Deployments[rpmodel.Model.Name()]
	for role, want := range rocketpool.Deployments["devnet"] {
		if dep[role] != want {
			t.Errorf("genesis deployment %s = %s, want %s", role, dep[role].Hex(), want.Hex())
		}
	}
	if len(dep) != len(rocketpool.Deployments["devnet"]) {
		t.Errorf("genesis deployment %v, want the roles of %v", dep, rocketpool.Deployments["devnet"])
	}
}

func outputs(args abi.Arguments) string {
	var types []string
	for _, a := range args {
		types = append(types, a.Type.String())
	}
	return strings.Join(types, ",")
}

// TestModelABI: every function and event the adapter uses exists in the
// model contracts with the same selector or topic, so the model answers
// the calldata a mainnet client sends.
func TestModelABI(t *testing.T) {
	a, err := rocketpool.ABI()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range rpmodel.Model.Fixed() {
		names = append(names, n)
	}
	methods := map[[4]byte]string{}
	events := map[common.Hash]bool{}
	for _, n := range names {
		art, err := contracts.Load(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range art.ABI.Methods {
			methods[[4]byte(m.ID)] = outputs(m.Outputs)
		}
		for _, e := range art.ABI.Events {
			events[e.ID] = true
		}
	}
	for _, m := range a.Methods {
		out, ok := methods[[4]byte(m.ID)]
		switch {
		case !ok:
			t.Errorf("the model has no %s", m.Sig)
		case out != outputs(m.Outputs):
			t.Errorf("%s returns (%s) in the model, (%s) in the adapter", m.Sig, out, outputs(m.Outputs))
		}
	}
	for _, e := range a.Events {
		if !events[e.ID] {
			t.Errorf("the model emits no %s", e.Sig)
		}
	}
}
