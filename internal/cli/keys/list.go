package keys

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
)

type listOptions struct{ f *cmdutil.Factory }

func newCmdList(f *cmdutil.Factory) *cobra.Command {
	o := &listOptions{f: f}
	return &cobra.Command{
		Use:   "list",
		Short: "List registered keys: name, backend, address, derivation path",
		Long: `List the registered keys. A key whose keystore file or keyring entry has
disappeared is marked missing; if the keyring cannot be reached its keys
are listed without that check and a warning goes to stderr.`,
		Example: `  stakewallet keys list
  stakewallet keys list --json`,
		Args: cmdutil.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runList(cmd.Context(), o) },
	}
}

func runList(ctx context.Context, o *listOptions) error {
	s, err := o.f.Keys()
	if err != nil {
		return err
	}
	list, err := s.List(ctx)
	if err != nil {
		return err
	}
	warnUnchecked(o.f, list)
	if o.f.Flags.JSON {
		docs := make([]keyJSON, len(list))
		for i, st := range list {
			docs[i] = toJSON(s, st.Entry)
			docs[i].Missing = st.Missing
		}
		return output.JSON(o.f.IO.Out, map[string]any{"keys": docs})
	}
	if len(list) == 0 {
		fmt.Fprintln(o.f.IO.ErrOut, "No keys yet. Create one with `stakewallet keys new NAME` or import one with `stakewallet keys import NAME`.")
		return nil
	}
	rows := make([][]string, len(list))
	for i, st := range list {
		path := st.Path
		if path == "" {
			path = "-"
		}
		rows[i] = []string{st.Name, st.Backend, st.Address.Hex(), path, statusText(st)}
	}
	output.Table(o.f.IO.Out, output.NewStyles(o.f.IO), []string{"NAME", "BACKEND", "ADDRESS", "PATH", "STATUS"}, rows)
	return nil
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
func warnUnchecked(f *cmdutil.Factory, list []keys.Status) {
	for _, st := range list {
		if st.Unchecked != "" {
			fmt.Fprintf(f.IO.ErrOut, "warning: could not check the OS keyring: %s\n", st.Unchecked)
			return
		}
	}
}
