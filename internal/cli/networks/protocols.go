package networks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// ProtocolsOptions are the inputs of `protocols`.
type ProtocolsOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	JSON   bool
}

// NewCmdProtocols returns the protocols command; runF replaces its body in
// tests.
func NewCmdProtocols(f *cmdutil.Factory, runF func(*ProtocolsOptions) error) *cobra.Command {
	opts := &ProtocolsOptions{IO: f.IO, Config: f.Config}
	return &cobra.Command{
		Use:   "protocols",
		Short: "List supported staking protocols: networks, unstaking, validators, capabilities",
		Long: `List the supported staking protocols, the networks they are configured on,
how each gives the stake back (unstaking: queued, instant, cooldown or
unbonding), whether stake names a validator (targets: none, optional or
required) and what else it can do (capabilities: requests, claim-batch,
wrap, eta, hints, validators, restake). No node is contacted.`,
		Example: "  stakewallet protocols\n  stakewallet protocols --json",
		Args:    cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return protocolsRun(opts)
		},
	}
}

// ProtocolsResult is `protocols`.
type ProtocolsResult struct {
	Protocols []Protocol `json:"protocols"`
}

// Protocol is one protocol of `protocols`.
type Protocol struct {
	Name string `json:"name"`
	// Networks are the networks it has contracts on.
	Networks []string `json:"networks"`
	// Contracts are the contract roles a network must give it.
	Contracts []string `json:"contracts"`
	// Unstaking and Targets are "" only for a protocol configured on no
	// network, whose adapter cannot be bound to ask.
	Unstaking    protocol.UnstakeKind  `json:"unstaking"`
	Targets      protocol.TargetRule   `json:"targets"`
	Capabilities []protocol.Capability `json:"capabilities"`
}

// RenderHuman implements output.Human.
func (r *ProtocolsResult) RenderHuman(w io.Writer, st output.Styles) {
	rows := make([][]string, len(r.Protocols))
	for i, p := range r.Protocols {
		caps := make([]string, len(p.Capabilities))
		for j, c := range p.Capabilities {
			caps[j] = string(c)
		}
		rows[i] = []string{p.Name, orDash(strings.Join(p.Networks, ", ")), orDash(string(p.Unstaking)), orDash(string(p.Targets)), orDash(strings.Join(caps, ", "))}
	}
	output.Table(w, st, []string{"PROTOCOL", "NETWORKS", "UNSTAKING", "TARGETS", "CAPABILITIES"}, rows)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func protocolsRun(opts *ProtocolsOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	res := &ProtocolsResult{Protocols: []Protocol{}}
	for _, name := range cfg.ProtocolNames() {
		d, _ := cfg.Protocol(name)
		p := Protocol{Name: name, Networks: []string{}, Contracts: d.Roles, Capabilities: []protocol.Capability{}}
		var nets []*config.Network
		for _, n := range cfg.Networks() {
			if _, ok := n.Protocols[name]; ok {
				p.Networks = append(p.Networks, n.Name)
				nets = append(nets, n)
			}
		}
		if a, err := bind(d, nets); err == nil {
			p.Unstaking, p.Targets = a.Unstaking(), a.Targets()
			p.Capabilities = append(p.Capabilities, protocol.CapabilitiesOf(a)...)
		} else {
			// Nothing to bind it to: the Descriptor's declaration, which
			// pkg/protocol/all's test holds equal to what the adapter
			// implements.
			p.Capabilities = append(p.Capabilities, d.Capabilities...)
		}
		res.Protocols = append(res.Protocols, p)
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// bind builds d's adapter on the first of nets that has every contract it
// needs, without a chain: kind, target rule and capabilities are properties
// of the adapter, not of a network, so listing them must not dial a node.
func bind(d protocol.Descriptor, nets []*config.Network) (protocol.Protocol, error) {
	var errs []error
	for _, n := range nets {
		a, err := d.New(protocol.Env{Network: n.Name, Addresses: n.Protocols[d.Name], Backend: noChain{}, Native: n.Native()})
		if err == nil {
			return a, nil
		}
		errs = append(errs, fmt.Errorf("on %s: %w", n.Name, err))
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("protocol %s is on no network", d.Name)
	}
	return nil, errors.Join(errs...)
}

// errNoChain is what an adapter gets if it reads the chain while being
// described; New must not, so this is a bug to surface, not to dial for.
var errNoChain = errors.New("protocols does not read the chain")

// noChain is the backend adapters are bound to by `protocols`.
type noChain struct{}

func (noChain) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return nil, errNoChain
}

func (noChain) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errNoChain
}

func (noChain) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errNoChain
}
