// Command bench compares stakewallet with cast (Foundry) on the same
// operations, from the same keystore file, with the same calldata: stake,
// unstake, claim, transfer and balance, on the devnet (geth) and on anvil,
// through a proxy that adds 0 and 50 ms to every round trip. Runs are
// interleaved (stakewallet, cast, cast, stakewallet, …) and the table
// shows round trips, median wall times and the ratio to cast.
//
// Run it with `make bench` (scripts/bench.sh), which installs cast and
// anvil from the npm registry and builds the binaries. It is a benchmark,
// not a test: `make test` does not run it.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/testutil/latencyproxy"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

var (
	binDir  = flag.String("bin", "bin", "directory with stakewallet and stakewallet-devnet")
	castBin = flag.String("cast", "scripts/node_modules/.bin/cast", "cast binary")
	anvil   = flag.String("anvil", "scripts/node_modules/.bin/anvil", "anvil binary")
	runs    = flag.Int("runs", 5, "runs of each command per wallet, interleaved")
	delays  = flag.String("delays", "0ms,50ms", "latencies added per round trip")
	targets = flag.String("targets", "devnet,anvil", "nodes to run against")
	kdf     = flag.String("kdf", "light", "scrypt cost of the shared keystore file: light or standard")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// row is one line of the table.
type row struct {
	target, delay, command string
	swTrips, castTrips     int
	swTime, castTime       time.Duration
	failed                 bool // a run failed (its error is on stderr)
}

func run() error {
	var rows []row
	for _, target := range strings.Split(*targets, ",") {
		n, err := startNode(target)
		if err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
		for _, d := range strings.Split(*delays, ",") {
			delay, err := time.ParseDuration(d)
			if err != nil {
				n.stop()
				return err
			}
			r, err := bench(n, delay)
			if err != nil {
				n.stop()
				return fmt.Errorf("%s +%s: %w", target, delay, err)
			}
			rows = append(rows, r...)
		}
		n.stop()
	}
	print(rows)
	return nil
}

// node is a running chain with Lido on it and a wallet home set up.
type node struct {
	name, url       string
	steth, queue    common.Address
	home, pw, ks    string
	config          string // config file for anvil's network; "" for the devnet
	locator         string // anvil: for the oracle
	alice, bob      devkeys.Account
	proc            *exec.Cmd
	proxy           *latencyproxy.Proxy
	proxyURL        string
	env             []string
	srv             *http.Server
	claimIDs, hints []string
}

func (n *node) stop() {
	if n.srv != nil {
		n.srv.Close()
	}
	if n.proc != nil && n.proc.Process != nil {
		n.proc.Process.Kill()
		n.proc.Wait()
	}
	os.RemoveAll(n.home)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitRPC waits for url to answer eth_chainId.
func waitRPC(url string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer in a minute", url)
}

func startNode(target string) (*node, error) {
	home, err := os.MkdirTemp("", "stakewallet-bench")
	if err != nil {
		return nil, err
	}
	n := &node{name: target, home: home}
	if n.alice, err = devkeys.TestAccount(0); err != nil {
		return nil, err
	}
	if n.bob, err = devkeys.TestAccount(1); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	n.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	switch target {
	case "devnet":
		n.proc = exec.Command(filepath.Join(*binDir, "stakewallet-devnet"), "--chains", "devnet", "--http", fmt.Sprintf("127.0.0.1:%d", port), "--bonding-period", "2s", "--apr", "0")
	case "anvil":
		n.proc = exec.Command(*anvil, "--port", fmt.Sprint(port), "--silent")
	default:
		return nil, fmt.Errorf("unknown target %q (devnet or anvil)", target)
	}
	if err := n.proc.Start(); err != nil {
		return nil, err
	}
	if err := waitRPC(n.url); err != nil {
		n.stop()
		return nil, err
	}
	n.pw = filepath.Join(home, "password")
	if err := os.WriteFile(n.pw, []byte("bench passphrase\n"), 0o600); err != nil {
		return nil, err
	}
	n.env = append(os.Environ(), "STAKEWALLET_HOME="+filepath.Join(home, "sw"), "NO_COLOR=1", "STAKEWALLET_TRACE_RPC=")
	if target == "anvil" {
		entry, err := output(exec.Command(filepath.Join(*binDir, "stakewallet-devnet"), "deploy", "--rpc-url", n.url, "--name", "anvil"))
		if err != nil {
			n.stop()
			return nil, fmt.Errorf("deploy: %w", err)
		}
		n.config = filepath.Join(home, "config.toml")
		if err := os.WriteFile(n.config, []byte("[defaults]\nnetwork = \"anvil\"\n\n"+entry), 0o600); err != nil {
			return nil, err
		}
		n.env = append(n.env, "STAKEWALLET_CONFIG="+n.config, "STAKEWALLET_NETWORK=anvil")
		n.steth = common.HexToAddress(tomlValue(entry, "steth"))
		n.queue = common.HexToAddress(tomlValue(entry, "withdrawalQueue"))
		n.locator = tomlValue(entry, "locator")
	} else {
		n.env = append(n.env, "STAKEWALLET_NETWORK=devnet", "STAKEWALLET_CONFIG=")
		var nets struct {
			Networks []struct {
				Name      string                       `json:"name"`
				Protocols map[string]map[string]string `json:"protocols"`
			} `json:"networks"`
		}
		out, err := n.sw("networks", "--json")
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(out), &nets); err != nil {
			return nil, err
		}
		for _, nw := range nets.Networks {
			if nw.Name == "devnet" {
				n.steth = common.HexToAddress(nw.Protocols["lido"]["steth"])
				n.queue = common.HexToAddress(nw.Protocols["lido"]["withdrawalQueue"])
			}
		}
	}
	if n.steth == (common.Address{}) || n.queue == (common.Address{}) {
		n.stop()
		return nil, errors.New("no Lido addresses for the network")
	}
	// The same keystore file signs for both wallets: --signer keystore:FILE
	// and cast's --keystore FILE. With -kdf light its scrypt costs
	// milliseconds, so that the times show the round trips rather than
	// the key derivation (about a second with geth's standard parameters,
	// paid by both wallets alike).
	params := keystore.LightParams()
	if *kdf == "standard" {
		params = keystore.StandardParams()
	}
	ksJSON, err := keystore.Encrypt(n.alice.PrivateKey, []byte("bench passphrase"), params)
	if err != nil {
		n.stop()
		return nil, err
	}
	n.ks = filepath.Join(home, "alice.json")
	if err := os.WriteFile(n.ks, ksJSON, 0o600); err != nil {
		n.stop()
		return nil, err
	}
	// Stake some stETH and allow the queue to take it, outside the timing.
	for _, args := range [][]string{
		{"send", n.steth.Hex(), "submit(address)", common.Address{}.Hex(), "--value", "50ether"},
		{"send", n.steth.Hex(), "approve(address,uint256)", n.queue.Hex(), "1000000000000000000000000"},
	} {
		if _, err := n.cast(n.url, args...); err != nil {
			n.stop()
			return nil, err
		}
	}
	return n, nil
}

// tomlValue reads `key = "value"` from the deploy entry.
func tomlValue(entry, key string) string {
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(key) + `\s*=\s*"([^"]+)"`).FindStringSubmatch(entry)
	if m == nil {
		return ""
	}
	return m[1]
}

