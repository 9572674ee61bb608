package keys

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
)

type showOptions struct {
	f    *cmdutil.Factory
	name string
}

func newCmdShow(f *cmdutil.Factory) *cobra.Command {
	o := &showOptions{f: f}
	return &cobra.Command{
		Use:     "show NAME",
		Short:   "Show one key: backend, address, derivation path, file",
		Example: "  stakewallet keys show alice\n  stakewallet keys show alice --json",
		Args:    cmdutil.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runShow(cmd.Context(), o)
		},
	}
}

func runShow(ctx context.Context, o *showOptions) error {
	s, err := o.f.Keys()
	if err != nil {
		return err
	}
	st, err := s.Show(ctx, o.name)
	if err != nil {
		return err
	}
	if st.Unchecked != "" {
		fmt.Fprintf(o.f.IO.ErrOut, "warning: could not check the OS keyring: %s\n", st.Unchecked)
	}
	if o.f.Flags.JSON {
		doc := toJSON(s, st.Entry)
		doc.Missing = st.Missing
		return output.JSON(o.f.IO.Out, struct {
			keyJSON
			CreatedAt time.Time `json:"createdAt"`
		}{doc, st.CreatedAt})
	}
	kv := &output.KV{}
	kv.Add("name", st.Name).Add("backend", st.Backend).Add("address", st.Address.Hex()).
		Add("path", st.Path).Add("file", s.FilePath(st.Entry)).Add("status", statusText(st))
	if !st.CreatedAt.IsZero() {
		kv.Add("created", st.CreatedAt.Format(time.RFC3339))
	}
	kv.Render(o.f.IO.Out, output.NewStyles(o.f.IO))
	return nil
}
