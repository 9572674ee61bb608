package txflow

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// queueWithPermit is the shape of Lido's requestWithdrawalsWithPermit.
const queueWithPermit = `[{"type":"function","name":"requestWithdrawalsWithPermit","stateMutability":"nonpayable","inputs":[
 {"name":"_amounts","type":"uint256[]"},{"name":"_owner","type":"address"},
 {"name":"_permit","type":"tuple","components":[{"name":"value","type":"uint256"},{"name":"deadline","type":"uint256"},{"name":"v","type":"uint8"},{"name":"r","type":"bytes32"},{"name":"s","type":"bytes32"}]}],
 "outputs":[{"name":"requestIds","type":"uint256[]"}]}]`

var (
	permitOwner   = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	permitSpender = common.HexToAddress("0x1100000000000000000000000000000000000003")
)

func testPermitStep(t *testing.T, value, deadline *big.Int) *PermitStep {
	t.Helper()
	a, err := abi.JSON(strings.NewReader(queueWithPermit))
	if err != nil {
		t.Fatal(err)
	}
	type in struct {
		Value, Deadline *big.Int
		V               uint8
		R, S            [32]byte
	}
	req := &protocol.PermitRequest{
		Spender: permitSpender, Value: value,
		Build: func(d *big.Int, sig []byte) ([]byte, error) {
			p := in{Value: value, Deadline: d, V: sig[64]}
			copy(p.R[:], sig[:32])
			copy(p.S[:], sig[32:64])
			return a.Pack("requestWithdrawalsWithPermit", []*big.Int{value, big.NewInt(7)}, permitOwner, p)
		},
	}
	return &PermitStep{Request: req, Deadline: deadline}
}

func permitData(owner, spender common.Address, value, deadline int64, primary string) apitypes.TypedData {
	return apitypes.TypedData{
		PrimaryType: primary,
		Message: apitypes.TypedDataMessage{
			"owner": owner.Hex(), "spender": spender.Hex(),
			"value": math.NewHexOrDecimal256(value), "deadline": math.NewHexOrDecimal256(deadline), "nonce": math.NewHexOrDecimal256(0),
		},
	}
}

// TestPermitWords: the signature words of a PermitInput tuple after a
// dynamic array's offset and an address: selector (4) + 4 head words.
func TestPermitWords(t *testing.T) {
	p := testPermitStep(t, big.NewInt(5e17), big.NewInt(1_900_000_000))
	v, r, s, err := PermitWords(p)
	if err != nil {
		t.Fatal(err)
	}
	if v != 4+4*32 || r != v+32 || s != r+32 {
		t.Errorf("words v %d r %d s %d, want 132 164 196", v, r, s)
	}
}

// TestCheckPermitCall: typed data that is not the permit the calldata
// carries is refused.
func TestCheckPermitCall(t *testing.T) {
	value, deadline := int64(5e17), int64(1_900_000_000)
	p := testPermitStep(t, big.NewInt(value), big.NewInt(deadline))
	data, err := p.Request.Build(p.Deadline, make([]byte, 65))
	if err != nil {
		t.Fatal(err)
	}
	v, _, _, err := PermitWords(p)
	if err != nil {
		t.Fatal(err)
	}
	other := common.HexToAddress("0x2200000000000000000000000000000000000002")
	tests := []struct {
		name    string
		td      apitypes.TypedData
		wantErr string
	}{
		{"the permit it carries", permitData(permitOwner, permitSpender, value, deadline, "Permit"), ""},
		{"another owner", permitData(other, permitSpender, value, deadline, "Permit"), "owner"},
		{"another spender", permitData(permitOwner, other, value, deadline, "Permit"), "spend"},
		{"another value", permitData(permitOwner, permitSpender, value+1, deadline, "Permit"), "value"},
		{"another deadline", permitData(permitOwner, permitSpender, value, deadline+1, "Permit"), "deadline"},
		{"not a permit", permitData(permitOwner, permitSpender, value, deadline, "Mail"), "Permit"},
	}
	for _, tt := range tests {
		err := CheckPermitCall(tt.td, permitOwner, permitSpender, data, v)
		if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

// TestPermitClock: the deadline counts from the latest of the latest
// block, the pending block and this clock.
func TestPermitClock(t *testing.T) {
	now := uint64(time.Now().Unix())
	future, past := now+86400, now-86400
	tests := []struct {
		name            string
		latest, pending uint64
		pendingOK       bool
		atLeast, atMost uint64
	}{
		{"chain clock moved ahead (pending block)", past, future, true, future, future},
		{"chain ahead of this clock", future, future, true, future, future},
		{"no pending block: latest or now", past, 0, false, now, now + 5},
		{"pending read failed", past, future, false, now, now + 5},
	}
	for _, tt := range tests {
		var pending *types.Header
		if tt.pending != 0 {
			pending = &types.Header{Time: tt.pending}
		}
		got := permitClock(&types.Header{Time: tt.latest}, pending, tt.pendingOK)
		if got < tt.atLeast || got > tt.atMost {
			t.Errorf("%s: %d, want in [%d, %d]", tt.name, got, tt.atLeast, tt.atMost)
		}
	}
}