func output(cmd *exec.Cmd) (string, error) {
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: %w\n%s%s", strings.Join(cmd.Args, " "), err, out.String(), errOut.String())
	}
	return out.String(), nil
}

func (n *node) swCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(*binDir, "stakewallet"), args...)
	cmd.Env = n.env
	return cmd
}

func (n *node) sw(args ...string) (string, error) { return output(n.swCmd(args...)) }

func (n *node) cast(url string, args ...string) (string, error) {
	full := append(slices.Clone(args), "--rpc-url", url)
	if args[0] == "send" {
		full = append(full, "--keystore", n.ks, "--password-file", n.pw)
	}
	return output(exec.Command(*castBin, full...))
}

// op is one benchmarked operation: the stakewallet command and the cast
// commands that do the same (same calldata, same keystore).
type op struct {
	name string
	sw   func(i int) []string
	cast func(i int) [][]string
}

func (n *node) ops() []op {
	alice, bob := n.alice.Address.Hex(), n.bob.Address.Hex()
	sign := []string{"--signer", "keystore:" + n.ks, "--password-file", n.pw, "--yes", "--json"}
	return []op{
		{"stake 0.01", func(int) []string { return append([]string{"stake", "0.01"}, sign...) },
			func(int) [][]string {
				return [][]string{{"send", n.steth.Hex(), "submit(address)", common.Address{}.Hex(), "--value", "0.01ether"}}
			}},
		{"unstake 0.01", func(int) []string { return append([]string{"unstake", "0.01"}, sign...) },
			func(int) [][]string {
				return [][]string{{"send", n.queue.Hex(), "requestWithdrawals(uint256[],address)", "[10000000000000000]", alice}}
			}},
		{"claim 1 request", func(i int) []string { return append([]string{"claim", n.claimIDs[2*i]}, sign...) },
			func(i int) [][]string {
				return [][]string{{"send", n.queue.Hex(), "claimWithdrawals(uint256[],uint256[])", "[" + n.claimIDs[2*i+1] + "]", "[" + n.hints[2*i+1] + "]"}}
			}},
		{"transfer 0.001 stETH", func(int) []string {
			return append([]string{"transfer", "0.001", "stETH", "--to", bob}, sign...)
		}, func(int) [][]string {
			return [][]string{{"send", n.steth.Hex(), "transfer(address,uint256)", bob, "1000000000000000"}}
		}},
		{"balance", func(int) []string { return []string{"balance", alice, "--json"} },
			func(int) [][]string {
				// The native coin and each Lido token balance, as balance shows.
				return [][]string{
					{"balance", alice},
					{"call", n.steth.Hex(), "balanceOf(address)(uint256)", alice},
					{"call", n.queue.Hex(), "getWithdrawalRequests(address)(uint256[])", alice},
				}
			}},
	}
}

