package cmdutil

import (
	"slices"
	"testing"

	"github.com/spf13/cobra"
)

// TestCompletePositional: each argument gets its own completion, a nil
// one or one past the end completes nothing, and a completion that panics
// (an adapter's bug) completes nothing instead of crashing the shell's
// request.
func TestCompletePositional(t *testing.T) {
	offer := func(vals ...string) cobra.CompletionFunc {
		return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return filter(vals, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
	}
	boom := func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		panic("adapter bug")
	}
	complete := CompletePositional(nil, offer("stETH\tstaked", "wstETH\twrapped"), boom)
	tests := []struct {
		name       string
		args       []string
		toComplete string
		want       []string
	}{
		{"first argument: none", nil, "", nil},
		{"second argument", []string{"1"}, "", []string{"stETH\tstaked", "wstETH\twrapped"}},
		{"second argument, prefix in another case", []string{"1"}, "ST", []string{"stETH\tstaked"}},
		{"descriptions are not matched", []string{"1"}, "wra", nil},
		{"third argument panics", []string{"1", "stETH"}, "", nil},
		{"past the end", []string{"1", "stETH", "x"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dir := complete(&cobra.Command{}, tt.args, tt.toComplete)
			if !slices.Equal(got, tt.want) || dir != cobra.ShellCompDirectiveNoFileComp {
				t.Errorf("got %q, %v; want %q, NoFileComp", got, dir, tt.want)
			}
		})
	}
}
