package protocoltest

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

// LensReads is what an adapter's lens (protocol.Lens) reads of the real
// contracts, for CheckLensReads.
type LensReads struct {
	// Name is the lens's file name without extension ("LidoQueueLens").
	Name string
	// Source is the .sol; Artifact what scripts/gen-contracts.sh made of it.
	Source, Artifact []byte
	// Reads are the canonical signatures each interface of Source
	// declares, in order, by interface name.
	Reads map[string][]string
	// ABIs are the adapter's ABIs (copied from the real contracts), by the
	// same interface names.
	ABIs map[string]*abi.ABI
}

// CheckLensReads checks a lens's reads byte for byte: each interface of
// the .sol declares exactly Reads, each read is in the adapter's ABI with
// the same selector and return types (so the lens calls what the real
// contract has), and the compiled artifact pushes each selector (it was
// compiled from this source).
func CheckLensReads(t *testing.T, l LensReads) {
	t.Helper()
	declared := solInterfaces(t, l.Name, string(l.Source))
	var art struct {
		Bytecode hexutil.Bytes `json:"bytecode"`
	}
	if err := json.Unmarshal(l.Artifact, &art); err != nil {
		t.Fatalf("%s artifact: %v", l.Name, err)
	}
	for iface, sigs := range l.Reads {
		var got []string
		for _, f := range declared[iface] {
			got = append(got, f.sig)
		}
		if strings.Join(got, " ") != strings.Join(sigs, " ") {
			t.Errorf("%s in %s.sol declares %q, want %q", iface, l.Name, got, sigs)
		}
		a := l.ABIs[iface]
		if a == nil {
			t.Errorf("no adapter ABI for %s", iface)
			continue
		}
		for k, sig := range sigs {
			sel := crypto.Keccak256([]byte(sig))[:4]
			var m *abi.Method
			for _, mm := range a.Methods {
				if mm.Sig == sig && bytes.Equal(mm.ID, sel) {
					m = &mm
				}
			}
			if m == nil {
				t.Errorf("%s: %s (%x) is not in the adapter's ABI", iface, sig, sel)
				continue
			}
			var outs []string
			for _, o := range m.Outputs {
				outs = append(outs, o.Type.String())
			}
			if k < len(declared[iface]) && declared[iface][k].sig == sig && declared[iface][k].returns != strings.Join(outs, ",") {
				t.Errorf("%s: %s returns (%s) in %s.sol, (%s) in the adapter's ABI", iface, sig, declared[iface][k].returns, l.Name, strings.Join(outs, ","))
			}
			if !bytes.Contains(art.Bytecode, append([]byte{0x63}, sel...)) { // PUSH4 selector
				t.Errorf("the %s artifact does not call %s (%x): regenerate it (scripts/gen-contracts.sh)", l.Name, sig, sel)
			}
		}
	}
	for iface := range declared {
		if _, ok := l.Reads[iface]; !ok {
			t.Errorf("%s.sol declares interface %s, which Reads does not list", l.Name, iface)
		}
	}
}

// solFunc is a function an interface declares: its canonical signature
// and its return types (a struct of the interface as its tuple).
type solFunc struct{ sig, returns string }

// solInterfaces returns the functions each interface of src declares, in
// order, with their return types.
func solInterfaces(t *testing.T, name, src string) map[string][]solFunc {
	t.Helper()
	out := map[string][]solFunc{}
	ifaces := regexp.MustCompile(`(?s)interface (\w+) \{(.*?)\n\}`).FindAllStringSubmatch(src, -1)
	structs := regexp.MustCompile(`(?s)struct (\w+) \{([^}]*)\}`)
	fns := regexp.MustCompile(`(?s)function (\w+)\(([^)]*)\)[^;]*?returns \(([^)]*)\)`)
	types := func(list string, sep string, tuples map[string]string) string {
		var ts []string
		for _, p := range strings.Split(list, sep) {
			if p = strings.TrimSpace(p); p != "" {
				ty := strings.Fields(p)[0]
				if tu, ok := tuples[strings.TrimSuffix(ty, "[]")]; ok {
					ty = tu + strings.Repeat("[]", strings.Count(ty, "[]"))
				}
				ts = append(ts, ty)
			}
		}
		return strings.Join(ts, ",")
	}
	for _, m := range ifaces {
		tuples := map[string]string{}
		for _, s := range structs.FindAllStringSubmatch(m[2], -1) {
			tuples[s[1]] = "(" + types(s[2], ";", nil) + ")"
		}
		for _, f := range fns.FindAllStringSubmatch(m[2], -1) {
			out[m[1]] = append(out[m[1]], solFunc{sig: f[1] + "(" + types(f[2], ",", nil) + ")", returns: types(f[3], ",", tuples)})
		}
	}
	if len(out) == 0 {
		t.Fatalf("no interface found in %s.sol", name)
	}
	return out
}
