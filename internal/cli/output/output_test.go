package output

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
)

type sample struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func (s sample) RenderHuman(w io.Writer, st Styles) {
	(&KV{}).Add("name", s.Name).Add("count", "").Add("long label", "x").Render(w, st)
}

// TestPrint: --json prints the value itself, one document; people get the
// renderer's rows, aligned, with empty values left out.
func TestPrint(t *testing.T) {
	ios, out, _ := iostreams.Test("")
	if err := Print(ios, true, sample{Name: "a<b", Count: 2}); err != nil {
		t.Fatal(err)
	}
	var back sample
	if err := json.Unmarshal([]byte(out.String()), &back); err != nil || back != (sample{"a<b", 2}) || !strings.Contains(out.String(), "a<b") {
		t.Errorf("json %q → %+v, %v", out, back, err)
	}
	ios, out, _ = iostreams.Test("")
	if err := Print(ios, false, sample{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	want := "  name        a\n  long label  x\n"
	if out.String() != want {
		t.Errorf("human = %q, want %q", out, want)
	}
}

func TestTable(t *testing.T) {
	ios, out, _ := iostreams.Test("")
	Table(out, NewStyles(ios), []string{"ID", "STATUS"}, [][]string{{"1", "pending"}, {"10", "claimable"}})
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("table:\n%s", out)
	}
	// Columns line up: STATUS starts where each row's status starts.
	col := strings.Index(lines[0], "STATUS")
	for _, l := range lines[1:] {
		if i := strings.IndexAny(l, "pc"); i != col {
			t.Errorf("row %q: status at %d, header at %d", l, i, col)
		}
	}
}
