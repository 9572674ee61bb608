package transfer

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/erc20"
)

// TestTransferPreviewEscapesSymbol: a token's symbol is read from its
// contract, which may put escape sequences in it (here: conceal the rest of
// the line, then a right-to-left override) to hide or reorder what the
// user confirms. The preview shows them escaped; --json keeps the symbol
// as read, escaped as JSON.
func TestTransferPreviewEscapesSymbol(t *testing.T) {
	const symbol = "USDC\x1b[8m\u202e"
	const shown = `USDC\x1b[8m\u202e`
	token := common.HexToAddress("0x00000000000000000000000000000000000E7117")
	setup := func(t *testing.T) *clitest.Env {
		e := clitest.NewEnv(t, "")
		e.Node.Handle(token, erc20.ABI, "symbol", func(*chaintest.Ctx, []any) ([]any, error) { return []any{symbol}, nil })
		e.Node.Handle(token, erc20.ABI, "decimals", func(*chaintest.Ctx, []any) ([]any, error) { return []any{uint8(6)}, nil })
		e.Node.Handle(token, erc20.ABI, "balanceOf", func(*chaintest.Ctx, []any) ([]any, error) { return []any{big.NewInt(5_000_000)}, nil })
		e.Node.Handle(token, erc20.ABI, "transfer", func(*chaintest.Ctx, []any) ([]any, error) { return []any{true}, nil })
		e.RemovePasswordFile(t) // a dry run never opens the key
		return e
	}

	e := setup(t)
	e.RunOK(t, transferCmd, "1.5", token.Hex(), "--to", e.Bob.Hex(), "--dry-run")
	out := e.Out.String()
	for _, want := range []string{
		"Transfer 1.5 " + shown + " to " + e.Bob.Hex() + "\n", // the title
		"1. Transfer 1.5 " + shown + " to " + e.Bob.Hex(),     // the step
		"amount     1.5 " + shown + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out+e.ErrOut.String(), "\x1b\u202e") {
		t.Errorf("output holds a raw control character:\n%q\n%q", out, e.ErrOut)
	}
	e.AssertNothingSent(t)

	e = setup(t)
	e.RunOK(t, transferCmd, "1.5", token.Hex(), "--to", e.Bob.Hex(), "--dry-run", "--json")
	if strings.ContainsAny(e.Out.String(), "\x1b\u202e") {
		t.Errorf("JSON holds a raw control character:\n%q", e.Out)
	}
	var d transferDoc
	if err := json.Unmarshal([]byte(e.Out.String()), &d); err != nil || d.Symbol != symbol {
		t.Errorf("JSON symbol %q (%v), want the symbol as read", d.Symbol, err)
	}
}