// prepareClaims makes 2 × runs finalized requests (one per wallet per run)
// and their checkpoint hints for cast.
func (n *node) prepareClaims() error {
	for range 2 * *runs {
		if _, err := n.cast(n.url, "send", n.queue.Hex(), "requestWithdrawals(uint256[],address)", "[10000000000000000]", n.alice.Address.Hex()); err != nil {
			return err
		}
	}
	last, err := n.cast(n.url, "call", n.queue.Hex(), "getLastRequestId()(uint256)")
	if err != nil {
		return err
	}
	lastID, ok := new(big.Int).SetString(strings.Fields(last)[0], 10)
	if !ok {
		return fmt.Errorf("getLastRequestId: %q", last)
	}
	if n.name == "anvil" {
		// Age the requests past the bonding period, then report.
		if _, err := n.cast(n.url, "rpc", "evm_increaseTime", "7200"); err != nil {
			return err
		}
		if _, err := n.cast(n.url, "rpc", "evm_mine"); err != nil {
			return err
		}
		if _, err := output(exec.Command(filepath.Join(*binDir, "stakewallet-devnet"), "oracle", "--rpc-url", n.url, "--bonding-period", "1h", "--locator", n.locator, "--once")); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		fin, err := n.cast(n.url, "call", n.queue.Hex(), "getLastFinalizedRequestId()(uint256)")
		if err != nil {
			return err
		}
		if f, ok := new(big.Int).SetString(strings.Fields(fin)[0], 10); ok && f.Cmp(lastID) >= 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("requests up to %s not finalized in two minutes", lastID)
		}
		time.Sleep(250 * time.Millisecond)
	}
	cp, err := n.cast(n.url, "call", n.queue.Hex(), "getLastCheckpointIndex()(uint256)")
	if err != nil {
		return err
	}
	n.claimIDs, n.hints = nil, nil
	for k := 2**runs - 1; k >= 0; k-- {
		id := new(big.Int).Sub(lastID, big.NewInt(int64(k))).String()
		h, err := n.cast(n.url, "call", n.queue.Hex(), "findCheckpointHints(uint256[],uint256,uint256)(uint256[])", "["+id+"]", "1", strings.Fields(cp)[0])
		if err != nil {
			return err
		}
		n.claimIDs = append(n.claimIDs, id)
		n.hints = append(n.hints, strings.Trim(strings.TrimSpace(h), "[]"))
	}
	return nil
}

