package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
)

// TestSafe: what a terminal would act on is shown as a visible escape;
// everything else, any script or emoji included, passes unchanged.
func TestSafe(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII", "Binance Staking", "Binance Staking"},
		{"empty", "", ""},
		{"ether sign", "Ξ", "Ξ"},
		{"umlaut", "Gößling Validatör", "Gößling Validatör"},
		{"CJK", "验证者", "验证者"},
		{"emoji", "🚀 Moon 🌕", "🚀 Moon 🌕"},
		{"emoji ZWJ sequence", "👩‍💻 dev", "👩‍💻 dev"},
		{"flag", "🇨🇭", "🇨🇭"},
		{"backslash kept", `a\b`, `a\b`},
		{"ESC", "a\x1bb", `a\x1bb`},
		{"CSI colour", "\x1b[31mRED\x1b[0m", `\x1b[31mRED\x1b[0m`},
		{"CSI cursor up and erase", "ok\x1b[1A\x1b[2K", `ok\x1b[1A\x1b[2K`},
		{"OSC 8 link", "\x1b]8;;https://evil.example\x1b\\Lido\x1b]8;;\x1b\\", `\x1b]8;;https://evil.example\x1b\Lido\x1b]8;;\x1b\`},
		{"OSC title with BEL", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"BEL", "ding\x07", `ding\x07`},
		{"carriage return", "1 ETH\r1000 ETH", `1 ETH\x0d1000 ETH`},
		{"backspace", "stETH\b\b\b\b\bwstETH", `stETH\x08\x08\x08\x08\x08wstETH`},
		{"newline", "a\nb", `a\x0ab`},
		{"tab", "a\tb", `a\x09b`},
		{"NUL", "a\x00b", `a\x00b`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI as a character", "a\u009b31mb", `a\u009b31mb`},
		{"C1 NEL", "a\u0085b", `a\u0085b`},
		{"raw C1 byte (no UTF-8)", "a\x9b31mb", `a\x9b31mb`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"RLO", "Lido\u202eHTE 1", `Lido\u202eHTE 1`},
		{"LRE to PDF", "\u202a\u202b\u202c\u202d", `\u202a\u202b\u202c\u202d`},
		{"LRI", "x\u2066y\u2069", `x\u2066y\u2069`},
		{"RLI FSI", "\u2067\u2068", `\u2067\u2068`},
		{"LRM RLM ALM", "\u200e\u200f\u061c", `\u200e\u200f\u061c`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"mixed", "Ξ\x1b[8mhidden\u202e🚀", `Ξ\x1b[8mhidden\u202e🚀`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Safe(tt.in)
			if got != tt.want {
				t.Errorf("Safe(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Safe(got); again != got {
				t.Errorf("Safe is not idempotent: Safe(%q) = %q", got, again)
			}
			if firstUnsafe(got, false) >= 0 || !utf8.ValidString(got) {
				t.Errorf("Safe(%q) = %q still holds a control character or invalid UTF-8", tt.in, got)
			}
		})
	}
}

// TestSafeLines: a message of several lines keeps its newlines and tabs,
// and loses everything else Safe escapes.
func TestSafeLines(t *testing.T) {
	tests := []struct{ in, want string }{
		{"first\nsecond", "first\nsecond"},
		{"a\tb", "a\tb"},
		{"reverted: \x1b[2Kok\rfine", `reverted: \x1b[2Kok\x0dfine`},
		{"x\u202ey\n\x07", "x\\u202ey\n\\x07"},
	}
	for _, tt := range tests {
		if got := SafeLines(tt.in); got != tt.want {
			t.Errorf("SafeLines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSafeKeepsPlainStrings: a string with nothing to escape is returned
// as it is, without a copy.
func TestSafeKeepsPlainStrings(t *testing.T) {
	s := strings.Repeat("Validator Ξ 🚀 ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = Safe(s) }); n != 0 {
		t.Errorf("Safe allocates %v times for a plain string", n)
	}
}

// TestSafeEveryCharacter: for every Unicode character and every byte that
// is no UTF-8 on its own, Safe's output is valid UTF-8 holding nothing a
// terminal acts on, Safe leaves its own output alone, and a character it
// does not escape comes out as it went in. (Exhaustive rather than a fuzz
// target: one character at a time covers every branch.)
func TestSafeEveryCharacter(t *testing.T) {
	check := func(s string) {
		got := Safe(s)
		if !utf8.ValidString(got) || firstUnsafe(got, false) >= 0 {
			t.Fatalf("Safe(%q) = %q", s, got)
		}
		if Safe(got) != got {
			t.Fatalf("Safe(Safe(%q)) changed", s)
		}
		if firstUnsafe(s, false) < 0 && got != s {
			t.Fatalf("Safe(%q) = %q changed a safe string", s, got)
		}
	}
	escaped := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue // surrogates: no string holds them
		}
		s := "a" + string(r) + "b"
		check(s)
		if Safe(s) != s {
			escaped++
		}
	}
	for b := 0x80; b <= 0xff; b++ {
		check("a" + string([]byte{byte(b)}) + "b")
	}
	// 32 C0 + DEL + 32 C1 + 3 marks + 5 embeddings/overrides + 4 isolates
	// + 2 separators.
	if escaped != 79 {
		t.Errorf("Safe escapes %d characters, want 79", escaped)
	}
}

// TestJSONEscapesControls: --json documents carry a string exactly as read
// (it decodes back unchanged) with no control character raw in the bytes
// written: encoding/json escapes C0 (ESC is \u001b) and U+2028/U+2029 by
// itself; JSON escapes DEL, C1 and the bidirectional controls, which
// encoding/json leaves raw.
func TestJSONEscapesControls(t *testing.T) {
	hostile := "\x1b[31mRED\x1b]8;;https://evil.example\x07\b\r\x7f\u009b\u202e\u2066\u2028Ξ 🚀"
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(hostile); err != nil {
		t.Fatal(err)
	}
	// What encoding/json does alone, so that a change in it shows here.
	for _, c := range []string{"\x7f", "\u009b", "\u202e", "\u2066"} {
		if !strings.Contains(raw.String(), c) {
			t.Logf("encoding/json now escapes %q itself", c)
		}
	}
	if strings.ContainsAny(raw.String(), "\x1b\x07\b\r\u2028") {
		t.Errorf("encoding/json left a C0 control raw: %q", raw.String())
	}

	ios, out, _ := iostreams.Test("")
	if err := Print(ios, true, sample{Name: hostile}); err != nil {
		t.Fatal(err)
	}
	doc := out.String()
	for _, want := range []string{`\u001b[31mRED`, `\u0007`, `\b`, `\r`, `\u007f`, `\u009b`, `\u202e`, `\u2066`, `\u2028`, "Ξ 🚀"} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %q:\n%s", want, doc)
		}
	}
	if i := firstUnsafe(doc, true); i >= 0 {
		t.Errorf("document holds a raw control character at byte %d: %q", i, doc)
	}
	var back sample
	if err := json.Unmarshal([]byte(doc), &back); err != nil || back.Name != hostile {
		t.Errorf("decodes to %q, %v; want the string as given", back.Name, err)
	}
}

// TestKVLabelIsSafe: a KV label (a token symbol in balance) is escaped.
func TestKVLabelIsSafe(t *testing.T) {
	ios, out, _ := iostreams.Test("")
	(&KV{}).Add("st\x1b[8mETH", "1").Add("ETH", "2").Render(out, NewStyles(ios))
	want := "  st\\x1b[8mETH  1\n  ETH" + strings.Repeat(" ", 9+2) + "2\n"
	if out.String() != want {
		t.Errorf("rows = %q, want %q", out, want)
	}
}
