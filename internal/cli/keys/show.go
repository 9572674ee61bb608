package keys

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
)

// ShowOptions are the inputs of `keys show`.
type ShowOptions struct {
	IO   *iostreams.IOStreams
	Keys func() (*keys.Store, error)
	JSON bool

	Name string
}

// NewCmdShow returns `keys show`; runF replaces its body in tests.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IO, Keys: f.Keys}
	return &cobra.Command{
		Use:               "show NAME",
		Short:             "Show one key: backend, address, derivation path, file",
		Example:           "  stakewallet keys show alice\n  stakewallet keys show alice --json",
		Args:              cmdutil.ExactArgs(1, "NAME"),
		ValidArgsFunction: cmdutil.CompletePositional(cmdutil.CompleteKeyNames(f)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
	}
}

// ShowResult is `keys show`.
type ShowResult struct {
	Key
	// CreatedAt is the zero time for keys registered before it was kept.
	CreatedAt time.Time `json:"createdAt"`
	Status    string    `json:"-"`
}

// RenderHuman implements output.Human.
func (r *ShowResult) RenderHuman(w io.Writer, st output.Styles) {
	kv := &output.KV{}
	kv.Add("name", r.Name).Add("backend", r.Backend).Add("address", r.Address).
		Add("path", r.Path).Add("file", r.File).Add("status", r.Status)
	if !r.CreatedAt.IsZero() {
		kv.Add("created", r.CreatedAt.Format(time.RFC3339))
	}
	kv.Render(w, st)
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	s, err := opts.Keys()
	if err != nil {
		return err
	}
	st, err := s.Show(ctx, opts.Name)
	if err != nil {
		return err
	}
	if st.Unchecked != "" {
		fmt.Fprintf(opts.IO.ErrOut, "warning: could not check the OS keyring: %s\n", st.Unchecked)
	}
	k := keyOf(s, st.Entry)
	k.Missing = st.Missing
	return output.Print(opts.IO, opts.JSON, &ShowResult{Key: k, CreatedAt: st.CreatedAt, Status: statusText(st)})
}
