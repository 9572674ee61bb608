package savax

import (
	"bytes"
	"context"
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// Selectors and topics as staking-systems.md §4.2/§4.3 lists them (read in
// Benqi-fi/BENQI-Smart-Contracts@e0cfd24), not computed from our ABI.
var wantSelectors = map[string]string{
	"submit()":                                            "5bcb2fc6",
	"requestUnlock(uint256)":                              "c9d2ff9d",
	"redeem()":                                            "be040fb0",
	"redeem(uint256)":                                     "db006a75",
	"redeemOverdueShares()":                               "0d10d32c",
	"redeemOverdueShares(uint256)":                        "0f7e2048",
	"cancelUnlockRequest(uint256)":                        "1610247b",
	"cancelPendingUnlockRequests()":                       "01550f64",
	"cancelRedeemableUnlockRequests()":                    "d1f1ca04",
	"getUnlockRequestCount(address)":                      "c423f9a8",
	"userUnlockRequests(address,uint256)":                 "fd012e34",
	"getPaginatedUnlockRequests(address,uint256,uint256)": "f2ab8cd2",
	"userSharesInCustody(address)":                        "5d039525",
	"cooldownPeriod()":                                    "04646a49",
	"redeemPeriod()":                                      "40a233a6",
	"getPooledAvaxByShares(uint256)":                      "4a36d6c1",
	"getSharesByPooledAvax(uint256)":                      "f1ee8d92",
	"totalPooledAvax()":                                   "629e8056",
	"totalShares()":                                       "3a98ef39",
	"totalPooledAvaxCap()":                                "5cd47487",
	"mintingPaused()":                                     "e1a283d6",
	"paused()":                                            "5c975abb",
	"transfer(address,uint256)":                           "a9059cbb",
	"balanceOf(address)":                                  "70a08231",
}

var wantTopics = map[string]string{
	"Submitted":             "bb0070894135d02edfa550b04d7e5e141aa8090b46e57597ad45bfedd6554498",
	"UnlockRequested":       "d843ce9ef55b27026be6c5e44e9f58097e0ebfa0d9d2d5823cb8ffa779585170",
	"UnlockCancelled":       "7e4a9502fd577f76f1dc8c9c8f63196816f7c1bd73c6db99f888e8d7bb2f8998",
	"Redeem":                "bd5034ffbd47e4e72a94baa2cdb74c6fad73cb3bcdc13036b72ec8306f5a7646",
	"RedeemOverdueShares":   "eaca243f6502ade1b9ea0909306c290366d6ea6778ca407ca4415c4a0f45e353",
	"AccrueRewards":         "8fbf6a230d02fb8f41af8c1ca90b126472e11286c47d7ed86bb2e1fc51a283d8",
	"CooldownPeriodUpdated": "98eaabfe135a9c40c420208962bf81e7926b4d6df3e23502164c0554b7b35224",
	"RedeemPeriodUpdated":   "13cca15637be33d4651625caf09528168b20c132463c69ab5c0ff48b3e639117",
	"Paused":                "62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258",
	"Unpaused":              "5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa",
	"MintingPaused":         "35365f539a67058ad0735a24a50fe45b0ee05207919e9f4a2f60d855f55e0c0e",
	"Transfer":              "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
}

func TestSelectors(t *testing.T) {
	a, err := ABI()
	if err != nil {
		t.Fatal(err)
	}
	for sig, want := range wantSelectors {
		t.Run(sig, func(t *testing.T) {
			data, err := pack(a, sig, argsFor(sig)...)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(data[:4]); got != want {
				t.Errorf("selector of %s = %s, want %s", sig, got, want)
			}
		})
	}
	for name, want := range wantTopics {
		ev, ok := a.Events[name]
		if !ok {
			t.Errorf("event %s missing from the ABI", name)
			continue
		}
		if got := hex.EncodeToString(ev.ID[:]); got != want {
			t.Errorf("topic of %s = %s, want %s", ev.Sig, got, want)
		}
	}
}

// argsFor makes zero arguments of the types in sig.
func argsFor(sig string) []any {
	var args []any
	inner := sig[bytes.IndexByte([]byte(sig), '(')+1 : len(sig)-1]
	if inner == "" {
		return nil
	}
	for _, typ := range bytes.Split([]byte(inner), []byte(",")) {
		switch string(typ) {
		case "address":
			args = append(args, common.Address{})
		default:
			args = append(args, new(big.Int))
		}
	}
	return args
}

// TestCalldata checks what the adapter builds byte for byte: selector and
// arguments, for every call it returns.
func TestCalldata(t *testing.T) {
	s := testAdapter(t)
	owner := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	stake, err := s.Stake(context.Background(), protocol.StakeRequest{From: owner, Amount: big.NewInt(5e18)})
	if err != nil {
		t.Fatal(err)
	}
	unstake, err := s.Unstake(context.Background(), protocol.UnstakeRequest{Owner: owner, Amount: big.NewInt(3), Token: s.sAVAX()})
	if err != nil {
		t.Fatal(err)
	}
	word := func(n int64) string { return hex.EncodeToString(common.LeftPadBytes(big.NewInt(n).Bytes(), 32)) }
	for _, c := range []struct {
		name      string
		call      protocol.Call
		wantData  string
		wantValue *big.Int
	}{
		{"submit", stake[0], "5bcb2fc6", big.NewInt(5e18)},
		{"requestUnlock", unstake[0], "c9d2ff9d" + word(3), nil},
	} {
		if got := hex.EncodeToString(c.call.Data); got != c.wantData {
			t.Errorf("%s data = %s, want %s", c.name, got, c.wantData)
		}
		if (c.call.Value == nil) != (c.wantValue == nil) || (c.wantValue != nil && c.call.Value.Cmp(c.wantValue) != 0) {
			t.Errorf("%s value = %v, want %v", c.name, c.call.Value, c.wantValue)
		}
		if c.call.To != s.token {
			t.Errorf("%s goes to %s, want the sAVAX contract", c.name, c.call.To.Hex())
		}
	}
	// The checks read paused(), mintingPaused(), the totals and the cap
	// for submit, and paused() and balanceOf(owner) for requestUnlock.
	wantReads := map[string][]string{
		"submit":        {"5c975abb", "e1a283d6", "629e8056", "3a98ef39", "5cd47487"},
		"requestUnlock": {"5c975abb", "70a08231" + hex.EncodeToString(common.LeftPadBytes(owner.Bytes(), 32))},
	}
	for _, c := range append(stake, unstake...) {
		var got []string
		for _, ch := range c.Checks {
			got = append(got, hex.EncodeToString(ch.Msg.Data))
		}
		want := wantReads[map[string]string{"stake": "submit", "requestUnlock": "requestUnlock"}[c.Action]]
		if len(got) != len(want) {
			t.Fatalf("%s checks read %v, want %v", c.Action, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s check %d reads %s, want %s", c.Action, i, got[i], want[i])
			}
		}
	}

	// Claims: redeem(uint256) and redeemOverdueShares(uint256) by index.
	snap := &snapshot{cooldown: 10, redeem: 20, now: unix(1000)}
	list := []unlockRequest{
		{idx: 0, startedAt: 100, shares: big.NewInt(7)},                         // expired
		{idx: 1, startedAt: 985, shares: big.NewInt(9), rate: big.NewInt(2e18)}, // claimable
	}
	calls, err := s.claimCalls(snap, keysOf(list), list)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Fatalf("%d claim calls, want 2", len(calls))
	}
	if got, want := hex.EncodeToString(calls[0].Data), "db006a75"+word(1); got != want {
		t.Errorf("first claim call = %s, want redeem(1) %s", got, want)
	}
	if got, want := hex.EncodeToString(calls[1].Data), "0f7e2048"+word(0); got != want {
		t.Errorf("second claim call = %s, want redeemOverdueShares(0) %s", got, want)
	}
	if calls[0].Amount.Cmp(big.NewInt(18)) != 0 || !calls[0].Token.IsNative() {
		t.Errorf("redeem pays %v %s, want 18 wei of the native coin", calls[0].Amount, calls[0].Token.Symbol)
	}
	if calls[1].Amount.Cmp(big.NewInt(7)) != 0 || calls[1].Token.Symbol != "sAVAX" {
		t.Errorf("overdue returns %v %s, want 7 sAVAX wei", calls[1].Amount, calls[1].Token.Symbol)
	}
}
