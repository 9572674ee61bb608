package all

import (
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name   string
		wantOK bool
	}{
		{"lido", true},
		{"Lido", true},
		{"rocketpool", false},
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
			if _, err := d.New(addrs, nopBackend{}); err != nil {
				t.Errorf("%s on %s: New: %v", d.Name, network, err)
			}
		}
	}
	Descriptors()[0].Name = "mutated"
	if Descriptors()[0].Name == "mutated" {
		t.Error("Descriptors shares its slice between calls")
	}
}

// nopBackend satisfies protocol.Backend; New must not touch the chain.
type nopBackend struct{ protocol.Backend }
