package all

import (
	"errors"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// FuzzParseRequestID runs every adapter with request ids on any string,
// checking the contract the CLI relies on whatever the adapter: an
// accepted id is non-empty, has no surrounding space and parses back to
// itself; a refusal is a *protocol.LimitError (exit 2) with no id.
func FuzzParseRequestID(f *testing.F) {
	type adapter struct {
		name string
		req  protocol.Requests
	}
	var adapters []adapter
	for _, d := range Descriptors() {
		for network, addrs := range d.Deployments {
			p, err := d.New(envFor(network, addrs))
			if err != nil {
				f.Fatalf("%s on %s: %v", d.Name, network, err)
			}
			if r, ok := p.(protocol.Requests); ok {
				adapters = append(adapters, adapter{d.Name, r})
			}
			break // ids do not depend on the network
		}
	}
	if len(adapters) == 0 {
		f.Skip("no adapter has request ids")
	}
	for _, s := range []string{"1", "#12", " 7 ", "0", "-1", "", "\x00", "🙂", strings.Repeat("9", 200), "0x01", "abc-123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, a := range adapters {
			id, err := a.req.ParseRequestID(s)
			if err != nil {
				var le *protocol.LimitError
				if !errors.As(err, &le) || id != "" {
					t.Fatalf("%s: ParseRequestID(%q) = %q, %v: want no id and a LimitError", a.name, s, id, err)
				}
				continue
			}
			if id == "" || strings.TrimSpace(string(id)) != string(id) {
				t.Fatalf("%s: ParseRequestID(%q) = %q: empty or padded", a.name, s, id)
			}
			if again, err := a.req.ParseRequestID(string(id)); err != nil || again != id {
				t.Fatalf("%s: ParseRequestID(%q) = %q, %v: the id %q does not parse back to itself", a.name, id, again, err, id)
			}
		}
	})
}
