package ens_test

import (
	"context"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/ensfake"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/ens"
)

// TestNamehash checks the vectors of ENSIP-1 (EIP-137 §"Namehash
// algorithm").
func TestNamehash(t *testing.T) {
	tests := []struct{ name, want string }{
		{"", "0x0000000000000000000000000000000000000000000000000000000000000000"},
		{"eth", "0x93cdeb708b7545dc668eb9280176169d1c33cfd8ed6f04690a0bcc88a93fc4ae"},
		{"foo.eth", "0xde9b09fd7c5f901e23a3f19fecc54828e9c848539801e86591bd9801b019f84f"},
	}
	for _, tt := range tests {
		if got := ens.Namehash(tt.name).Hex(); got != tt.want {
			t.Errorf("Namehash(%q) = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestSelectors pins the calls resolution makes to the real contracts'
// selectors (ensdomains/ens-contracts: ENSRegistry's dispatcher holds
// 0178b8bf and 02571be3; IAddrResolver.addr(bytes32) is 3b3b57de). The hex
// is checked against keccak256 of the signature too, so the table cannot
// drift from the signatures.
func TestSelectors(t *testing.T) {
	tests := []struct{ name, sig, want string }{
		{"resolver", "resolver(bytes32)", "0178b8bf"},
		{"owner", "owner(bytes32)", "02571be3"},
		{"addr", "addr(bytes32)", "3b3b57de"},
	}
	if len(ens.ABI.Methods) != len(tests) {
		t.Errorf("the ABI has %d methods, the table %d: list every one", len(ens.ABI.Methods), len(tests))
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(crypto.Keccak256([]byte(tt.sig))[:4]); got != tt.want {
			t.Errorf("keccak(%s) = %s, table says %s", tt.sig, got, tt.want)
		}
		m, ok := ens.ABI.Methods[tt.name]
		if !ok {
			t.Errorf("no method %s", tt.name)
			continue
		}
		if m.Sig != tt.sig || hex.EncodeToString(m.ID) != tt.want {
			t.Errorf("%s is %s (%x), want %s (%s)", tt.name, m.Sig, m.ID, tt.sig, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		err      string // a part of the error; "" for success
	}{
		{in: "alice.eth", want: "alice.eth"},
		{in: "Alice.ETH", want: "alice.eth"},
		{in: "sub.alice-1.eth", want: "sub.alice-1.eth"},
		{in: "__x.eth", want: "__x.eth"},
		{in: "", err: "is empty"},
		{in: "alice..eth", err: "empty label"},
		{in: ".eth", err: "empty label"},
		{in: "alice.eth.", err: "empty label"},
		{in: "ålice.eth", err: "non-ASCII character 'å'"},
		{in: "аlice.eth", err: "non-ASCII"}, // Cyrillic а, a look-alike
		{in: "al_ice.eth", err: "underscore inside"},
		{in: "xn--80ak6aa92e.eth", err: "punycode"},
		{in: "ali ce.eth", err: "character ' '"},
		{in: "alice$.eth", err: "character '$'"},
	}
	for _, tt := range tests {
		got, err := ens.Normalize(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.err != "":
			var ne *ens.NameError
			if !errors.As(err, &ne) || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Normalize(%q) = %q, %v; want a NameError mentioning %q", tt.in, got, err, tt.err)
			}
		}
	}
}

func TestIsName(t *testing.T) {
	for in, want := range map[string]bool{
		"alice.eth": true, "vitalik.eth": true, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8": false, "alice": false, "": false,
	} {
		if got := ens.IsName(in); got != want {
			t.Errorf("IsName(%q) = %v, want %v", in, got, want)
		}
	}
}

var (
	alice    = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	bob      = common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	resolver = common.HexToAddress("0x4976fb03C32e5B8cfe2b6cCB31c09Ba78EBaBa41")
)

// TestResolveOnNode resolves through registry and resolver handlers on the
// fake node, as a real node would answer them.
func TestResolveOnNode(t *testing.T) {
	node := chaintest.New(t, 1)
	fake := ensfake.Install(node, ens.Registry, resolver)
	fake.Set("alice.eth", alice)
	fake.Set("bob.eth", bob)
	fake.SetResolver("noaddr.eth", resolver) // registered, no address record
	reverting := common.HexToAddress("0x000000000000000000000000000000000000dEaD")
	node.Handle(reverting, ens.ABI, "addr", func(*chaintest.Ctx, []any) ([]any, error) {
		return nil, chaintest.RevertString("not supported")
	})
	fake.SetResolver("odd.eth", reverting)

	c, err := chain.Dial(context.Background(), []string{node.URL()}, chain.Options{ChainID: 1, Network: "mainnet", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)

	tests := []struct {
		name string
		want common.Address
		// notResolved is a part of the NotResolvedError's reason; "" for
		// a name that resolves.
		notResolved string
	}{
		{name: "alice.eth", want: alice},
		{name: "BOB.eth", want: bob},
		{name: "carol.eth", notResolved: "no resolver"},
		{name: "eth", notResolved: "no resolver"},
		{name: "noaddr.eth", notResolved: "no Ethereum address"},
		{name: "odd.eth", notResolved: "refuses addr(bytes32)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ens.Resolve(context.Background(), c, ens.Registry, tt.name)
			if tt.notResolved == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Resolve = %s, %v; want %s", got.Hex(), err, tt.want.Hex())
				}
				return
			}
			var nr *ens.NotResolvedError
			if !errors.As(err, &nr) || !strings.Contains(nr.Reason, tt.notResolved) {
				t.Fatalf("Resolve = %s, %v; want a NotResolvedError saying %q", got.Hex(), err, tt.notResolved)
			}
			if !strings.HasPrefix(err.Error(), strings.ToLower(tt.name)+" does not resolve to an address") {
				t.Errorf("message %q does not start with the name", err)
			}
		})
	}

	t.Run("bad name is not looked up", func(t *testing.T) {
		before := node.Requests()
		_, err := ens.Resolve(context.Background(), c, ens.Registry, "ålice.eth")
		var ne *ens.NameError
		if !errors.As(err, &ne) {
			t.Fatalf("err = %v, want a NameError", err)
		}
		if node.Requests() != before {
			t.Errorf("%d requests reached the node for a name that cannot be normalised", node.Requests()-before)
		}
	})
}

// answers is a Caller that plays a chain where contracts answer by
// address: nil is an RPC failure, an empty answer is a call to an
// account without code (what real nodes return).
type answers map[common.Address][]byte

func (a answers) CallContract(_ context.Context, call ethereum.CallMsg, _ *big.Int) ([]byte, error) {
	out, ok := a[*call.To]
	if !ok || out == nil {
		return nil, errors.New("connection refused")
	}
	return out, nil
}

func word(a common.Address) []byte { return common.LeftPadBytes(a.Bytes(), 32) }

// TestResolveOddChains covers what the fake node cannot play: accounts
// without code (which real nodes answer with empty data) and RPC failures,
// each of which must be told apart from "the name does not resolve".
func TestResolveOddChains(t *testing.T) {
	tests := []struct {
		name        string
		chain       answers
		wantErr     error  // errors.Is target, or nil
		notResolved string // NotResolvedError reason part, or ""
		other       string // plain error part, or ""
	}{
		{"registry without code", answers{ens.Registry: {}}, ens.ErrNoRegistry, "", ""},
		{"resolver without code", answers{ens.Registry: word(resolver), resolver: {}}, nil, "not a contract", ""},
		{"registry unreachable", answers{}, nil, "", "connection refused"},
		{"resolver unreachable", answers{ens.Registry: word(resolver)}, nil, "", "connection refused"},
		{"short answer", answers{ens.Registry: word(resolver), resolver: {1, 2, 3}}, nil, "gave no address", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ens.Resolve(context.Background(), tt.chain, ens.Registry, "alice.eth")
			if err == nil {
				t.Fatalf("resolved to %s", got.Hex())
			}
			var nr *ens.NotResolvedError
			isNR := errors.As(err, &nr)
			switch {
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			case tt.notResolved != "" && (!isNR || !strings.Contains(nr.Reason, tt.notResolved)):
				t.Errorf("err = %v, want a NotResolvedError saying %q", err, tt.notResolved)
			case tt.other != "" && (isNR || !strings.Contains(err.Error(), tt.other)):
				t.Errorf("err = %v, want a plain error mentioning %q (an RPC failure is not a missing name)", err, tt.other)
			}
		})
	}
}
