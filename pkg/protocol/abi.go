package protocol

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// ParseABI parses a contract's JSON ABI, an adapter's built-in one; name
// (the contract or file) says which in the error.
func ParseABI(name string, data []byte) (*abi.ABI, error) {
	a, err := abi.JSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse the built-in ABI %s: %w", name, err)
	}
	return &a, nil
}

// ReadABI reads and parses the JSON ABI at path in fsys (an adapter's
// embedded abi/ folder).
func ReadABI(fsys fs.FS, path string) (*abi.ABI, error) {
	raw, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("read the built-in ABI %s: %w", path, err)
	}
	return ParseABI(path, raw)
}

// MergeABIs unions the ABIs of a protocol's contracts into the one
// Protocol.ABI returns, for decoding. A function whose signature is
// already there is kept once, so is an event with the same signature and
// the same indexed layout, and an error with the same selector. Entries
// that share a name but not a signature (stS's and the SFC's Delegated),
// or an event signature but not its indexed layout (ERC-20 vs ERC-721
// Transfer), are all kept, under de-duplicated keys: decoders match on ID
// and RawName. Keys are resolved in a fixed order (the ABIs in turn, names
// sorted), so the result is the same on every run.
func MergeABIs(abis ...*abi.ABI) *abi.ABI {
	m := &abi.ABI{Methods: map[string]abi.Method{}, Events: map[string]abi.Event{}, Errors: map[string]abi.Error{}}
	seenMethod := map[string]bool{}
	seenEvent := map[string]bool{}
	seenError := map[common.Hash]bool{}
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
		for _, name := range sortedKeys(a.Errors) {
			e := a.Errors[name]
			if seenError[e.ID] {
				continue
			}
			seenError[e.ID] = true
			key := abi.ResolveNameConflict(e.Name, func(s string) bool { _, ok := m.Errors[s]; return ok })
			m.Errors[key] = e
		}
	}
	return m
}

// indexedLayout is which of an event's arguments are indexed ('i') or
// data ('d'), in order.
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
	slices.Sort(keys)
	return keys
}