func bench(n *node, delay time.Duration) ([]row, error) {
	n.proxy = latencyproxy.New(n.url, delay)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	n.srv = &http.Server{Handler: n.proxy, ReadHeaderTimeout: 10 * time.Second}
	go n.srv.Serve(ln)
	defer func() { n.srv.Close(); n.srv = nil }()
	n.proxyURL = "http://" + ln.Addr().String()
	if err := n.prepareClaims(); err != nil {
		return nil, fmt.Errorf("prepare claims: %w", err)
	}
	var rows []row
	for _, o := range n.ops() {
		var swTimes, castTimes []time.Duration
		var swTrips, castTrips []int
		var failed error
		for i := range *runs {
			if failed != nil {
				break
			}
			// Interleaved, the order alternating run by run.
			order := []bool{true, false}
			if i%2 == 1 {
				order = []bool{false, true}
			}
			for _, isSW := range order {
				n.proxy.Reset()
				start := time.Now()
				var err error
				if isSW {
					_, err = n.sw(append(o.sw(i), "--rpc-url", n.proxyURL)...)
				} else {
					for _, args := range o.cast(i) {
						if _, err = n.cast(n.proxyURL, args...); err != nil {
							break
						}
					}
				}
				if err != nil {
					// Shown in the table, and the other operations still run.
					failed = err
					fmt.Fprintf(os.Stderr, "%s +%s %s: %v\n", n.name, delay, o.name, err)
					break
				}
				took, trips := time.Since(start), n.proxy.Stats().Requests
				if isSW {
					swTimes, swTrips = append(swTimes, took), append(swTrips, trips)
				} else {
					castTimes, castTrips = append(castTimes, took), append(castTrips, trips)
				}
			}
		}
		rows = append(rows, row{target: n.name, delay: delay.String(), command: o.name, failed: failed != nil,
			swTrips: median(swTrips), castTrips: median(castTrips), swTime: median(swTimes), castTime: median(castTimes)})
		fmt.Fprintf(os.Stderr, "%s +%s %s: done\n", n.name, delay, o.name)
	}
	return rows, nil
}

// median of the runs (round trips vary for cast, which polls for the
// receipt; wall times vary for both).
func median[T time.Duration | int](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func print(rows []row) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "node\tlatency\tcommand\tround trips\tcast round trips\tmedian\tcast median\tratio to cast\t")
	for _, r := range rows {
		if r.failed {
			fmt.Fprintf(tw, "%s\t+%s\t%s\tfailed (see above)\t\t\t\t\t\n", r.target, r.delay, r.command)
			continue
		}
		fmt.Fprintf(tw, "%s\t+%s\t%s\t%d\t%d\t%s\t%s\t%.2f×\t\n", r.target, r.delay, r.command, r.swTrips, r.castTrips,
			r.swTime.Round(time.Millisecond), r.castTime.Round(time.Millisecond), float64(r.swTime)/float64(r.castTime))
	}
	tw.Flush()
}
