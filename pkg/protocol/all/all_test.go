package all

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name   string
		wantOK bool
	}{
		{"lido", true},
		{"Lido", true},
		{"no-such-protocol", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := Lookup(tt.name)
			if ok != tt.wantOK {
				t.Fatalf("Lookup(%q) ok = %v", tt.name, ok)
			}
			if ok && (d.Name != "lido" || d.New == nil) {
				t.Errorf("Lookup(%q) = %+v", tt.name, d)
			}
		})
	}
}

// TestDescriptors checks what config validation relies on: unique names,
// roles, and built-in deployments whose addresses cover every role New
// needs on each network.
func TestDescriptors(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range Descriptors() {
		if d.Name == "" || seen[d.Name] {
			t.Errorf("bad or duplicate name %q", d.Name)
		}
		seen[d.Name] = true
		if len(d.Roles) == 0 || d.New == nil {
			t.Errorf("%s: no roles or no constructor", d.Name)
		}
		roles := map[string]bool{}
		for _, r := range d.Roles {
			roles[r] = true
		}
		for network, addrs := range d.Deployments {
			for role := range addrs {
				if !roles[role] {
					t.Errorf("%s on %s: role %q not in Roles", d.Name, network, role)
				}
			}
			if _, err := d.New(envFor(network, addrs)); err != nil {
				t.Errorf("%s on %s: New: %v", d.Name, network, err)
			}
		}
	}
	Descriptors()[0].Name = "mutated"
	if Descriptors()[0].Name == "mutated" {
		t.Error("Descriptors shares its slice between calls")
	}
}

// nopBackend satisfies protocol.Backend; New must not touch the chain,
// so any call panics on the nil embedded interface.
type nopBackend struct{ protocol.Backend }

// envFor binds an adapter to one built-in deployment without a chain.
// Every built-in network is an EVM chain whose coin has 18 decimals; the
// symbol only shows up in descriptions.
func envFor(network string, addrs protocol.Addresses) protocol.Env {
	return protocol.Env{
		Network:   network,
		Addresses: addrs,
		Backend:   nopBackend{},
		Native:    protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative},
	}
}

// TestCapabilities prints what each adapter can do and fails when what an
// adapter implements differs from what its Descriptor declares: a method
// renamed or a signature changed would otherwise make the CLI fall back
// silently (the type assertion just fails), and a declared capability
// nothing implements would promise a feature that is not there.
func TestCapabilities(t *testing.T) {
	all := protocol.AllCapabilities()
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "adapter")
	for _, c := range all {
		fmt.Fprintf(tw, "\t%s", c)
	}
	fmt.Fprint(tw, "\tunstake\ttarget\n")
	for _, d := range Descriptors() {
		t.Run(d.Name, func(t *testing.T) {
			if len(d.Deployments) == 0 {
				t.Fatal("no built-in deployment to build the adapter from")
			}
			networks := make([]string, 0, len(d.Deployments))
			for n := range d.Deployments {
				networks = append(networks, n)
			}
			sort.Strings(networks)
			// Capabilities are properties of the type, not of the network:
			// every deployment must give the same set.
			var got []protocol.Capability
			var p protocol.Protocol
			for i, network := range networks {
				pn, err := d.New(envFor(network, d.Deployments[network]))
				if err != nil {
					t.Fatalf("New on %s: %v", network, err)
				}
				caps := protocol.CapabilitiesOf(pn)
				if i == 0 {
					p, got = pn, caps
				} else if !slices.Equal(caps, got) {
					t.Errorf("on %s the adapter has %v, on %s %v", network, caps, networks[0], got)
				}
			}

			fmt.Fprint(tw, d.Name)
			for _, c := range all {
				mark := "no"
				if protocol.Has(p, c) {
					mark = "yes"
				}
				fmt.Fprintf(tw, "\t%s", mark)
			}
			fmt.Fprintf(tw, "\t%s\t%s\n", p.Unstaking(), p.Targets())

			for _, problem := range capabilityProblems(p, d.Capabilities) {
				t.Error(problem)
			}
		})
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Log("capabilities:\n" + table.String())
}

// capabilityProblems compares what p implements with what its Descriptor
// declares and says what differs.
func capabilityProblems(p protocol.Protocol, declaredCaps []protocol.Capability) []string {
	all := protocol.AllCapabilities()
	var out []string
	declared := map[protocol.Capability]bool{}
	for _, c := range declaredCaps {
		if !slices.Contains(all, c) {
			out = append(out, fmt.Sprintf("declares %q, which is not a capability (known: %v)", c, all))
		}
		if declared[c] {
			out = append(out, fmt.Sprintf("declares %q twice", c))
		}
		declared[c] = true
	}
	for _, c := range all {
		switch has := protocol.Has(p, c); {
		case declared[c] && !has:
			out = append(out, fmt.Sprintf("declares %q but %T does not implement it (lost: renamed method or changed signature?)", c, p))
		case !declared[c] && has:
			out = append(out, fmt.Sprintf("%T implements %q but the Descriptor does not declare it", p, c))
		}
	}
	return out
}

// TestCapabilityProblems: the check TestCapabilities relies on catches
// each kind of disagreement, using a real adapter and altered declarations.
func TestCapabilityProblems(t *testing.T) {
	d := Descriptors()[0]
	network := "devnet"
	if _, ok := d.Deployments[network]; !ok {
		for n := range d.Deployments {
			network = n
			break
		}
	}
	p, err := d.New(envFor(network, d.Deployments[network]))
	if err != nil {
		t.Fatal(err)
	}
	have := protocol.CapabilitiesOf(p)
	var missing protocol.Capability // one the adapter does not implement
	for _, c := range protocol.AllCapabilities() {
		if !protocol.Has(p, c) {
			missing = c
			break
		}
	}
	if len(have) == 0 || missing == "" {
		t.Skipf("%s implements no or every capability; the cases need one of each", d.Name)
	}
	tests := []struct {
		name     string
		declared []protocol.Capability
		want     []string // substrings, one per problem
	}{
		{"exact", have, nil},
		{"an implemented one undeclared", have[1:], []string{fmt.Sprintf("implements %q but the Descriptor does not declare it", have[0])}},
		{"a declared one lost", append(slices.Clone(have), missing), []string{fmt.Sprintf("declares %q but", missing)}},
		{"unknown name", append(slices.Clone(have), "teleport"), []string{`declares "teleport", which is not a capability`}},
		{"declared twice", append(slices.Clone(have), have[0]), []string{fmt.Sprintf("declares %q twice", have[0])}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := capabilityProblems(p, tt.declared)
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q lacks %q", got[i], w)
				}
			}
		})
	}
}
