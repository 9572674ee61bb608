package rpcproxy

import (
	"bytes"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// upstream answers every call with its method name and counts HTTP requests.
func upstream(t *testing.T) (url string, hits *atomic.Int64) {
	t.Helper()
	hits = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		type msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		answer := func(m msg) map[string]any {
			if m.Method == "boom" {
				return map[string]any{"jsonrpc": "2.0", "id": m.ID, "error": map[string]any{"code": -32000, "message": "boom"}}
			}
			return map[string]any{"jsonrpc": "2.0", "id": m.ID, "result": m.Method}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Upstream", "yes")
		if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
			var ms []msg
			json.Unmarshal(body, &ms)
			out := make([]map[string]any, len(ms))
			for i, m := range ms {
				out[i] = answer(m)
			}
			json.NewEncoder(w).Encode(out)
			return
		}
		var m msg
		json.Unmarshal(body, &m)
		json.NewEncoder(w).Encode(answer(m))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, hits
}

func post(t *testing.T, url, body string) (*http.Response, string, error) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

const (
	balanceOf   = `{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":"0x01","input":"0x70a08231000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"},"latest"]}`
	totalSupply = `{"jsonrpc":"2.0","id":2,"method":"eth_call","params":[{"to":"0x01","data":"0x18160ddd"},"latest"]}`
	blockNumber = `{"jsonrpc":"2.0","id":3,"method":"eth_blockNumber","params":[]}`
	shortCall   = `{"jsonrpc":"2.0","id":4,"method":"eth_call","params":[{"to":"0x01","data":"0x1816"},"latest"]}`
)

func TestForwardsAndCounts(t *testing.T) {
	tests := []struct {
		name         string
		bodies       []string
		wantRequests int
		wantCounts   map[string]int
	}{
		{"single", []string{blockNumber}, 1, map[string]int{"eth_blockNumber": 1}},
		{"eth_call selectors, input and data", []string{balanceOf, totalSupply, balanceOf}, 3, map[string]int{
			"eth_call": 3, "eth_call:0x70a08231": 2, "eth_call:0x18160ddd": 1,
		}},
		{"batch is one request, each call counted", []string{"[" + balanceOf + "," + totalSupply + "," + blockNumber + "]"}, 1, map[string]int{
			"eth_call": 2, "eth_call:0x70a08231": 1, "eth_call:0x18160ddd": 1, "eth_blockNumber": 1,
		}},
		{"data shorter than a selector", []string{shortCall}, 1, map[string]int{"eth_call": 1}},
		{"not JSON-RPC", []string{"hello"}, 1, map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up, hits := upstream(t)
			p := Start(t, up)
			for _, b := range tt.bodies {
				resp, _, err := post(t, p.URL(), b)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Upstream") != "yes" {
					t.Fatalf("status %d, X-Upstream %q: not relayed", resp.StatusCode, resp.Header.Get("X-Upstream"))
				}
			}
			if got := p.Requests(); got != tt.wantRequests {
				t.Errorf("Requests() = %d, want %d", got, tt.wantRequests)
			}
			if hits.Load() != int64(tt.wantRequests) {
				t.Errorf("upstream got %d requests, want %d", hits.Load(), tt.wantRequests)
			}
			got := p.Counts()
			if len(got) != len(tt.wantCounts) {
				t.Errorf("Counts() = %v, want %v", got, tt.wantCounts)
			}
			for k, v := range tt.wantCounts {
				if got[k] != v || p.Count(k) != v {
					t.Errorf("Counts()[%q] = %d, want %d", k, got[k], v)
				}
			}
		})
	}
}

