package keys

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
)

// ListOptions are the inputs of `keys list`.
type ListOptions struct {
	IO   *iostreams.IOStreams
	Keys func() (*keys.Store, error)
	JSON bool
}

// NewCmdList returns `keys list`; runF replaces its body in tests.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IO, Keys: f.Keys}
	return &cobra.Command{
		Use:   "list",
		Short: "List registered keys: name, backend, address, derivation path",
		Long: `List the registered keys. A key whose keystore file or keyring entry has
disappeared is marked missing; if the keyring cannot be reached its keys
are listed without that check and a warning goes to stderr.`,
		Example: `  stakewallet keys list
  stakewallet keys list --json`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
}

// ListResult is `keys list`.
type ListResult struct {
	// Keys is never null in JSON: an empty registry is [].
	Keys []ListedKey `json:"keys"`
}

// ListedKey is one row of `keys list`.
type ListedKey struct {
	Key
	// Status is the STATUS column: ok, unchecked, or why it is missing.
	Status string `json:"-"`
}

// RenderHuman implements output.Human.
func (r *ListResult) RenderHuman(w io.Writer, st output.Styles) {
	if len(r.Keys) == 0 {
		return
	}
	rows := make([][]string, len(r.Keys))
	for i, k := range r.Keys {
		path := k.Path
		if path == "" {
			path = "-"
		}
		rows[i] = []string{k.Name, k.Backend, k.Address, path, k.Status}
	}
	output.Table(w, st, []string{"NAME", "BACKEND", "ADDRESS", "PATH", "STATUS"}, rows)
}

func listRun(ctx context.Context, opts *ListOptions) error {
	s, err := opts.Keys()
	if err != nil {
		return err
	}
	list, err := s.List(ctx)
	if err != nil {
		return err
	}
	warnUnchecked(opts.IO, list)
	res := &ListResult{Keys: make([]ListedKey, len(list))}
	for i, st := range list {
		k := keyOf(s, st.Entry)
		k.Missing = st.Missing
		res.Keys[i] = ListedKey{Key: k, Status: statusText(st)}
	}
	if len(list) == 0 && !opts.JSON {
		// A hint, not data: stdout stays empty for scripts.
		fmt.Fprintln(opts.IO.ErrOut, "No keys yet. Create one with `stakewallet keys new NAME` or import one with `stakewallet keys import NAME`.")
		return nil
	}
	return output.Print(opts.IO, opts.JSON, res)
}

func statusText(st keys.Status) string {
	switch {
	case st.Missing && st.Backend == keys.BackendKeyring:
		return "missing (keyring entry removed)"
	case st.Missing:
		return "missing (keystore file removed)"
	case st.Unchecked != "":
		return "unchecked"
	}
	return "ok"
}

// warnUnchecked says once why keyring keys could not be checked.
func warnUnchecked(ios *iostreams.IOStreams, list []keys.Status) {
	for _, st := range list {
		if st.Unchecked != "" {
			fmt.Fprintf(ios.ErrOut, "warning: could not check the OS keyring: %s\n", st.Unchecked)
			return
		}
	}
}
