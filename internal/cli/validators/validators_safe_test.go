package validators

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/all"
)

// spoofing lists validators whose monikers and credit symbol (read from
// the chain) try to act on the terminal.
type spoofing struct{}

func (spoofing) Name() string                    { return "spoof" }
func (spoofing) DisplayName() string             { return "Spoof" }
func (spoofing) Tokens() protocol.Tokens         { return nil }
func (spoofing) Unstaking() protocol.UnstakeKind { return protocol.UnstakeInstant }
func (spoofing) Targets() protocol.TargetRule    { return protocol.TargetRequired }
func (spoofing) ABI() *abi.ABI                   { return &abi.ABI{} }
func (spoofing) Stake(context.Context, protocol.StakeRequest) ([]protocol.Call, error) {
	return nil, errors.New("not part of this test")
}
func (spoofing) Unstake(context.Context, protocol.UnstakeRequest) ([]protocol.Call, error) {
	return nil, errors.New("not part of this test")
}

const (
	osc8Moniker = "\x1b]8;;https://evil.example\x1b\\Binance\x1b]8;;\x1b\\"
	rloMoniker  = "Ankr\u202e%01 :noissimmoc"
	emojiName   = "Ξ Validatör 🚀"
)

func (spoofing) Validators(context.Context) ([]protocol.Validator, error) {
	credit := protocol.Token{Symbol: "st\x1b[8mX", Address: common.HexToAddress("0x1600000000000000000000000000000000000001"), Decimals: 18, Role: protocol.RoleCredit}
	return []protocol.Validator{
		{ID: "1", Moniker: osc8Moniker, Commission: "5", TotalStake: big.NewInt(1), Status: "active", Credit: &credit},
		{ID: "2", Moniker: rloMoniker, Commission: "5", TotalStake: big.NewInt(1), Status: "active"},
		{ID: "3", Moniker: emojiName, Commission: "5", TotalStake: big.NewInt(1), Status: "active"},
	}, nil
}

// TestValidatorsMonikersEscaped: the human table shows monikers and credit
// symbols with their control characters escaped (other characters as they
// are); --json carries them exactly as read, escaped as JSON.
func TestValidatorsMonikersEscaped(t *testing.T) {
	cfg, err := config.Load(filepath.Join(t.TempDir(), "none.toml"), all.Descriptors())
	if err != nil {
		t.Fatal(err)
	}
	net, err := cfg.Network("devnet")
	if err != nil {
		t.Fatal(err)
	}
	run := func(asJSON bool) string {
		ios, out, _ := iostreams.Test("")
		opts := &ValidatorsOptions{
			IO: ios, Network: func() (*config.Network, error) { return net, nil }, JSON: asJSON, ProtocolName: "spoof",
			Protocol: func(context.Context, string) (protocol.Protocol, error) { return spoofing{}, nil },
		}
		if err := Run(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}

	human := run(false)
	for _, want := range []string{
		`\x1b]8;;https://evil.example\x1b\Binance\x1b]8;;\x1b\`,
		`Ankr\u202e%01 :noissimmoc`,
		emojiName,
		`st\x1b[8mX 0x1600000000000000000000000000000000000001`,
	} {
		if !strings.Contains(human, want) {
			t.Errorf("table lacks %q:\n%s", want, human)
		}
	}
	if strings.ContainsAny(human, "\x1b\u202e") {
		t.Errorf("table holds a raw control character:\n%q", human)
	}

	doc := run(true)
	if strings.ContainsAny(doc, "\x1b\u202e") {
		t.Errorf("JSON holds a raw control character:\n%q", doc)
	}
	var res struct{ Validators []Validator }
	if err := json.Unmarshal([]byte(doc), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Validators) != 3 || res.Validators[0].Moniker != osc8Moniker || res.Validators[1].Moniker != rloMoniker ||
		res.Validators[2].Moniker != emojiName || res.Validators[0].CreditSymbol != "st\x1b[8mX" {
		t.Errorf("JSON rows are not the monikers as read: %+v", res.Validators)
	}
}
