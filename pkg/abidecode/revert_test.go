package abidecode

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
)

// testABI holds the WithdrawalQueue custom errors (lidofinance/core
// WithdrawalQueue*.sol) and one event; abidecode must not import lido, so
// the test carries its own copy.
const testABIJSON = `[
{"type":"error","name":"RequestAmountTooSmall","inputs":[{"name":"_amountOfStETH","type":"uint256"}]},
{"type":"error","name":"RequestAmountTooLarge","inputs":[{"name":"_amountOfStETH","type":"uint256"}]},
{"type":"error","name":"RequestIdsNotSorted","inputs":[]},
{"type":"error","name":"ZeroRecipient","inputs":[]},
{"type":"error","name":"ArraysLengthMismatch","inputs":[{"name":"_firstArrayLength","type":"uint256"},{"name":"_secondArrayLength","type":"uint256"}]},
{"type":"error","name":"NotOwner","inputs":[{"name":"_sender","type":"address"},{"name":"_owner","type":"address"}]},
{"type":"error","name":"InvalidRequestId","inputs":[{"name":"_requestId","type":"uint256"}]},
{"type":"error","name":"InvalidRequestIdRange","inputs":[{"name":"startId","type":"uint256"},{"name":"endId","type":"uint256"}]},
{"type":"error","name":"RequestNotFoundOrNotFinalized","inputs":[{"name":"_requestId","type":"uint256"}]},
{"type":"error","name":"NotEnoughEther","inputs":[]},
{"type":"error","name":"RequestAlreadyClaimed","inputs":[{"name":"_requestId","type":"uint256"}]},
{"type":"error","name":"InvalidHint","inputs":[{"name":"_hint","type":"uint256"}]},
{"type":"error","name":"CantSendValueRecipientMayHaveReverted","inputs":[]},
{"type":"error","name":"ResumedExpected","inputs":[]},
{"type":"error","name":"PausedExpected","inputs":[]},
{"type":"error","name":"StringTooLong","inputs":[{"name":"str","type":"string"}]},
{"type":"event","name":"WithdrawalRequested","anonymous":false,"inputs":[
 {"name":"requestId","type":"uint256","indexed":true},{"name":"requestor","type":"address","indexed":true},
 {"name":"owner","type":"address","indexed":true},{"name":"amountOfStETH","type":"uint256","indexed":false},
 {"name":"amountOfShares","type":"uint256","indexed":false}]}
]`

func testABI(t *testing.T) *abi.ABI {
	t.Helper()
	a, err := abi.JSON(strings.NewReader(testABIJSON))
	if err != nil {
		t.Fatal(err)
	}
	return &a
}

// Hand encoding, independent of go-ethereum's packer, so the tests check
// the decoder against the ABI spec rather than against itself.
func word(v uint64) string { return fmt.Sprintf("%064x", v) }

func wordBig(v *big.Int) string { return fmt.Sprintf("%064x", v) }

func wordAddr(a common.Address) string {
	return strings.Repeat("0", 24) + hex.EncodeToString(a.Bytes())
}

func wordString(s string) string {
	b := hex.EncodeToString([]byte(s))
	if pad := len(b) % 64; pad != 0 || len(b) == 0 {
		b += strings.Repeat("0", 64-pad)
	}
	return word(uint64(len(s))) + b
}

func hx(t *testing.T, parts ...string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(strings.Join(parts, ""), "0x"))
	if err != nil {
		t.Fatalf("bad test hex: %v", err)
	}
	return b
}

