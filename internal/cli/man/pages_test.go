package man_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli"
	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/root"
)

// TestManPages runs `stakewallet man DIR` on the real command tree: one
// page per command (subcommands included, hidden ones and help left out),
// each titled with its command and listing that command's own flags, the
// date fixed by SOURCE_DATE_EPOCH, and the document naming exactly the
// files written.
func TestManPages(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")     // 2023-11-14
	dir := filepath.Join(t.TempDir(), "new", "man") // created by the command
	f, streams := clitest.NewFactory("")
	f.Version = "v1.2.3"
	r := root.NewCmdRoot(f, cli.Commands()...)
	r.SetArgs([]string{"man", dir, "--json"})
	if err := r.Execute(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Dir   string   `json:"dir"`
		Pages []string `json:"pages"`
	}
	clitest.DecodeJSON(t, streams.Out.String(), &doc)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	if doc.Dir != dir || !slices.Equal(doc.Pages, files) {
		t.Errorf("document %+v; files in %s: %v", doc, dir, files)
	}

	flag := func(name string) string { return `\fB--` + name + `\fP` } // as the OPTIONS sections print it
	tests := []struct {
		page   string
		title  string
		has    []string // in the page
		hasNot []string
	}{
		{"stakewallet.1", "STAKEWALLET", []string{`\fBstakewallet-stake(1)\fP`, `\fBstakewallet-man(1)\fP`, flag("signer")}, nil},
		{"stakewallet-stake.1", "STAKEWALLET-STAKE", []string{flag("dry-run"), flag("protocol"), flag("signer")}, nil},
		{"stakewallet-unstake.1", "STAKEWALLET-UNSTAKE", []string{flag("token"), flag("nonce")}, nil},
		{"stakewallet-keys-import.1", "STAKEWALLET-KEYS-IMPORT", []string{flag("mnemonic-file"), `\fBstakewallet-keys(1)\fP`}, []string{flag("nonce")}},
		{"stakewallet-balance.1", "STAKEWALLET-BALANCE", []string{flag("json")}, []string{flag("dry-run")}},
		{"stakewallet-man.1", "STAKEWALLET-MAN", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, tt.page))
			if err != nil {
				t.Fatal(err)
			}
			page := string(b)
			if th := `.TH "` + tt.title + `" "1" "Nov 2023" "stakewallet v1.2.3" "stakewallet manual"`; !strings.Contains(page, th) {
				t.Errorf("no header %s in\n%.300s", th, page)
			}
			for _, s := range tt.has {
				if !strings.Contains(page, s) {
					t.Errorf("lacks %q", s)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(page, s) {
					t.Errorf("has %q", s)
				}
			}
		})
	}
	for _, p := range doc.Pages {
		if strings.Contains(p, "__complete") || strings.Contains(p, "help") {
			t.Errorf("page for a hidden command: %s", p)
		}
	}

	// People get one line.
	f, streams = clitest.NewFactory("")
	r = root.NewCmdRoot(f, cli.Commands()...)
	r.SetArgs([]string{"man", dir})
	if err := r.Execute(); err != nil {
		t.Fatal(err)
	}
	if want := "Wrote " + strconv.Itoa(len(files)) + " man pages to " + dir + "\n"; streams.Out.String() != want {
		t.Errorf("human output %q, want %q", streams.Out.String(), want)
	}
}
