// Package output renders results: one JSON document for scripts, short
// lipgloss-styled text for people. Commands build a value and hand it here
// instead of printing ad hoc, so --json and human output never drift apart.
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
)

// JSON writes v as one indented JSON document. Strings keep what they
// hold (a moniker read from a contract is the moniker), but a control
// character never reaches the terminal raw: encoding/json writes C0
// controls (ESC among them) and U+2028/U+2029 as \u escapes, and JSON
// does the same for DEL, the C1 controls and the bidirectional controls,
// which encoding/json leaves as they are (jsonEscape). Either way the
// document decodes to the same values.
func JSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonEscape(buf.Bytes()))
	return err
}

// jsonEscape rewrites, in a document encoding/json wrote, DEL and the
// characters Safe writes as \u escapes that encoding/json keeps raw (the
// C1 and bidirectional controls) as JSON \u escapes: they can only be
// inside strings, where the escape decodes to the same character.
func jsonEscape(doc []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(doc); {
		r, size := utf8.DecodeRune(doc[i:])
		if r == 0x7f || (r >= utf8.RuneSelf && unsafeRune(r)) {
			if out == nil {
				out = make([]byte, 0, len(doc)+16)
			}
			out = append(out, doc[last:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			last = i + size
		}
		i += size
	}
	if out == nil {
		return doc
	}
	return append(out, doc[last:]...)
}

// Human is a command's result that can render itself for people; --json
// prints the same value marshalled.
type Human interface {
	RenderHuman(w io.Writer, st Styles)
}

// Document is a result that is a document of its own (an unsigned
// transaction document written to stdout): when Document returns bytes,
// Print writes them as they are, with or without --json.
type Document interface {
	Document() []byte
}

// Print writes a command's result: the value as one JSON document when
// asJSON, else its human rendering, on stdout.
func Print(ios *iostreams.IOStreams, asJSON bool, v Human) error {
	if d, ok := v.(Document); ok {
		if b := d.Document(); b != nil {
			_, err := ios.Out.Write(b)
			return err
		}
	}
	if asJSON {
		return JSON(ios.Out, v)
	}
	v.RenderHuman(ios.Out, NewStyles(ios))
	return nil
}

// Styles are the text styles of human output; all plain when colour is off.
type Styles struct {
	Title, Label, Value, OK, Warn, Err, Dim lipgloss.Style
}

// NewStyles returns styles bound to the colour decision of io.
func NewStyles(io *iostreams.IOStreams) Styles {
	r := lipgloss.NewRenderer(io.Out)
	if io.ColorEnabled() {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	return Styles{
		Title: r.NewStyle().Bold(true),
		Label: r.NewStyle().Foreground(lipgloss.Color("245")),
		Value: r.NewStyle(),
		OK:    r.NewStyle().Foreground(lipgloss.Color("42")).Bold(true),
		Warn:  r.NewStyle().Foreground(lipgloss.Color("214")).Bold(true),
		Err:   r.NewStyle().Foreground(lipgloss.Color("196")).Bold(true),
		Dim:   r.NewStyle().Foreground(lipgloss.Color("242")),
	}
}

// KV is an ordered list of label/value rows printed aligned.
type KV struct {
	rows [][2]string
}

// Add appends a row; empty values are skipped. Render escapes the label
// (Safe: it may be a token symbol read from a contract); a value is
// rendered as given, since callers may style parts of it, so a value that
// holds a string from the chain must be made Safe by the caller.
func (kv *KV) Add(label, value string) *KV {
	if value != "" {
		kv.rows = append(kv.rows, [2]string{label, value})
	}
	return kv
}

// Render prints the rows with labels padded to the longest one.
func (kv *KV) Render(w io.Writer, st Styles) {
	width := 0
	for _, r := range kv.rows {
		if n := len(Safe(r[0])); n > width {
			width = n
		}
	}
	for _, r := range kv.rows {
		label := Safe(r[0])
		fmt.Fprintf(w, "  %s  %s\n", st.Label.Render(label+strings.Repeat(" ", width-len(label))), st.Value.Render(r[1]))
	}
}

// Table prints rows under a header, columns padded to their widest cell.
func Table(w io.Writer, st Styles, header []string, rows [][]string) {
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = lipgloss.Width(h)
	}
	for _, r := range rows {
		for i, c := range r {
			if cw := lipgloss.Width(c); i < len(widths) && cw > widths[i] {
				widths[i] = cw
			}
		}
	}
	line := func(cells []string, style lipgloss.Style) {
		parts := make([]string, len(cells))
		for i, c := range cells {
			pad := widths[i] - lipgloss.Width(c)
			parts[i] = style.Render(c) + strings.Repeat(" ", pad)
		}
		fmt.Fprintln(w, strings.TrimRight(strings.Join(parts, "  "), " "))
	}
	line(header, st.Label)
	for _, r := range rows {
		line(r, st.Value)
	}
}
