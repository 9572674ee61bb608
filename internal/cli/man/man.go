// Package man implements `stakewallet man`: one man page per command,
// written from the command tree by cobra's doc generator, so the pages
// cannot drift from the flags and help texts.
package man

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
)

// ManOptions are the inputs of `man`.
type ManOptions struct {
	IO *iostreams.IOStreams
	// Root is the command tree to document (the root of the command run).
	Root *cobra.Command
	// Version goes into each page's footer.
	Version string
	JSON    bool

	// Dir receives the pages; it is created if missing.
	Dir string
}

// NewCmdMan returns the man command; runF replaces its body in tests.
func NewCmdMan(f *cmdutil.Factory, runF func(*ManOptions) error) *cobra.Command {
	opts := &ManOptions{IO: f.IO, Version: f.Version}
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write a man page for every command into DIR",
		Long: `Write one man page (section 1) per command into DIR, created if missing:
stakewallet.1, stakewallet-stake.1, stakewallet-keys-import.1, … Existing
pages of the same names are replaced. Read one with man -l DIR/stakewallet-stake.1,
or install them where man looks, e.g. /usr/local/share/man/man1.
SOURCE_DATE_EPOCH fixes the date in the pages (reproducible builds).`,
		Example: `  stakewallet man ./man
  sudo stakewallet man /usr/local/share/man/man1 && man stakewallet-stake`,
		Args: cmdutil.ExactArgs(1, "the directory to write the pages to"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir, opts.Root = args[0], cmd.Root()
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return manRun(opts)
		},
	}
}

// ManResult is `man`.
type ManResult struct {
	// Dir is where the pages are, as given.
	Dir string `json:"dir"`
	// Pages are the file names written, sorted.
	Pages []string `json:"pages"`
}

// RenderHuman implements output.Human.
func (r *ManResult) RenderHuman(w io.Writer, st output.Styles) {
	fmt.Fprintf(w, "%s %d man pages to %s\n", st.OK.Render("Wrote"), len(r.Pages), r.Dir)
}

func manRun(opts *ManOptions) error {
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return fmt.Errorf("create the man page directory: %w", err)
	}
	// No Title: each page gets its command's path (STAKEWALLET-KEYS-IMPORT).
	header := doc.GenManHeader{Section: "1", Source: "stakewallet " + opts.Version, Manual: "stakewallet manual"}
	pages, err := genTree(opts.Root, header, opts.Dir)
	if err != nil {
		return fmt.Errorf("write man pages to %s: %w", opts.Dir, err)
	}
	sort.Strings(pages)
	return output.Print(opts.IO, opts.JSON, &ManResult{Dir: opts.Dir, Pages: pages})
}

// genTree is doc.GenManTree that also says which files it wrote: the same
// pages under the same names (command path joined by "-", plus the
// section), skipping the same commands (hidden, deprecated, help topics).
func genTree(cmd *cobra.Command, header doc.GenManHeader, dir string) ([]string, error) {
	var pages []string
	for _, c := range cmd.Commands() {
		if !c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand() {
			continue
		}
		sub, err := genTree(c, header, dir)
		if err != nil {
			return nil, err
		}
		pages = append(pages, sub...)
	}
	name := strings.ReplaceAll(cmd.CommandPath(), " ", "-") + "." + header.Section
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	// header is a copy: GenMan fills its title and date in place.
	if err := doc.GenMan(cmd, &header, f); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return append(pages, name), nil
}
