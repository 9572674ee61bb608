// Package output renders results: one JSON document for scripts, short
// lipgloss-styled text for people. Commands build a value and hand it here
// instead of printing ad hoc, so --json and human output never drift apart.
package output

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
)

// JSON writes v as one indented JSON document.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
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

// Add appends a row; empty values are skipped.
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
		if len(r[0]) > width {
			width = len(r[0])
		}
	}
	for _, r := range kv.rows {
		fmt.Fprintf(w, "  %s  %s\n", st.Label.Render(r[0]+strings.Repeat(" ", width-len(r[0]))), st.Value.Render(r[1]))
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