func TestRelaysAnswers(t *testing.T) {
	up, _ := upstream(t)
	p := Start(t, up)
	_, body, err := post(t, p.URL(), "["+blockNumber+","+totalSupply+"]")
	if err != nil {
		t.Fatal(err)
	}
	var out []struct {
		ID     int    `json:"id"`
		Result string `json:"result"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	if len(out) != 2 || out[0].ID != 3 || out[0].Result != "eth_blockNumber" || out[1].Result != "eth_call" {
		t.Errorf("answer %q", body)
	}
}

func TestFailNext(t *testing.T) {
	tests := []struct {
		mode           Mode
		wantStatus     int // 0: the connection drops
		wantRetryAfter string
	}{
		{Drop, 0, ""},
		{HTTP500, http.StatusInternalServerError, ""},
		{HTTP429, http.StatusTooManyRequests, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			up, hits := upstream(t)
			p := Start(t, up)
			p.FailNext(2, tt.mode)
			for i := range 2 {
				resp, _, err := post(t, p.URL(), blockNumber)
				if tt.wantStatus == 0 {
					if err == nil {
						t.Fatalf("request %d: status %d, want a dropped connection", i, resp.StatusCode)
					}
					continue
				}
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				if resp.StatusCode != tt.wantStatus || resp.Header.Get("Retry-After") != tt.wantRetryAfter {
					t.Errorf("request %d: status %d, Retry-After %q; want %d, %q", i,
						resp.StatusCode, resp.Header.Get("Retry-After"), tt.wantStatus, tt.wantRetryAfter)
				}
			}
			if resp, _, err := post(t, p.URL(), blockNumber); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("third request: %v, %v; want it forwarded", resp, err)
			}
			if hits.Load() != 1 {
				t.Errorf("upstream got %d requests, want only the third", hits.Load())
			}
			if got := p.Count("eth_blockNumber"); got != 3 {
				t.Errorf("counted %d calls, want 3 (faulted ones too)", got)
			}
		})
	}
}

func TestHook(t *testing.T) {
	up, hits := upstream(t)
	p := Start(t, up)
	var (
		mu   sync.Mutex
		seen []Request
	)
	p.SetHook(func(r Request) Mode {
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
		for _, c := range r.Calls {
			if c.Selector == "0x18160ddd" {
				return HTTP500
			}
		}
		return Pass
	})
	p.FailNext(1, HTTP429) // FailNext comes before the hook

	codes := []int{}
	for _, b := range []string{blockNumber, totalSupply, balanceOf, "[" + blockNumber + "," + totalSupply + "]"} {
		resp, _, err := post(t, p.URL(), b)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, resp.StatusCode)
	}
	want := []int{429, 500, 200, 500}
	for i := range want {
		if codes[i] != want[i] {
			t.Errorf("statuses %v, want %v", codes, want)
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 || seen[0].N != 2 || !seen[2].Batch || len(seen[2].Calls) != 2 {
		t.Errorf("hook saw %+v", seen)
	}
	if hits.Load() != 1 {
		t.Errorf("upstream got %d requests, want 1", hits.Load())
	}

	p.SetHook(nil)
	if resp, _, err := post(t, p.URL(), totalSupply); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("after SetHook(nil): %v, %v", resp, err)
	}
}

func TestReset(t *testing.T) {
	up, _ := upstream(t)
	p := Start(t, up)
	post(t, p.URL(), balanceOf)
	p.FailNext(5, HTTP500)
	p.Reset()
	if p.Requests() != 0 || len(p.Counts()) != 0 {
		t.Fatalf("after Reset: %d requests, counts %v", p.Requests(), p.Counts())
	}
	resp, _, err := post(t, p.URL(), balanceOf)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("pending faults survived Reset: %v, %v", resp, err)
	}
	if p.Count("eth_call:0x70a08231") != 1 {
		t.Errorf("counts after Reset and one call: %v", p.Counts())
	}
}

const boom = `{"jsonrpc":"2.0","id":5,"method":"boom","params":[]}`

// TestLies: each way of lying changes exactly what it says, and made-up
// answers never reach upstream.
func TestLies(t *testing.T) {
	setResult := func(method string, result string) func(Call, json.RawMessage) json.RawMessage {
		return func(c Call, r json.RawMessage) json.RawMessage {
			if c.Method == method {
				return json.RawMessage(result)
			}
			return r
		}
	}
	tests := []struct {
		name      string
		body      string
		lie       Lie
		wantBody  string // compared after compacting
		wantLen   int    // when > 0, only the length is checked (and that it is JSON)
		wantHits  int64
		wantState int
	}{
		{"made-up answer", blockNumber, Lie{Body: []byte(`{"jsonrpc":"2.0","id":3,"result":"0x99"}`)},
			`{"jsonrpc":"2.0","id":3,"result":"0x99"}`, 0, 0, 200},
		{"result rewritten", blockNumber, Lie{Result: setResult("eth_blockNumber", `"0xdead"`)},
			`{"id":3,"jsonrpc":"2.0","result":"0xdead"}`, 0, 1, 200},
		{"one call of a batch rewritten, matched by id", "[" + totalSupply + "," + blockNumber + "]", Lie{Result: setResult("eth_call", `"0x01"`)},
			`[{"id":2,"jsonrpc":"2.0","result":"0x01"},{"id":3,"jsonrpc":"2.0","result":"eth_blockNumber"}]`, 0, 1, 200},
		{"error answers are left alone", boom, Lie{Result: setResult("boom", `"0x01"`)},
			`{"error":{"code":-32000,"message":"boom"},"id":5,"jsonrpc":"2.0"}`, 0, 1, 200},
		{"whole answer rewritten", "[" + totalSupply + "," + blockNumber + "]", Lie{Reply: func(b []byte) []byte {
			var msgs []json.RawMessage
			json.Unmarshal(b, &msgs)
			out, _ := json.Marshal(msgs[:1]) // the second answer goes missing
			return out
		}}, `[{"id":2,"jsonrpc":"2.0","result":"eth_call"}]`, 0, 1, 200},
		{"padded to 3 MiB", blockNumber, Lie{Pad: 3 << 20}, "", 3<<20 + len(`{"jsonrpc":"2.0","id":3,"result":"eth_blockNumber"}`) + 1, 1, 200},
		{"a lie hook can still fail a request", blockNumber, Lie{Mode: HTTP500, Body: []byte("ignored")}, "", 0, 0, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up, hits := upstream(t)
			p := Start(t, up)
			p.SetLieHook(func(Request) Lie { return tt.lie })
			resp, body, err := post(t, p.URL(), tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantState {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantState)
			}
			if hits.Load() != tt.wantHits {
				t.Errorf("upstream got %d requests, want %d", hits.Load(), tt.wantHits)
			}
			if tt.wantState != http.StatusOK {
				return
			}
			if tt.wantLen > 0 {
				if len(body) != tt.wantLen || !json.Valid([]byte(body)) {
					t.Errorf("answer of %d bytes (valid JSON: %v), want %d", len(body), json.Valid([]byte(body)), tt.wantLen)
				}
				return
			}
			var got, want bytes.Buffer
			if err := json.Compact(&got, []byte(body)); err != nil {
				t.Fatalf("answer %q: %v", body, err)
			}
			json.Compact(&want, []byte(tt.wantBody))
			if got.String() != want.String() {
				t.Errorf("answer %s, want %s", got.String(), want.String())
			}
		})
	}
}

// TestLieHookSeesIDsAndParams: a lie can depend on what was asked.
func TestLieHookSeesIDsAndParams(t *testing.T) {
	up, _ := upstream(t)
	p := Start(t, up)
	var seen []Call
	p.SetLieHook(func(r Request) Lie {
		seen = append(seen, r.Calls...)
		return Lie{}
	})
	if _, _, err := post(t, p.URL(), "["+balanceOf+","+blockNumber+"]"); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || string(seen[0].ID) != "1" || string(seen[1].ID) != "3" ||
		len(seen[0].Params) != 2 || string(seen[0].Params[1]) != `"latest"` || len(seen[1].Params) != 0 {
		t.Errorf("hook saw %+v", seen)
	}
}

func TestQuantity(t *testing.T) {
	for _, n := range []int64{0, 1, 1337, 1 << 40} {
		got, ok := ParseQuantity(Quantity(big.NewInt(n)))
		if !ok || got.Int64() != n {
			t.Errorf("ParseQuantity(Quantity(%d)) = %v, %v", n, got, ok)
		}
	}
	for _, bad := range []string{`"12"`, `12`, `"0xzz"`, `null`} {
		if _, ok := ParseQuantity(json.RawMessage(bad)); ok {
			t.Errorf("ParseQuantity(%s) accepted", bad)
		}
	}
}
