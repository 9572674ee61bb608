// Package networks implements `stakewallet networks` and `stakewallet protocols`.
package networks

import (
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/pkg/chain"
)

// NewCmdNetworks returns the networks command.
func NewCmdNetworks(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "networks",
		Short:   "List configured networks: chain ID, RPC endpoints, protocols",
		Example: "  stakewallet networks\n  stakewallet networks --json",
		Args:    cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			var docs []map[string]any
			var rows [][]string
			for _, n := range cfg.Networks() {
				var protos []string
				contracts := map[string]map[string]string{}
				for p, addrs := range n.Protocols {
					protos = append(protos, p)
					contracts[p] = map[string]string{}
					for role, a := range addrs {
						contracts[p][role] = a.Hex()
					}
				}
				sort.Strings(protos)
				urls := make([]string, len(n.RPCURLs))
				for i, u := range n.RPCURLs {
					urls[i] = chain.Redact(u)
				}
				source := "built-in"
				if !n.Builtin {
					source = "config"
				}
				docs = append(docs, map[string]any{
					"name": n.Name, "chainId": n.ChainID, "rpcUrls": urls, "nativeSymbol": n.NativeSymbol,
					"defaultProtocol": n.DefaultProtocol, "protocols": contracts, "source": source,
					"default": n.Name == cfg.DefaultNetwork,
				})
				name := n.Name
				if n.Name == cfg.DefaultNetwork {
					name += " *"
				}
				rpc := strings.Join(urls, ", ")
				if rpc == "" {
					rpc = "(none: use --rpc-url)"
				}
				rows = append(rows, []string{name, strconv.FormatUint(n.ChainID, 10), strings.Join(protos, ", "), rpc, source})
			}
			if f.Flags.JSON {
				return output.JSON(f.IO.Out, map[string]any{"networks": docs, "config": cfg.Path})
			}
			output.Table(f.IO.Out, output.NewStyles(f.IO), []string{"NETWORK", "CHAIN ID", "PROTOCOLS", "RPC", "SOURCE"}, rows)
			return nil
		},
	}
}

// NewCmdProtocols returns the protocols command.
func NewCmdProtocols(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "protocols",
		Short: "List supported staking protocols and the networks they are on",
		Args:  cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			var docs []map[string]any
			var rows [][]string
			for _, name := range cfg.ProtocolNames() {
				var nets []string
				for _, n := range cfg.Networks() {
					if _, ok := n.Protocols[name]; ok {
						nets = append(nets, n.Name)
					}
				}
				d, _ := cfg.Protocol(name)
				docs = append(docs, map[string]any{"name": name, "networks": nets, "contracts": d.Roles})
				rows = append(rows, []string{name, strings.Join(nets, ", ")})
			}
			if f.Flags.JSON {
				return output.JSON(f.IO.Out, map[string]any{"protocols": docs})
			}
			output.Table(f.IO.Out, output.NewStyles(f.IO), []string{"PROTOCOL", "NETWORKS"}, rows)
			return nil
		},
	}
}