func TestDecodeRevert(t *testing.T) {
	a := testABI(t)
	alice := common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	bob := common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
	maxU256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	tests := []struct {
		name     string
		data     []byte
		wantName string
		wantMsg  string
	}{
		{"empty", nil, "", "reverted without a reason"},
		{"Error STAKE_LIMIT", hx(t, "08c379a0", word(32), wordString("STAKE_LIMIT")), "Error", "STAKE_LIMIT"},
		{"Error STAKING_PAUSED", hx(t, "08c379a0", word(32), wordString("STAKING_PAUSED")), "Error", "STAKING_PAUSED"},
		{"Error ALLOWANCE_EXCEEDED", hx(t, "08c379a0", word(32), wordString("ALLOWANCE_EXCEEDED")), "Error", "ALLOWANCE_EXCEEDED"},
		{"Error BALANCE_EXCEEDED", hx(t, "08c379a0", word(32), wordString("BALANCE_EXCEEDED")), "Error", "BALANCE_EXCEEDED"},
		{"Error ZERO_DEPOSIT", hx(t, "08c379a0", word(32), wordString("ZERO_DEPOSIT")), "Error", "ZERO_DEPOSIT"},
		{"Error long wstETH string", hx(t, "08c379a0", word(32), wordString("wstETH: can't wrap zero stETH")), "Error", "wstETH: can't wrap zero stETH"},
		{"Error empty string", hx(t, "08c379a0", word(32), word(0)), "Error", "reverted without a reason"},
		{"Panic assert", hx(t, "4e487b71", word(0x01)), "Panic", "panic: assertion failed (0x01)"},
		{"Panic overflow", hx(t, "4e487b71", word(0x11)), "Panic", "panic: arithmetic overflow or underflow (0x11)"},
		{"Panic div zero", hx(t, "4e487b71", word(0x12)), "Panic", "panic: division or modulo by zero (0x12)"},
		{"Panic enum", hx(t, "4e487b71", word(0x21)), "Panic", "panic: invalid enum value (0x21)"},
		{"Panic pop", hx(t, "4e487b71", word(0x31)), "Panic", "panic: pop on an empty array (0x31)"},
		{"Panic out of bounds", hx(t, "4e487b71", word(0x32)), "Panic", "panic: array index out of bounds (0x32)"},
		{"Panic memory", hx(t, "4e487b71", word(0x41)), "Panic", "panic: out of memory (0x41)"},
		{"Panic unknown", hx(t, "4e487b71", word(0x99)), "Panic", "panic: unknown panic code (0x99)"},
		{"Panic huge", hx(t, "4e487b71", wordBig(maxU256)), "Panic", "panic: unknown panic code (0x" + strings.Repeat("f", 64) + ")"},
		// Every WithdrawalQueue error of protocols.md §1.4, by its reference selector.
		{"RequestAmountTooSmall", hx(t, "b89b87c8", word(50)), "RequestAmountTooSmall", "RequestAmountTooSmall(amountOfStETH=50)"},
		{"RequestAmountTooLarge", hx(t, "8ebfb78d", wordBig(new(big.Int).Mul(big.NewInt(1001), big.NewInt(1e18)))), "RequestAmountTooLarge", "RequestAmountTooLarge(amountOfStETH=1001000000000000000000)"},
		{"RequestIdsNotSorted", hx(t, "374e8bd1"), "RequestIdsNotSorted", "RequestIdsNotSorted()"},
		{"ZeroRecipient", hx(t, "d27b4443"), "ZeroRecipient", "ZeroRecipient()"},
		{"ArraysLengthMismatch", hx(t, "4c59bf28", word(2), word(3)), "ArraysLengthMismatch", "ArraysLengthMismatch(firstArrayLength=2, secondArrayLength=3)"},
		{"NotOwner", hx(t, "23295f0e", wordAddr(alice), wordAddr(bob)), "NotOwner", "NotOwner(sender=" + alice.Hex() + ", owner=" + bob.Hex() + ")"},
		{"InvalidRequestId", hx(t, "c969e0f2", word(0)), "InvalidRequestId", "InvalidRequestId(requestId=0)"},
		{"InvalidRequestIdRange", hx(t, "71894257", word(5), word(3)), "InvalidRequestIdRange", "InvalidRequestIdRange(startId=5, endId=3)"},
		{"RequestNotFoundOrNotFinalized", hx(t, "4ae50228", word(7)), "RequestNotFoundOrNotFinalized", "RequestNotFoundOrNotFinalized(requestId=7)"},
		{"NotEnoughEther", hx(t, "8a0d3779"), "NotEnoughEther", "NotEnoughEther()"},
		{"RequestAlreadyClaimed", hx(t, "f0e0cc2d", word(3)), "RequestAlreadyClaimed", "RequestAlreadyClaimed(requestId=3)"},
		{"InvalidHint", hx(t, "cee778e2", word(0)), "InvalidHint", "InvalidHint(hint=0)"},
		{"CantSendValueRecipientMayHaveReverted", hx(t, "0f0b498d"), "CantSendValueRecipientMayHaveReverted", "CantSendValueRecipientMayHaveReverted()"},
		{"ResumedExpected", hx(t, "14378398"), "ResumedExpected", "ResumedExpected()"},
		{"PausedExpected", hx(t, "b047186b"), "PausedExpected", "PausedExpected()"},
		{"unknown selector", hx(t, "deadbeef"), "", "unknown error 0xdeadbeef"},
		{"unknown selector with data", hx(t, "deadbeef", "01"), "", "unknown error 0xdeadbeef with data 0x01"},
		// Malformed data must decode to something, never panic.
		{"too short", hx(t, "08c379"), "", "malformed revert data 0x08c379"},
		{"Error without body", hx(t, "08c379a0"), "Error", "malformed Error(string) revert 0x08c379a0"},
		{"Error bad offset", hx(t, "08c379a0", wordBig(maxU256)), "Error", "malformed Error(string) revert 0x08c379a0" + wordBig(maxU256)},
		{"Error length past end", hx(t, "08c379a0", word(32), word(1000), "41"), "Error", "malformed Error(string) revert 0x08c379a0" + word(32) + word(1000) + "41"},
		{"Panic short body", hx(t, "4e487b71", "11"), "Panic", "malformed Panic(uint256) revert 0x4e487b7111"},
		{"custom error missing args", hx(t, "4c59bf28", word(2)), "ArraysLengthMismatch", "ArraysLengthMismatch(<malformed arguments 0x" + word(2) + ">)"},
		{"custom error without args", hx(t, "b89b87c8"), "RequestAmountTooSmall", "RequestAmountTooSmall(<malformed arguments 0x>)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := DecodeRevert(tt.data, nil, a)
			if r.Name != tt.wantName || r.Message != tt.wantMsg {
				t.Errorf("got (%q, %q), want (%q, %q)", r.Name, r.Message, tt.wantName, tt.wantMsg)
			}
		})
	}
}

