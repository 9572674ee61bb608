package txcmd_test

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/claim"
	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/restake"
	"github.com/stakewallet/stakewallet/internal/cli/stake"
	"github.com/stakewallet/stakewallet/internal/cli/transfer"
	"github.com/stakewallet/stakewallet/internal/cli/unstake"
	"github.com/stakewallet/stakewallet/internal/cli/wrap"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/lidofake"
	"github.com/stakewallet/stakewallet/pkg/erc20"
)

// approveDirect has Alice approve spender for 1000 stETH with a
// transaction of her own, outside the wallet: the "allowance is enough"
// case.
func approveDirect(t *testing.T, e *clitest.Env, spender common.Address) {
	t.Helper()
	ctx := context.Background()
	acct, err := devkeys.TestAccount(0)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ethclient.Dial(e.Node.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	nonce, err := ec.PendingNonceAt(ctx, acct.Address)
	if err != nil {
		t.Fatal(err)
	}
	data, err := erc20.ABI.Pack("approve", spender, clitest.Ether(1000))
	if err != nil {
		t.Fatal(err)
	}
	token := lidofake.DevnetAddresses().StETH
	tx, err := types.SignNewTx(acct.PrivateKey, types.LatestSignerForChainID(big.NewInt(1337)), &types.DynamicFeeTx{
		ChainID: big.NewInt(1337), Nonce: nonce, GasTipCap: big.NewInt(params.GWei), GasFeeCap: big.NewInt(10 * params.GWei),
		Gas: 100_000, To: &token, Data: data,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ec.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
}

// TestRoundTrips counts the JSON-RPC round trips (HTTP requests; a batch
// is one) of each sending command against the in-process fake node, which
// serves eth_sendRawTransactionSync like geth ≥ 1.16: one batch of reads
// before the first send, the send answered with the receipt, one more
// batch before a call that needed an earlier one mined.
func TestRoundTrips(t *testing.T) {
	queue, wst := lidofake.DevnetAddresses().Queue, lidofake.DevnetAddresses().WstETH
	tests := []struct {
		name     string
		setup    func(t *testing.T, e *clitest.Env)
		noSync   bool // the node answers eth_sendRawTransactionSync with "method not found"
		noCreate bool // the node runs no creation code in eth_call (no lens)
		cmd      func(*cmdutil.Factory) *cobra.Command
		args     func(e *clitest.Env) []string
		want     int
		sent     int // transactions
	}{
		{name: "stake", cmd: stakeCmd, args: fixed("1.5"), want: 2, sent: 1},
		{name: "unstake, approve needed", setup: mint, cmd: unstakeCmd, args: fixed("1"), want: 4, sent: 2},
		{name: "unstake, allowance enough", setup: func(t *testing.T, e *clitest.Env) { mint(t, e); approveDirect(t, e, queue) },
			cmd: unstakeCmd, args: fixed("1"), want: 2, sent: 1},
		// wstETH: the request's worth in stETH is a Check, not a read of
		// its own (amounts up to 500 wstETH go as one request).
		{name: "unstake wstETH, approve needed", setup: func(t *testing.T, e *clitest.Env) { e.Lido.MintWstETH(e.Alice, clitest.Ether(2)) },
			cmd: unstakeCmd, args: fixed("0.5", "--token", "wstETH"), want: 4, sent: 2},
		{name: "transfer", setup: mint, cmd: transferCmd, args: func(e *clitest.Env) []string { return []string{"0.5", "stETH", "--to", e.Bob.Hex()} }, want: 2, sent: 1},
		{name: "wrap, allowance enough", setup: func(t *testing.T, e *clitest.Env) { mint(t, e); approveDirect(t, e, wst) },
			cmd: wrapCmd, args: fixed("0.5"), want: 2, sent: 1},
		{name: "unwrap", setup: func(t *testing.T, e *clitest.Env) { e.Lido.MintWstETH(e.Alice, clitest.Ether(2)) },
			cmd: unwrapCmd, args: fixed("0.5"), want: 2, sent: 1},
		// The Lido queue's lens (ids, statuses, checkpoint hints and
		// claimable ETH in one eth_call) with the chain-ID check, then the
		// batch before the send and the send.
		{name: "claim", setup: func(t *testing.T, e *clitest.Env) { e.Lido.AddRequest(e.Alice, clitest.Ether(1), true) },
			cmd: claimCmd, args: fixed(), want: 3, sent: 1},
		// Without the lens: ids → (statuses, checkpoint hints) → claimable
		// ETH, three reads that depend on each other in Lido's ABI (the
		// first carries the lens, refused), then the batch and the send.
		{name: "claim, no lens", noCreate: true, setup: func(t *testing.T, e *clitest.Env) { e.Lido.AddRequest(e.Alice, clitest.Ether(1), true) },
			cmd: claimCmd, args: fixed(), want: 5, sent: 1},
		// restake: the nonces (nothing pending) with the lens, the claim's
		// batch and send, the balance and fees that size the stake, the
		// stake's two.
		{name: "restake", setup: func(t *testing.T, e *clitest.Env) { e.Lido.AddRequest(e.Alice, clitest.Ether(1), true) },
			cmd: restakeCmd, args: fixed(), want: 7, sent: 2},
		// Without eth_sendRawTransactionSync: the batch, the refused sync
		// send, the broadcast and one poll (receipt and head in a batch;
		// the fake node mines at once).
		{name: "stake, no sync send", noSync: true, cmd: stakeCmd, args: fixed("1.5"), want: 4, sent: 1},
		// The refusal is remembered for the command: the second send
		// goes straight to eth_sendRawTransaction.
		{name: "unstake, approve needed, no sync send", noSync: true, setup: mint, cmd: unstakeCmd, args: fixed("1"), want: 7, sent: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			if tt.setup != nil {
				tt.setup(t, e)
			}
			e.Node.SetSendSync(!tt.noSync)
			e.Node.SetCreate(!tt.noCreate)
			before := len(e.Node.Sent())
			e.Node.ResetCounters()
			e.RunOK(t, tt.cmd, append(tt.args(e), "--yes", "--json")...)
			calls := e.Node.Calls()
			t.Logf("%d round trips: %s", e.Node.Requests(), strings.Join(calls, " "))
			if got := e.Node.Requests(); got != tt.want {
				t.Errorf("%d round trips, want %d", got, tt.want)
			}
			if got := len(e.Node.Sent()) - before; got != tt.sent {
				t.Errorf("%d transactions sent, want %d", got, tt.sent)
			}
			syncs := 0
			for _, c := range calls {
				if c == "eth_sendRawTransactionSync" {
					syncs++
				}
			}
			if want := tt.sent; tt.noSync && syncs != 1 || !tt.noSync && syncs != want {
				t.Errorf("%d eth_sendRawTransactionSync calls (no sync: %v, %d sent)", syncs, tt.noSync, tt.sent)
			}
		})
	}
}

func fixed(args ...string) func(*clitest.Env) []string {
	return func(*clitest.Env) []string { return args }
}

func mint(t *testing.T, e *clitest.Env) { e.Lido.Mint(e.Alice, clitest.Ether(2)) }

func stakeCmd(f *cmdutil.Factory) *cobra.Command    { return stake.NewCmdStake(f, nil) }
func unstakeCmd(f *cmdutil.Factory) *cobra.Command  { return unstake.NewCmdUnstake(f, nil) }
func transferCmd(f *cmdutil.Factory) *cobra.Command { return transfer.NewCmdTransfer(f, nil) }
func wrapCmd(f *cmdutil.Factory) *cobra.Command     { return wrap.NewCmdWrap(f, nil) }
func unwrapCmd(f *cmdutil.Factory) *cobra.Command   { return wrap.NewCmdUnwrap(f, nil) }
func claimCmd(f *cmdutil.Factory) *cobra.Command    { return claim.NewCmdClaim(f, nil) }
func restakeCmd(f *cmdutil.Factory) *cobra.Command  { return restake.NewCmdRestake(f, nil) }
