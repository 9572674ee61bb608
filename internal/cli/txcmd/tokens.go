package txcmd

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Protocols binds every protocol configured on the network, in name order.
func Protocols(ctx context.Context, d Deps) ([]protocol.Protocol, error) {
	n, err := d.Network()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(n.Protocols))
	for name := range n.Protocols {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []protocol.Protocol
	for _, name := range names {
		p, err := d.Protocol(ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// FindToken resolves a token given as a symbol among ps's tokens
// (case-insensitive) or as an address (read on-chain).
func FindToken(ctx context.Context, c erc20.Caller, ps []protocol.Protocol, ref string) (protocol.Token, protocol.Protocol, error) {
	if strings.HasPrefix(ref, "0x") || strings.HasPrefix(ref, "0X") {
		addr, err := cmdutil.ParseAddress("token", ref)
		if err != nil {
			return protocol.Token{}, nil, err
		}
		for _, p := range ps {
			for _, t := range p.Tokens() {
				if t.Address == addr {
					return t, p, nil
				}
			}
		}
		t, err := erc20.Metadata(ctx, c, addr)
		if err != nil {
			return protocol.Token{}, nil, cmdutil.BadInput(err)
		}
		return t, nil, nil
	}
	var known []string
	for _, p := range ps {
		for _, t := range p.Tokens() {
			if strings.EqualFold(t.Symbol, ref) {
				return t, p, nil
			}
			known = append(known, t.Symbol)
		}
	}
	return protocol.Token{}, nil, cmdutil.BadInputf("unknown token %q on this network (known: %s); give a symbol or a contract address", ref, strings.Join(known, ", "))
}

// ParseTokenAmount parses AMOUNT for token t; "all" (when allowAll) is the
// owner's whole balance.
func ParseTokenAmount(ctx context.Context, c erc20.Caller, s string, t protocol.Token, owner common.Address, allowAll bool) (*big.Int, error) {
	if allowAll && s == "all" {
		bal, err := erc20.BalanceOf(ctx, c, t.Address, owner)
		if err != nil {
			return nil, err
		}
		if bal.Sign() == 0 {
			return nil, cmdutil.BadInputf("%s has no %s", owner.Hex(), t.Symbol)
		}
		return bal, nil
	}
	v, err := amount.ParsePositive(s, t.Decimals)
	if err != nil {
		return nil, cmdutil.BadInput(fmt.Errorf("%w (%s has %d decimals)", err, t.Symbol, t.Decimals))
	}
	return v, nil
}
