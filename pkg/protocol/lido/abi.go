package lido

import (
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
)

// The ABIs are hand-written from lidofinance/core (see
// shared/reference/protocols.md §1) rather than generated, so that only
// what the client uses is there and every signature is checked against
// the reference selectors in abi_test.go. They are the real contracts'
// ABIs: the same code runs against mainnet and the devnet models.
//
//go:embed abi/*.json
var abiFiles embed.FS

// contractABIs holds one parsed ABI per contract (calls must be packed
// with the ABI of the contract they go to: stETH, wstETH and the queue
// all have an approve) and their union for decoding.
type contractABIs struct {
	stETH, wstETH, queue, locator *abi.ABI
	merged                        *abi.ABI
}

func loadABIs() (*contractABIs, error) {
	parse := func(name string) (*abi.ABI, error) {
		raw, err := abiFiles.ReadFile("abi/" + name)
		if err != nil {
			return nil, fmt.Errorf("lido: read embedded ABI %s: %w", name, err)
		}
		a, err := abi.JSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("lido: parse embedded ABI %s: %w", name, err)
		}
		return &a, nil
	}
	var c contractABIs
	for _, f := range []struct {
		file string
		dst  **abi.ABI
	}{
		{"steth.json", &c.stETH},
		{"wsteth.json", &c.wstETH},
		{"withdrawal_queue.json", &c.queue},
		{"locator.json", &c.locator},
	} {
		a, err := parse(f.file)
		if err != nil {
			return nil, err
		}
		*f.dst = a
	}
	c.merged = mergeABIs(c.stETH, c.wstETH, c.queue, c.locator)
	return &c, nil
}

// mergeABIs unions ABIs for decoding. Entries with the same canonical
// signature are kept once; events that share a signature but not the
// indexed layout (ERC-20 vs ERC-721 Transfer and Approval) are both kept,
// under a de-duplicated map key — decoders match on ID and RawName.
func mergeABIs(abis ...*abi.ABI) *abi.ABI {
	m := &abi.ABI{Methods: map[string]abi.Method{}, Events: map[string]abi.Event{}, Errors: map[string]abi.Error{}}
	seenMethod := map[string]bool{}
	seenEvent := map[string]bool{}
	for _, a := range abis {
		for _, name := range sortedKeys(a.Methods) {
			meth := a.Methods[name]
			if seenMethod[meth.Sig] {
				continue
			}
			seenMethod[meth.Sig] = true
			key := abi.ResolveNameConflict(meth.RawName, func(s string) bool { _, ok := m.Methods[s]; return ok })
			m.Methods[key] = meth
		}
		for _, name := range sortedKeys(a.Events) {
			ev := a.Events[name]
			layout := ev.Sig + indexedLayout(ev.Inputs)
			if seenEvent[layout] {
				continue
			}
			seenEvent[layout] = true
			key := abi.ResolveNameConflict(ev.RawName, func(s string) bool { _, ok := m.Events[s]; return ok })
			m.Events[key] = ev
		}
		for name, e := range a.Errors {
			m.Errors[name] = e
		}
	}
	return m
}

func indexedLayout(args abi.Arguments) string {
	var b strings.Builder
	for _, a := range args {
		if a.Indexed {
			b.WriteByte('i')
		} else {
			b.WriteByte('d')
		}
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
