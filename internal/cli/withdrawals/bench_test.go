package withdrawals

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/lidofake"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// BenchmarkWithdrawalsList: the list `withdrawals` makes for an owner with
// 1 to 1,000 claimable Lido requests, on the in-process fake node over
// loopback HTTP: a fresh client (chain-ID check included), the adapter
// bound to a Coalescer as the command binds it, the reads, and the JSON
// document. It reports the round trips per list beside the time.
func BenchmarkWithdrawalsList(b *testing.B) {
	owner, err := devkeys.TestAccount(0)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("requests=%d", n), func(b *testing.B) {
			node := chaintest.New(b, 1337)
			lf := lidofake.Install(node, lidofake.DevnetAddresses())
			for i := range n {
				lf.AddRequest(owner.Address, big.NewInt(1e17), i == n-1)
			}
			native := protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}
			node.ResetCounters()
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				c, err := chain.Dial(ctx, []string{node.URL()}, chain.Options{ChainID: 1337, LazyChainID: true})
				if err != nil {
					b.Fatal(err)
				}
				co := c.Coalesce()
				p, err := lido.New(protocol.Env{Network: "devnet", Addresses: lido.Deployments["devnet"], Backend: co, Native: native})
				if err != nil {
					b.Fatal(err)
				}
				var ws []protocol.Withdrawal
				errs := co.Run(ctx, func(ctx context.Context) error {
					var err error
					ws, err = p.(protocol.Requests).Withdrawals(ctx, owner.Address, nil)
					return err
				})
				if errs[0] != nil || len(ws) != n {
					b.Fatalf("%d requests, %v", len(ws), errs[0])
				}
				if err := json.NewEncoder(io.Discard).Encode(newListResult(withEstimates(ctx, nil, ws), native)); err != nil {
					b.Fatal(err)
				}
				c.Close()
				cancel()
			}
			b.ReportMetric(float64(node.Requests())/float64(b.N), "roundtrips/op")
		})
	}
}
