// Package validators implements `stakewallet validators`.
package validators

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// ValidatorsOptions are the validators command's inputs.
type ValidatorsOptions struct {
	IO       *iostreams.IOStreams
	Network  func() (*config.Network, error)
	Protocol func(ctx context.Context, name string) (protocol.Protocol, error)
	JSON     bool

	ProtocolName string
}

// NewCmdValidators returns the validators command; runF replaces its body
// in tests.
func NewCmdValidators(f *cmdutil.Factory, runF func(*ValidatorsOptions) error) *cobra.Command {
	opts := &ValidatorsOptions{IO: f.IO, Network: f.Network, Protocol: f.Protocol}
	cmd := &cobra.Command{
		Use:   "validators",
		Short: "List the validators of a delegation protocol",
		Long: `List the validators a delegation protocol (default: the network's) stakes
to: the id to pass as --validator (an operator address on BNB Chain), the
moniker, the commission, the total stake, the status (active, jailed, or
inactive: not jailed but not elected) and, on BNB Chain, the validator's
credit token (its stake shares, which cannot be transferred).
--validator on stake, unstake and restake takes the id or a unique
case-insensitive prefix of the moniker.`,
		Example: `  stakewallet validators --network bsc
  stakewallet validators --protocol bnb --json`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProtocolName, "protocol", "", "protocol (default: the network's)")
	return cmd
}

// Result is `validators`.
type Result struct {
	Protocol   string      `json:"protocol"`
	Network    string      `json:"network"`
	Validators []Validator `json:"validators"`

	native protocol.Token
}

// Validator is one row: stake in base units of the native coin, with its
// symbol and decimals; commission a decimal percentage.
type Validator struct {
	ID         string `json:"id"`
	Moniker    string `json:"moniker"`
	Commission string `json:"commission"`
	Stake      string `json:"stake"`
	Symbol     string `json:"symbol"`
	Decimals   uint8  `json:"decimals"`
	Status     string `json:"status"`
	// Credit and CreditSymbol are the validator's own share token, where
	// the protocol mints one (BNB's StakeCredit).
	Credit       string `json:"credit,omitempty"`
	CreditSymbol string `json:"creditSymbol,omitempty"`

	stake *big.Int
}

// Run lists the validators of the selected protocol.
func Run(ctx context.Context, opts *ValidatorsOptions) error {
	net, err := opts.Network()
	if err != nil {
		return err
	}
	p, err := pickProtocol(ctx, opts, net)
	if err != nil {
		return err
	}
	vs, ok := p.(protocol.Validators)
	if !ok {
		return cmdutil.BadInputf("%s has no validators to choose: it pools the stake (choose a delegation protocol with --protocol; `stakewallet protocols` shows which list validators)", p.DisplayName())
	}
	list, err := vs.Validators(ctx)
	if err != nil {
		return fmt.Errorf("list the validators of %s: %w", p.DisplayName(), err)
	}
	// What a delegation holds: the native coin, or the ERC-20 staked
	// instead of it (POL on Ethereum for Polygon).
	native := net.Native()
	if u, ok := p.Tokens().ByRole(protocol.RoleUnderlying); ok {
		native = u
	}
	res := &Result{Protocol: p.Name(), Network: net.Name, Validators: []Validator{}, native: native}
	for _, v := range list {
		stake := v.TotalStake
		if stake == nil {
			stake = new(big.Int)
		}
		row := Validator{
			ID: v.ID, Moniker: v.Moniker, Commission: v.Commission, Stake: stake.String(),
			Symbol: native.Symbol, Decimals: native.Decimals, Status: v.Status, stake: stake,
		}
		if v.Credit != nil {
			row.Credit, row.CreditSymbol = v.Credit.Address.Hex(), v.Credit.Symbol
		}
		res.Validators = append(res.Validators, row)
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// pickProtocol is --protocol, else the network's default when it has
// validators, else the one protocol of the network that has them (Sonic's
// default is stS, which pools the stake; its SFC delegation lists them).
func pickProtocol(ctx context.Context, opts *ValidatorsOptions, net *config.Network) (protocol.Protocol, error) {
	p, err := opts.Protocol(ctx, opts.ProtocolName)
	if err != nil || opts.ProtocolName != "" {
		return p, err
	}
	if _, ok := p.(protocol.Validators); ok {
		return p, nil
	}
	names := make([]string, 0, len(net.Protocols))
	for name := range net.Protocols {
		names = append(names, name)
	}
	sort.Strings(names)
	var found []protocol.Protocol
	for _, name := range names {
		q, err := opts.Protocol(ctx, name)
		if err != nil {
			return nil, err
		}
		if _, ok := q.(protocol.Validators); ok {
			found = append(found, q)
		}
	}
	switch len(found) {
	case 0:
		return p, nil // refused below, naming the default
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, q := range found {
		ids[i] = q.Name()
	}
	return nil, cmdutil.BadInputf("several protocols on %s list validators: pass --protocol %s", net.Name, strings.Join(ids, " or --protocol "))
}

// RenderHuman implements output.Human.
func (r *Result) RenderHuman(w io.Writer, st output.Styles) {
	if len(r.Validators) == 0 {
		fmt.Fprintf(w, "no validators (%s on %s)\n", r.Protocol, r.Network)
		return
	}
	header := []string{"ID", "MONIKER", "COMMISSION", "STAKE", "STATUS"}
	credits := false
	for _, v := range r.Validators {
		credits = credits || v.Credit != ""
	}
	if credits {
		header = append(header, "CREDIT")
	}
	rows := make([][]string, 0, len(r.Validators))
	for _, v := range r.Validators {
		row := []string{v.ID, v.Moniker, v.Commission + "%", amount.FormatUnits(v.stake, r.native.Decimals, r.native.Symbol), v.Status}
		if credits {
			row = append(row, v.CreditSymbol+" "+v.Credit)
		}
		// Monikers and credit symbols are read from the chain: escape
		// what a terminal would act on.
		for i := range row {
			row[i] = output.Safe(row[i])
		}
		rows = append(rows, row)
	}
	output.Table(w, st, header, rows)
}
