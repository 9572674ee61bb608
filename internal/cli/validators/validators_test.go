package validators

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/internal/devnet"
	bnbmodel "github.com/stakewallet/stakewallet/internal/devnet/models/bnb"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/all"
	"github.com/stakewallet/stakewallet/pkg/protocol/bnb"
)

// TestValidatorsOnDevnet: the command against the BNB model on an
// in-process devnet-bsc chain, bound through the built-in network table
// as the CLI binds it: JSON rows and the human table; a protocol without
// validators is bad input.
func TestValidatorsOnDevnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	d, err := devnet.Start(ctx, devnet.Config{Chain: "devnet-bsc", DisableOracle: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cfg, err := config.Load(filepath.Join(t.TempDir(), "none.toml"), all.Descriptors())
	if err != nil {
		t.Fatal(err)
	}
	net, err := cfg.Network("devnet-bsc")
	if err != nil {
		t.Fatal(err)
	}
	bind := func(_ context.Context, name string) (protocol.Protocol, error) {
		if name == "" {
			name = net.DefaultProtocol
		}
		desc, ok := all.Lookup(name)
		if !ok {
			return nil, errors.New("unknown protocol " + name)
		}
		return desc.New(protocol.Env{Network: net.Name, Addresses: desc.Deployments[net.Name], Backend: d.Client(), Native: net.Native()})
	}
	tests := []struct {
		name     string
		protocol string
		json     bool
		check    func(t *testing.T, out string)
		wantExit int
	}{
		{name: "json", json: true, check: func(t *testing.T, out string) {
			var doc struct {
				Protocol   string
				Validators []Validator
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Protocol != "bnb" || len(doc.Validators) != len(bnbmodel.Validators) {
				t.Fatalf("%s", out)
			}
			for i, v := range doc.Validators {
				m := bnbmodel.Validators[i]
				if v.ID != bnbmodel.Operator(i+1).Hex() || v.Moniker != m.Moniker || v.Symbol != "BNB" || v.Decimals != 18 ||
					v.Credit != bnb.DevnetCredit(i+1).Hex() || v.CreditSymbol != "st"+m.Moniker || v.Stake == "" || v.Commission == "" {
					t.Errorf("row %d: %+v", i, v)
				}
			}
			if doc.Validators[3].Status != "jailed" || doc.Validators[4].Status != "inactive" || doc.Validators[0].Status != "active" {
				t.Errorf("statuses: %s", out)
			}
		}},
		{name: "human", protocol: "bnb", check: func(t *testing.T, out string) {
			for _, want := range []string{"MONIKER", "Binance", "10%", "500 BNB", "jailed", "stCertik"} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in\n%s", want, out)
				}
			}
		}},
		{name: "a protocol without validators", protocol: "lido", wantExit: cmdutil.ExitBadInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, out, _ := iostreams.Test("")
			opts := &ValidatorsOptions{IO: ios, Network: func() (*config.Network, error) { return net, nil }, JSON: tc.json, ProtocolName: tc.protocol}
			opts.Protocol = bind
			if tc.protocol == "lido" {
				// lido has no devnet-bsc deployment: bind it to the devnet's
				// addresses, which it needs only to exist.
				opts.Protocol = func(ctx context.Context, _ string) (protocol.Protocol, error) {
					desc, _ := all.Lookup("lido")
					return desc.New(protocol.Env{Network: "devnet", Addresses: desc.Deployments["devnet"], Backend: d.Client(), Native: net.Native()})
				}
			}
			err := Run(ctx, opts)
			if tc.wantExit != 0 {
				var ee *cmdutil.ExitError
				if !errors.As(err, &ee) || ee.Code != tc.wantExit || !strings.Contains(err.Error(), "no validators") {
					t.Fatalf("err = %v, want exit %d saying it has no validators", err, tc.wantExit)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, out.String())
		})
	}
}

// TestValidatorsFlags: the command takes --protocol and no arguments.
func TestValidatorsFlags(t *testing.T) {
	ios, _, _ := iostreams.Test("")
	f := &cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{JSON: true}}
	tests := []struct {
		args     []string
		wantName string
		wantErr  bool
	}{
		{[]string{"--protocol", "bnb"}, "bnb", false},
		{nil, "", false},
		{[]string{"extra"}, "", true},
	}
	for _, tc := range tests {
		var got *ValidatorsOptions
		cmd := NewCmdValidators(f, func(o *ValidatorsOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(ios.Out)
		cmd.SetErr(ios.ErrOut)
		err := cmd.Execute()
		if (err != nil) != tc.wantErr {
			t.Errorf("%v: err %v", tc.args, err)
			continue
		}
		if err == nil && (got.ProtocolName != tc.wantName || !got.JSON) {
			t.Errorf("%v: options %+v", tc.args, got)
		}
	}
}

// TestPickProtocol: without --protocol the command lists the validators
// of the network's default protocol when it has them, else of the one
// protocol of the network that has them; several are bad input naming
// them. Binding touches no chain (Descriptor.New), so no node is needed.
func TestPickProtocol(t *testing.T) {
	cfg, err := config.Load(filepath.Join(t.TempDir(), "none.toml"), all.Descriptors())
	if err != nil {
		t.Fatal(err)
	}
	network := func(name string) *config.Network {
		n, err := cfg.Network(name)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Dialing HTTP does no I/O; nothing here reads the chain.
	offline, err := ethclient.Dial("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	defer offline.Close()
	two := *network("devnet")
	two.Protocols = map[string]protocol.Addresses{"lido": nil, "polygon": nil, "bnb": nil}
	tests := []struct {
		name, flag string
		net        *config.Network
		want       string // protocol picked; "" = bad input
	}{
		{"sonic: stS pools, the SFC lists", "", network("devnet-sonic"), "sonic"},
		{"devnet: Lido pools, Polygon lists", "", network("devnet"), "polygon"},
		{"bsc: the default lists", "", network("devnet-bsc"), "bnb"},
		{"--protocol is kept", "sts", network("devnet-sonic"), "sts"},
		{"several list validators", "", &two, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := &ValidatorsOptions{ProtocolName: tc.flag, Protocol: func(_ context.Context, name string) (protocol.Protocol, error) {
				if name == "" {
					name = tc.net.DefaultProtocol
				}
				desc, ok := all.Lookup(name)
				if !ok {
					return nil, errors.New("unknown protocol " + name)
				}
				addrs, ok := desc.Deployments[tc.net.Name]
				if !ok { // bnb on the made-up network: its devnet-bsc table
					addrs = desc.Deployments["devnet-bsc"]
				}
				return desc.New(protocol.Env{Network: tc.net.Name, Addresses: addrs, Backend: offline, Native: tc.net.Native()})
			}}
			p, err := pickProtocol(context.Background(), opts, tc.net)
			if tc.want == "" {
				var ee *cmdutil.ExitError
				if !errors.As(err, &ee) || ee.Code != cmdutil.ExitBadInput || !strings.Contains(err.Error(), "--protocol bnb or --protocol polygon") {
					t.Fatalf("err = %v, want exit 2 naming bnb and polygon", err)
				}
				return
			}
			if err != nil || p.Name() != tc.want {
				t.Fatalf("picked %v (%v), want %s", p, err, tc.want)
			}
		})
	}
}
