package protocol

import (
	"slices"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
)

// Hinter is the "hints" capability: what the protocol's reverts mean for
// a user ("STAKE_LIMIT" → "the daily stake limit is reached; try less").
type Hinter interface {
	RevertHints() abidecode.Hints
}

// Capability names an optional interface of this package.
type Capability string

// The optional capabilities, in the order of the package doc's table.
const (
	CapRequests    Capability = "requests"
	CapClaimBatch  Capability = "claim-batch"
	CapWrap        Capability = "wrap"
	CapETA         Capability = "eta"
	CapHints       Capability = "hints"
	CapValidators  Capability = "validators"
	CapRestake     Capability = "restake"
	CapRate        Capability = "rate"
	CapDelegations Capability = "delegations"
	CapRewards     Capability = "rewards"
	CapManyOwners  Capability = "many-owners"
)

// capabilityChecks asserts each capability on a value; one line per
// optional interface, so the table cannot miss one that is declared above.
var capabilityChecks = []struct {
	name Capability
	has  func(p Protocol) bool
}{
	{CapRequests, func(p Protocol) bool { _, ok := p.(Requests); return ok }},
	{CapClaimBatch, func(p Protocol) bool { _, ok := p.(ClaimBatcher); return ok }},
	{CapWrap, func(p Protocol) bool { _, ok := p.(Wrapper); return ok }},
	{CapETA, func(p Protocol) bool { _, ok := p.(Estimating); return ok }},
	{CapHints, func(p Protocol) bool { _, ok := p.(Hinter); return ok }},
	{CapValidators, func(p Protocol) bool { _, ok := p.(Validators); return ok }},
	{CapRestake, func(p Protocol) bool { _, ok := p.(Restaker); return ok }},
	{CapRate, func(p Protocol) bool { _, ok := p.(Rater); return ok }},
	{CapDelegations, func(p Protocol) bool { _, ok := p.(Delegator); return ok }},
	{CapRewards, func(p Protocol) bool { _, ok := p.(Rewarder); return ok }},
	{CapManyOwners, func(p Protocol) bool { _, ok := p.(ManyOwners); return ok }},
}

// AllCapabilities lists every optional capability.
func AllCapabilities() []Capability {
	out := make([]Capability, len(capabilityChecks))
	for i, c := range capabilityChecks {
		out[i] = c.name
	}
	return out
}

// CapabilitiesOf lists the optional capabilities p implements.
func CapabilitiesOf(p Protocol) []Capability {
	var out []Capability
	for _, c := range capabilityChecks {
		if c.has(p) {
			out = append(out, c.name)
		}
	}
	return out
}

// Has reports whether p implements capability c.
func Has(p Protocol, c Capability) bool {
	return slices.Contains(CapabilitiesOf(p), c)
}
