package balance

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
)

// TestTraceRPCKeepsJSONClean: with --trace-rpc (or STAKEWALLET_TRACE_RPC=1)
// each round trip is a line on stderr, and stdout is still exactly the
// JSON document it is without tracing.
func TestTraceRPCKeepsJSONClean(t *testing.T) {
	line := regexp.MustCompile(`(?m)^rpc #1  eth_chainId, eth_call×2  sent \d+(\.\d)? k?B  received \d+(\.\d)? k?B  \S+ (µs|ms|s)  http://127\.0\.0\.1:\d+$`)
	tests := []struct {
		name  string
		env   string
		args  []string
		trace bool
	}{
		{name: "off", args: []string{"--json"}},
		{name: "flag", args: []string{"--json", "--trace-rpc"}, trace: true},
		{name: "environment", env: "1", args: []string{"--json"}, trace: true},
		{name: "environment, flag off", env: "1", args: []string{"--json", "--trace-rpc=false"}},
	}
	var plain string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("STAKEWALLET_TRACE_RPC", tt.env)
			e := clitest.NewFakenetEnv(t)
			installRETH(t, e.Node, clitest.Ether(1))
			e.RunOK(t, build, tt.args...)
			var doc map[string]any
			clitest.DecodeJSON(t, e.Out.String(), &doc)
			if plain == "" {
				plain = e.Out.String()
			} else if e.Out.String() != plain {
				t.Errorf("stdout differs from the untraced run:\n%s\nwant:\n%s", e.Out, plain)
			}
			traced := strings.Contains(e.ErrOut.String(), "rpc #")
			if traced != tt.trace {
				t.Fatalf("trace on stderr: %v, want %v:\n%s", traced, tt.trace, e.ErrOut)
			}
			if tt.trace && !line.MatchString(e.ErrOut.String()) {
				t.Errorf("stderr %q has no line matching %s", e.ErrOut, line)
			}
		})
	}
}
