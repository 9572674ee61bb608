package networks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// ProtocolsOptions are the inputs of `protocols`.
type ProtocolsOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	JSON   bool
	// Network and Chain reach the selected network for the exchange
	// rates; nil Chain (or an unreachable network) lists without them.
	Network func() (*config.Network, error)
	Chain   func(ctx context.Context) (cmdutil.Chain, error)
}

// rateTimeout bounds the one round trip of exchange rates: protocols must
// answer at once offline too.
const rateTimeout = 3 * time.Second

// NewCmdProtocols returns the protocols command; runF replaces its body in
// tests.
func NewCmdProtocols(f *cmdutil.Factory, runF func(*ProtocolsOptions) error) *cobra.Command {
	opts := &ProtocolsOptions{IO: f.IO, Config: f.Config, Network: f.Network, Chain: f.Chain}
	return &cobra.Command{
		Use:   "protocols",
		Short: "List supported staking protocols: networks, unstaking, validators, capabilities",
		Long: `List the supported staking protocols, the networks they are configured on,
how each gives the stake back (unstaking: queued, instant, cooldown or
unbonding), whether stake names a validator (targets: none, optional or
required) and what else it can do (capabilities: requests, claim-batch,
wrap, eta, hints, validators, restake, rate). Where a protocol states an
exchange rate (rate), it is read from the selected network in one round trip
when the network answers within a few seconds; offline the list is the same
without rates.`,
		Example: "  stakewallet protocols\n  stakewallet protocols --json",
		Args:    cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return protocolsRun(cmd.Context(), opts)
		},
	}
}

// ProtocolsResult is `protocols`. RatesNote says why exchange rates are
// missing when they could not be read.
type ProtocolsResult struct {
	Protocols []Protocol `json:"protocols"`
	RatesNote string     `json:"ratesNote,omitempty"`
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
	// Rate is what one whole staked token is worth in the native coin on
	// the selected network, where the protocol states it (rate).
	Rate *Rate `json:"rate,omitempty"`
}

// Rate is an exchange rate read from a network.
type Rate struct {
	Network string `json:"network"`
	// Token is the staked token's symbol; Amount the native coin one whole
	// token is worth, in base units.
	Token    string `json:"token"`
	Amount   string `json:"amount"`
	Symbol   string `json:"symbol"`
	Decimals uint8  `json:"decimals"`
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
	head := []string{"PROTOCOL", "NETWORKS", "UNSTAKING", "TARGETS", "CAPABILITIES"}
	rated := false
	for _, p := range r.Protocols {
		rated = rated || p.Rate != nil
	}
	if rated {
		head = append(head, "RATE")
		for i, p := range r.Protocols {
			rate := "-"
			if p.Rate != nil {
				if v, ok := new(big.Int).SetString(p.Rate.Amount, 10); ok {
					rate = fmt.Sprintf("1 %s = %s (%s)", p.Rate.Token, amount.FormatUnits(v, p.Rate.Decimals, p.Rate.Symbol), p.Rate.Network)
				}
			}
			rows[i] = append(rows[i], rate)
		}
	}
	output.Table(w, st, head, rows)
	if r.RatesNote != "" {
		fmt.Fprintln(w, st.Dim.Render(r.RatesNote))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func protocolsRun(ctx context.Context, opts *ProtocolsOptions) error {
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
	readRates(ctx, opts, cfg, res)
	return output.Print(opts.IO, opts.JSON, res)
}

// readRates fills in the exchange rates of the selected network's
// protocols that state one (protocol.Rater), in one round trip bounded by
// rateTimeout. Anything that keeps them from being read (no network, no
// endpoint, no answer) leaves them out with a note: the list itself is
// offline knowledge and must not fail for them.
func readRates(ctx context.Context, opts *ProtocolsOptions, cfg *config.Config, res *ProtocolsResult) {
	if opts.Chain == nil || opts.Network == nil {
		return
	}
	n, err := opts.Network()
	if err != nil {
		return // the network is not what protocols is about
	}
	type rater struct {
		i      int
		token  string
		decode func([]byte) (*big.Int, error)
	}
	var raters []rater
	var msgs []ethereum.CallMsg
	for i, p := range res.Protocols {
		d, ok := cfg.Protocol(p.Name)
		addrs, on := n.Protocols[p.Name]
		if !ok || !on {
			continue
		}
		// Bound without a chain: RateCall only describes the read.
		a, err := d.New(protocol.Env{Network: n.Name, Addresses: addrs, Backend: noChain{}, Native: n.Native()})
		if err != nil {
			continue
		}
		r, ok := a.(protocol.Rater)
		if !ok {
			continue
		}
		tok, _ := a.Tokens().ByRole(protocol.RoleStaked)
		msg, decode := r.RateCall()
		raters = append(raters, rater{i, tok.Symbol, decode})
		msgs = append(msgs, msg)
	}
	if len(raters) == 0 {
		return // nothing to ask: no node is contacted
	}
	ctx, cancel := context.WithTimeout(ctx, rateTimeout)
	defer cancel()
	c, err := opts.Chain(ctx)
	if err != nil {
		res.RatesNote = fmt.Sprintf("exchange rates not read: %v", err)
		return
	}
	outs, errs := protocol.CallAll(ctx, c, msgs)
	native := n.Native()
	var failed []string
	for k, r := range raters {
		name := res.Protocols[r.i].Name
		if errs[k] != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", name, errs[k]))
			continue
		}
		v, err := r.decode(outs[k])
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		res.Protocols[r.i].Rate = &Rate{Network: n.Name, Token: r.token, Amount: v.String(), Symbol: native.Symbol, Decimals: native.Decimals}
	}
	if len(failed) > 0 {
		res.RatesNote = fmt.Sprintf("exchange rates on %s not read: %s", n.Name, strings.Join(failed, "; "))
	}
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
