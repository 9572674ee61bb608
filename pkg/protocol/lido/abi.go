package lido

import (
	"embed"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts/abi"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// The ABIs are hand-written from lidofinance/core (see
// shared/reference/protocols.md §1) rather than generated, so that only
// what the client uses is there and every signature is checked against
// the reference selectors in abi_test.go. They are the real contracts'
// ABIs: the same code runs against mainnet and the devnet models.
//
//go:embed abi/*.json
var abiFiles embed.FS

// contractABIs holds one parsed ABI per contract (calls must be packed
// with the ABI of the contract they go to: stETH, wstETH and the queue
// all have an approve) and their union for decoding.
type contractABIs struct {
	stETH, wstETH, queue, locator *abi.ABI
	merged                        *abi.ABI
}

func loadABIs() (*contractABIs, error) {
	var c contractABIs
	for _, f := range []struct {
		file string
		dst  **abi.ABI
	}{
		{"steth.json", &c.stETH},
		{"wsteth.json", &c.wstETH},
		{"withdrawal_queue.json", &c.queue},
		{"locator.json", &c.locator},
	} {
		a, err := protocol.ReadABI(abiFiles, "abi/"+f.file)
		if err != nil {
			return nil, fmt.Errorf("lido: %w", err)
		}
		*f.dst = a
	}
	c.merged = protocol.MergeABIs(c.stETH, c.wstETH, c.queue, c.locator)
	return &c, nil
}
