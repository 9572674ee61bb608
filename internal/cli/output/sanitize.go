package output

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Safe returns s with every character a terminal would act on instead of
// showing replaced by a visible escape, for strings the wallet does not
// write itself (validator monikers, token symbols read from a contract,
// revert reasons, an RPC's error text) before they are shown to people:
//
//   - C0 controls, DEL and bytes that are no UTF-8 as \xNN ("\x1b", "\x07",
//     "\x0d", "\x9b"): no escape sequence (colours, cursor moves, OSC 8
//     links, title changes), bell, carriage return or backspace can reach
//     the terminal;
//   - C1 controls (U+0080–U+009F) and the invisible bidirectional controls
//     (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line
//     and paragraph separators (U+2028, U+2029) as \uNNNN ("\u202e"): no
//     text is reordered or hidden.
//
// Everything else, including any other non-ASCII letter, symbol or emoji,
// is kept as it is. Safe is idempotent (its escapes are plain ASCII) and
// returns s itself when nothing needs escaping. It is for human output
// only: --json documents keep the string as read (see JSON).
func Safe(s string) string { return sanitize(s, false) }

// SafeLines is Safe for a message that may span lines (an error made of
// several, errors.Join): newlines and tabs are kept, everything else Safe
// escapes is escaped.
func SafeLines(s string) string { return sanitize(s, true) }

func sanitize(s string, lines bool) string {
	i := firstUnsafe(s, lines)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case lines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe is the byte offset of the first character sanitize escapes,
// or -1.
func firstUnsafe(s string, lines bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 || c == 0x7f) && !(lines && (c == '\n' || c == '\t')) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune reports the non-ASCII characters Safe escapes: C1 controls,
// bidirectional controls and the line and paragraph separators.
func unsafeRune(r rune) bool {
	switch {
	case 0x80 <= r && r <= 0x9f: // C1 controls (CSI is U+009B, OSC U+009D)
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // ALM, LRM, RLM
		return true
	case 0x202a <= r && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case 0x2066 <= r && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}
