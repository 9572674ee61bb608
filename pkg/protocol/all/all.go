// Package all lists every protocol adapter stakewallet ships. Adding a
// protocol is one adapter package plus one line here.
package all

import (
	"strings"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/bnb"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
	"github.com/stakewallet/stakewallet/pkg/protocol/polygon"
	"github.com/stakewallet/stakewallet/pkg/protocol/rocketpool"
	"github.com/stakewallet/stakewallet/pkg/protocol/savax"
	"github.com/stakewallet/stakewallet/pkg/protocol/sonic"
	"github.com/stakewallet/stakewallet/pkg/protocol/sts"
)

// Descriptors returns the registered adapters, in the order they are
// listed to users. A fresh slice each call: callers may not mutate a
// shared registry.
func Descriptors() []protocol.Descriptor {
	return []protocol.Descriptor{lido.Descriptor, rocketpool.Descriptor, savax.Descriptor, sts.Descriptor, bnb.Descriptor, polygon.Descriptor, sonic.Descriptor}
}

// Lookup finds an adapter by name, ignoring case ("Lido" = "lido").
func Lookup(name string) (protocol.Descriptor, bool) {
	for _, d := range Descriptors() {
		if strings.EqualFold(d.Name, name) {
			return d, true
		}
	}
	return protocol.Descriptor{}, false
}
