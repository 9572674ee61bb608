package ledgerbackend

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	"github.com/stakewallet/stakewallet/pkg/signer"
	ledgersigner "github.com/stakewallet/stakewallet/pkg/signer/ledger"
)

var (
	account0 = common.HexToAddress("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
	someone  = common.HexToAddress("0x1100000000000000000000000000000000000009")
	// stETH on mainnet, which has an ERC-20 descriptor.
	steth = common.HexToAddress("0xae7ab96520DE3A18E5e111B5EaAb095312D7fE84")
)

func TestEventsWithoutTerminal(t *testing.T) {
	tests := []struct {
		name   string
		events []ledgerapp.Event
		want   string
	}{
		{"review is one line", []ledgerapp.Event{{Kind: ledgerapp.EventReview, Message: ledgerapp.MsgReview}, {Kind: ledgerapp.EventDone}},
			ledgerapp.MsgReview + "\n"},
		{"review without text", []ledgerapp.Event{{Kind: ledgerapp.EventReview}}, ledgerapp.MsgReview + "\n"},
		{"verify address", []ledgerapp.Event{{Kind: ledgerapp.EventVerifyAddress, Message: ledgerapp.MsgVerifyAddress}, {Kind: ledgerapp.EventDone}},
			ledgerapp.MsgVerifyAddress + "\n"},
		{"blind notice then review", []ledgerapp.Event{{Kind: ledgerapp.EventBlindSigning, Message: ledgerapp.MsgBlindSignNotice}, {Kind: ledgerapp.EventReview, Message: ledgerapp.MsgReview}},
			"Note: " + ledgerapp.MsgBlindSignNotice + "\n" + ledgerapp.MsgReview + "\n"},
		{"clear notice", []ledgerapp.Event{{Kind: ledgerapp.EventClearSigning, Message: "The Ledger will show the stETH amount and recipient"}},
			"Note: The Ledger will show the stETH amount and recipient\n"},
		{"done alone prints nothing", []ledgerapp.Event{{Kind: ledgerapp.EventDone}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, out, errOut := iostreams.Test("")
			b := New(io)
			for _, e := range tt.events {
				b.onEvent(e)
			}
			if errOut.String() != tt.want {
				t.Errorf("stderr %q, want %q", errOut.String(), tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q: events belong on stderr", out.String())
			}
		})
	}
}

func TestReviewSpinnerOnTerminal(t *testing.T) {
	io, _, errOut := iostreams.Test("")
	io.SetTTY(false, false, true)
	b := New(io)
	b.onEvent(ledgerapp.Event{Kind: ledgerapp.EventReview, Message: ledgerapp.MsgReview})
	time.Sleep(20 * time.Millisecond) // let the spinner draw once
	b.onEvent(ledgerapp.Event{Kind: ledgerapp.EventDone})
	got := errOut.String()
	if !strings.Contains(got, ledgerapp.MsgReview) {
		t.Errorf("spinner never showed the prompt: %q", got)
	}
	if strings.Contains(got, ledgerapp.MsgReview+"\n") {
		t.Errorf("on a terminal the prompt is a spinner, not a line: %q", got)
	}
	if !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("EventDone did not clear the spinner: %q", got)
	}
}

func TestNote(t *testing.T) {
	call := func(to *common.Address, data []byte) *types.Transaction {
		return types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), To: to, Value: big.NewInt(1), Data: data})
	}
	transfer := append(common.FromHex("0xa9059cbb"), make([]byte, 64)...)
	tests := []struct {
		name  string
		tx    *types.Transaction
		chain int64
		want  []string
	}{
		{"plain transfer", call(&someone, nil), 1, []string{"clear-signed", "recipient and amount"}},
		{"known token", call(&steth, transfer), 1, []string{"clear-signed", "stETH amount"}},
		{"token unknown on this chain", call(&steth, transfer), 1337, []string{"blind-signed", "0xa9059cbb", `"Blind signing" must be on`}},
		{"lido submit", call(&someone, append(common.FromHex("0xa1903eab"), make([]byte, 32)...)), 1, []string{"blind-signed", "0xa1903eab"}},
		{"deployment", call(nil, []byte{0x60, 0x80}), 1, []string{"blind-signed", "deployment"}},
		{"short data", call(&someone, []byte{1}), 1, []string{"blind-signed", "call data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Note(ledgerapp.Plan(tt.tx, big.NewInt(tt.chain)), tt.tx)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("note %q lacks %q", got, w)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name, ref, transport string
		is                   error
		exit                 int
	}{
		{"bad ref", "ledger:x", "tcp://127.0.0.1:1", ledgersigner.ErrBadRef, 0},
		{"bad ref before transport", "ledger:-1", "usb://nope", ledgersigner.ErrBadRef, 0},
		{"bad transport", "ledger", "usb://ledger", nil, cmdutil.ExitBadInput},
		{"nobody listening", "ledger", "tcp://127.0.0.1:1", signer.ErrUnavailable, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			io, _, _ := iostreams.Test("")
			_, err := New(io).Open(context.Background(), tt.ref, tt.transport)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("%v is not %v", err, tt.is)
			}
			var ee *cmdutil.ExitError
			if tt.exit != 0 && (!errors.As(err, &ee) || ee.Code != tt.exit) {
				t.Errorf("%v: want exit %d", err, tt.exit)
			}
		})
	}
}

func TestOpenSignsAndNotes(t *testing.T) {
	emu, err := ledgeremu.New(ledgeremu.Options{BlindSigning: true})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr, err := emu.ServeTCP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	io, _, errOut := iostreams.Test("")
	sg, err := New(io).Open(ctx, "ledger", "tcp://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sg.(signer.Closer).Close()
	if sg.Address() != account0 {
		t.Fatalf("address %s", sg.Address().Hex())
	}
	// The preview finds the note through txcmd's interface.
	noter, ok := sg.(txcmd.SigningNoter)
	if !ok {
		t.Fatal("the Ledger signer does not implement txcmd.SigningNoter")
	}
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 21000, To: &someone, Value: big.NewInt(1)})
	if note := noter.SigningNote(tx, big.NewInt(1337)); !strings.HasPrefix(note, "clear-signed") {
		t.Errorf("note %q for a plain transfer", note)
	}
	signed, err := sg.SignTx(ctx, tx, big.NewInt(1337))
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.VerifySender(signed, big.NewInt(1337), account0); err != nil {
		t.Error(err)
	}
	if !strings.Contains(errOut.String(), ledgerapp.MsgReview) {
		t.Errorf("no review prompt on stderr: %q", errOut.String())
	}
}