// TestDecodeRevertHostile feeds length words that would allocate or index
// far past the data; decoding must fail softly.
func TestDecodeRevertHostile(t *testing.T) {
	a := testABI(t)
	sel := hex.EncodeToString(a.Errors["StringTooLong"].ID.Bytes()[:4])
	huge := strings.Repeat("f", 64)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"string length 2^256-1", hx(t, sel, word(32), huge), "StringTooLong(<malformed arguments 0x" + word(32) + huge + ">)"},
		{"offset 2^256-1", hx(t, sel, huge), "StringTooLong(<malformed arguments 0x" + huge + ">)"},
		{"valid", hx(t, sel, word(32), wordString("x")), "StringTooLong(str=x)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DecodeRevert(tt.data, a).Message; got != tt.want {
				t.Errorf("message = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeRevertArgs(t *testing.T) {
	alice := common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	r := DecodeRevert(hx(t, "23295f0e", wordAddr(alice), wordAddr(common.Address{})), testABI(t))
	want := []NamedValue{
		{Name: "sender", Type: "address", Value: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"},
		{Name: "owner", Type: "address", Value: "0x0000000000000000000000000000000000000000"},
	}
	if len(r.Args) != len(want) {
		t.Fatalf("args = %+v", r.Args)
	}
	for i := range want {
		if r.Args[i] != want[i] {
			t.Errorf("arg %d = %+v, want %+v", i, r.Args[i], want[i])
		}
	}
	if got := DecodeRevert(hx(t, "08c379a0", word(32), wordString("STAKE_LIMIT"))).Reason(); got != "STAKE_LIMIT" {
		t.Errorf("Reason() = %q", got)
	}
	if got := DecodeRevert(hx(t, "f0e0cc2d", word(3)), testABI(t)).Reason(); got != "" {
		t.Errorf("Reason() of a custom error = %q, want empty", got)
	}
}

// dataErr mimics the error go-ethereum's rpc client returns.
type dataErr struct{ data any }

func (e dataErr) Error() string  { return "execution reverted" }
func (e dataErr) ErrorData() any { return e.data }

func TestRevertData(t *testing.T) {
	stakeLimit := "0x08c379a0" + word(32) + wordString("STAKE_LIMIT")
	tests := []struct {
		name   string
		err    error
		want   string // hex without 0x
		wantOK bool
	}{
		{"nil", nil, "", false},
		{"plain error", errors.New("connection refused"), "", false},
		{"hex string", dataErr{stakeLimit}, stakeLimit[2:], true},
		{"wrapped", fmt.Errorf("eth_call: %w", dataErr{stakeLimit}), stakeLimit[2:], true},
		{"empty revert", dataErr{"0x"}, "", true},
		{"prefixed", dataErr{"Reverted 0xb89b87c8"}, "b89b87c8", true},
		{"bytes", dataErr{[]byte{0xb8, 0x9b, 0x87, 0xc8}}, "b89b87c8", true},
		{"nested object", dataErr{map[string]any{"data": "0x4ae50228"}}, "4ae50228", true},
		{"not hex", dataErr{"0xzz"}, "", false},
		{"nil data", dataErr{nil}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := RevertData(tt.err)
			if ok != tt.wantOK || hex.EncodeToString(got) != tt.want {
				t.Errorf("RevertData = (%x, %v), want (%s, %v)", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// revertService answers every call with a revert, as a node does.
type revertService struct{}

type rpcRevert struct{ data string }

func (e rpcRevert) Error() string  { return "execution reverted" }
func (e rpcRevert) ErrorCode() int { return 3 }
func (e rpcRevert) ErrorData() any { return e.data }

func (revertService) Call() (string, error) {
	return "", rpcRevert{"0x4ae50228" + word(7)}
}

// TestRevertDataOverRPC checks extraction from the error type the real
// go-ethereum rpc client produces after a JSON round trip.
func TestRevertDataOverRPC(t *testing.T) {
	srv := rpc.NewServer()
	defer srv.Stop()
	if err := srv.RegisterName("eth", revertService{}); err != nil {
		t.Fatal(err)
	}
	c := rpc.DialInProc(srv)
	defer c.Close()
	var res string
	err := c.Call(&res, "eth_call")
	if err == nil {
		t.Fatal("expected an error")
	}
	r, ok := FromError(fmt.Errorf("estimate gas: %w", err), testABI(t))
	if !ok {
		t.Fatalf("no revert found in %v", err)
	}
	if r.Message != "RequestNotFoundOrNotFinalized(requestId=7)" {
		t.Errorf("message = %q", r.Message)
	}
}

func TestFromError(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		wantOK  bool
		wantMsg string
	}{
		{"nil", nil, false, ""},
		{"network", errors.New("dial tcp: connection refused"), false, ""},
		{"message only", errors.New("execution reverted: STAKE_LIMIT"), true, "STAKE_LIMIT"},
		{"message without reason", errors.New("execution reverted"), true, "reverted without a reason"},
		{"data wins", dataErr{"0x08c379a0" + word(32) + wordString("ZERO_DEPOSIT")}, true, "ZERO_DEPOSIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := FromError(tt.err)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v", ok)
			}
			if ok && r.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", r.Message, tt.wantMsg)
			}
		})
	}
}

func TestHuman(t *testing.T) {
	hints := Hints{
		"ALLOWANCE_EXCEEDED":            "approve first",
		"RequestNotFoundOrNotFinalized": "not claimable yet: run `stakewallet withdrawals wait`",
	}
	a := testABI(t)
	tests := []struct {
		name string
		r    *Revert
		want string
	}{
		{"nil", nil, ""},
		{"reason with hint", DecodeRevert(hx(t, "08c379a0", word(32), wordString("ALLOWANCE_EXCEEDED"))), "ALLOWANCE_EXCEEDED (approve first)"},
		{"custom with hint", DecodeRevert(hx(t, "4ae50228", word(7)), a), "RequestNotFoundOrNotFinalized(requestId=7) (not claimable yet: run `stakewallet withdrawals wait`)"},
		{"no hint", DecodeRevert(hx(t, "f0e0cc2d", word(3)), a), "RequestAlreadyClaimed(requestId=3)"},
		{"unknown", DecodeRevert(hx(t, "deadbeef")), "unknown error 0xdeadbeef"},
		{"empty", DecodeRevert(nil), "reverted without a reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Human(tt.r, nil, hints); got != tt.want {
				t.Errorf("Human = %q, want %q", got, tt.want)
			}
		})
	}
}
