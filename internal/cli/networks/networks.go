// Package networks implements `stakewallet networks` and `stakewallet protocols`.
package networks

import (
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/chain"
)

// NetworksOptions are the inputs of `networks`.
type NetworksOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	JSON   bool
}

// NewCmdNetworks returns the networks command; runF replaces its body in
// tests.
func NewCmdNetworks(f *cmdutil.Factory, runF func(*NetworksOptions) error) *cobra.Command {
	opts := &NetworksOptions{IO: f.IO, Config: f.Config}
	return &cobra.Command{
		Use:     "networks",
		Short:   "List configured networks: chain ID, RPC endpoints, protocols",
		Example: "  stakewallet networks\n  stakewallet networks --json",
		Args:    cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return networksRun(opts)
		},
	}
}

// NetworksResult is `networks`.
type NetworksResult struct {
	Networks []Network `json:"networks"`
	// Config is the config file consulted (it need not exist).
	Config string `json:"config"`
}

// Network is one network of `networks`.
type Network struct {
	Name    string `json:"name"`
	ChainID uint64 `json:"chainId"`
	// RPCURLs have their credentials masked (chain.Redact): the output
	// ends up in issues and CI logs.
	RPCURLs         []string `json:"rpcUrls"`
	NativeSymbol    string   `json:"nativeSymbol"`
	DefaultProtocol string   `json:"defaultProtocol"`
	// Protocols maps a protocol to its contracts here, role → address.
	Protocols map[string]map[string]string `json:"protocols"`
	// Source is "built-in" or "config" (defined only in the config file).
	Source  string `json:"source"`
	Default bool   `json:"default"`
}

// RenderHuman implements output.Human.
func (r *NetworksResult) RenderHuman(w io.Writer, st output.Styles) {
	rows := make([][]string, len(r.Networks))
	for i, n := range r.Networks {
		protos := make([]string, 0, len(n.Protocols))
		for p := range n.Protocols {
			protos = append(protos, p)
		}
		sort.Strings(protos)
		name := n.Name
		if n.Default {
			name += " *"
		}
		rpc := strings.Join(n.RPCURLs, ", ")
		if rpc == "" {
			rpc = "(none: use --rpc-url)"
		}
		rows[i] = []string{name, strconv.FormatUint(n.ChainID, 10), strings.Join(protos, ", "), rpc, n.Source}
	}
	output.Table(w, st, []string{"NETWORK", "CHAIN ID", "PROTOCOLS", "RPC", "SOURCE"}, rows)
}

func networksRun(opts *NetworksOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	res := &NetworksResult{Networks: []Network{}, Config: cfg.Path}
	for _, n := range cfg.Networks() {
		contracts := map[string]map[string]string{}
		for p, addrs := range n.Protocols {
			contracts[p] = map[string]string{}
			for role, a := range addrs {
				contracts[p][role] = a.Hex()
			}
		}
		urls := make([]string, len(n.RPCURLs))
		for i, u := range n.RPCURLs {
			urls[i] = chain.Redact(u)
		}
		source := "built-in"
		if !n.Builtin {
			source = "config"
		}
		res.Networks = append(res.Networks, Network{
			Name: n.Name, ChainID: n.ChainID, RPCURLs: urls, NativeSymbol: n.NativeSymbol,
			DefaultProtocol: n.DefaultProtocol, Protocols: contracts, Source: source,
			Default: n.Name == cfg.DefaultNetwork,
		})
	}
	return output.Print(opts.IO, opts.JSON, res)
}
