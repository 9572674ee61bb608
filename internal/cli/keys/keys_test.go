package keys

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gethkeystore "github.com/ethereum/go-ethereum/accounts/keystore"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/ledgerbackend"
	"github.com/stakewallet/stakewallet/internal/cli/root"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// Public test material only.
const (
	testMnemonic = "test test test test test test test test test test test junk"
	addr0        = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	addr1        = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
	key2Hex      = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
	addr2        = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
	passText     = "pass phrase 1"
)

type env struct {
	t      *testing.T
	home   string
	pwFile string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	gokeyring.MockInit()
	for _, v := range []string{"STAKEWALLET_PASSWORD_FILE", "STAKEWALLET_SIGNER", "STAKEWALLET_CONFIG", "NO_COLOR"} {
		t.Setenv(v, "")
	}
	home := t.TempDir()
	t.Setenv("STAKEWALLET_HOME", home)
	pw := writeFile(t, "pw", passText+"\n")
	return &env{t: t, home: home, pwFile: pw}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type result struct {
	stdout, stderr string
	err            error
}

// code is the process exit code the CLI gives r.err.
func (r result) code() int {
	code, _ := clitest.ExitCode(r.err)
	return code
}

// keysFunc opens the store under e.home the way the real factory does,
// with the cheapest scrypt (tests only) and go-keyring's mock; Ledger keys
// reach the device selected by --ledger-transport.
func (e *env) keysFunc(f *cmdutil.Factory) func() (*keys.Store, error) {
	return func() (*keys.Store, error) {
		return keys.Open(keys.Options{
			Dir: filepath.Join(e.home, "keys"), PasswordFile: f.Flags.PasswordFile, Prompter: f.IO,
			KeyringTimeout: 2 * time.Second, Scrypt: keystore.Params{N: 16, P: 1}, Keyring: keyring.GoKeyring(),
			Ledger: ledgerbackend.New(f.IO), LedgerTransport: f.Flags.LedgerTransport,
		})
	}
}

// run executes `stakewallet ARGS` under the real root command (global
// flags, flag errors as usage errors) with stdin; tty says whether stdin
// is a terminal.
func (e *env) run(stdin string, tty bool, args ...string) result {
	e.t.Helper()
	f, streams := clitest.NewFactory(stdin)
	f.IO.SetTTY(tty, false, false)
	f.Keys = e.keysFunc(f)
	r := root.NewCmdRoot(f, NewCmdKeys)
	r.SetArgs(args)
	err := r.ExecuteContext(context.Background())
	return result{streams.Out.String(), streams.ErrOut.String(), err}
}

func (e *env) mustRun(stdin string, tty bool, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, tty, args...)
	if r.err != nil {
		e.t.Fatalf("%v: %v\nstderr: %s", args, r.err, r.stderr)
	}
	return r
}

func decodeJSON(t *testing.T, s string) (m map[string]any) {
	t.Helper()
	clitest.DecodeJSON(t, s, &m)
	return m
}

func TestNew(t *testing.T) {
	e := newEnv(t)
	r := e.mustRun("", false, "keys", "new", "alice", "--password-file", e.pwFile)
	if !strings.Contains(r.stdout, "alice") || !strings.Contains(r.stdout, "0x") {
		t.Errorf("output %q", r.stdout)
	}
	r = e.mustRun("", false, "keys", "new", "bob", "--backend", "keyring", "--json")
	doc := decodeJSON(t, r.stdout)
	if doc["name"] != "bob" || doc["backend"] != "keyring" || !strings.HasPrefix(doc["address"].(string), "0x") {
		t.Errorf("json %v", doc)
	}
	if _, ok := doc["file"]; ok {
		t.Error("keyring key has a file")
	}

	// Typed twice on a terminal.
	r = e.mustRun("typed pw\ntyped pw\n", true, "keys", "new", "carol")
	if !strings.Contains(r.stderr, "New passphrase for keystore:carol") || !strings.Contains(r.stderr, "Repeat") {
		t.Errorf("prompts %q", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "typed pw") {
		t.Error("passphrase echoed")
	}
	data, _ := os.ReadFile(filepath.Join(e.home, "keys", "carol.json"))
	if _, err := gethkeystore.DecryptKey(data, "typed pw"); err != nil {
		t.Errorf("carol.json: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	e.mustRun("", false, "keys", "new", "alice", "--backend", "keyring")
	mn := writeFile(t, "m", testMnemonic)
	pk := writeFile(t, "k", key2Hex)
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"bad name", []string{"keys", "new", "a/evil"}, 2, "may only contain"},
		{"dot name", []string{"keys", "new", ".x"}, 2, "must not start"},
		{"duplicate", []string{"keys", "new", "alice", "--backend", "keyring"}, 2, "already exists"},
		{"duplicate case", []string{"keys", "new", "ALICE", "--backend", "keyring"}, 2, "differ only in case"},
		{"bad backend", []string{"keys", "new", "x", "--backend", "file"}, 2, "use keystore or keyring"},
		{"no args", []string{"keys", "new"}, 2, "NAME"},
		{"no source", []string{"keys", "import", "x"}, 2, "say where the key comes from"},
		{"two sources", []string{"keys", "import", "x", "--mnemonic-file", mn, "--private-key-file", pk}, 2, "only one"},
		{"index and path", []string{"keys", "import", "x", "--mnemonic-file", mn, "--index", "1", "--path", "m/44'/60'/0'/0/1"}, 2, "give one"},
		{"index without mnemonic", []string{"keys", "import", "x", "--private-key-file", pk, "--index", "1"}, 2, "only apply"},
		{"relative path", []string{"keys", "import", "x", "--mnemonic-file", mn, "--path", "0/1"}, 2, "absolute"},
		{"import dup", []string{"keys", "import", "alice", "--mnemonic-file", mn}, 2, "already exists"},
		{"unknown key", []string{"keys", "show", "nobody"}, 2, "keys list"},
		{"export how", []string{"keys", "export", "alice"}, 2, "--out FILE"},
		{"export both", []string{"keys", "export", "alice", "--out", "x", "--unsafe-print"}, 2, "one of"},
		{"export json", []string{"keys", "export", "alice", "--unsafe-print", "--json"}, 2, "cannot be combined"},
		{"keystore new without passphrase source", []string{"keys", "new", "y"}, 6, "--password-file"},
		{"mnemonic prompt without tty", []string{"keys", "import", "z", "--mnemonic"}, 6, "--mnemonic-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run("", false, tt.args...)
			if r.code() != tt.code || !strings.Contains(r.err.Error(), tt.msg) {
				t.Errorf("exit %d (want %d): %v", r.code(), tt.code, r.err)
			}
			if r.stdout != "" {
				t.Errorf("stdout on error: %q", r.stdout)
			}
		})
	}
}

func TestImportMnemonic(t *testing.T) {
	e := newEnv(t)
	mn := writeFile(t, "m", "\n  "+strings.ToUpper(testMnemonic)+"\n")
	tests := []struct {
		name  string
		args  []string
		stdin string
		tty   bool
		addr  string
		path  string
	}{
		{"default index", []string{"--mnemonic-file", mn, "--backend", "keyring"}, "", false, addr0, "m/44'/60'/0'/0/0"},
		{"index 1", []string{"--mnemonic-file", mn, "--index", "1", "--backend", "keyring"}, "", false, addr1, "m/44'/60'/0'/0/1"},
		{"explicit path", []string{"--mnemonic-file", mn, "--path", "m/44'/60'/0'/0/2", "--backend", "keyring"}, "", false, addr2, "m/44'/60'/0'/0/2"},
		{"prompted", []string{"--mnemonic", "--index", "1", "--password-file", e.pwFile}, testMnemonic + "\n", true, addr1, "m/44'/60'/0'/0/1"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "m" + string(rune('a'+i))
			r := e.mustRun(tt.stdin, tt.tty, append([]string{"keys", "import", name, "--json"}, tt.args...)...)
			doc := decodeJSON(t, r.stdout)
			if doc["address"] != tt.addr || doc["path"] != tt.path {
				t.Errorf("got %v", doc)
			}
			if strings.Contains(r.stderr, "junk") {
				t.Error("mnemonic echoed")
			}
		})
	}

	// BIP-39 passphrase: another wallet, and the same from prompt or file.
	pf := writeFile(t, "bp", "TREZOR\n")
	a := decodeJSON(t, e.mustRun("", false, "keys", "import", "p1", "--backend", "keyring", "--mnemonic-file", mn, "--bip39-passphrase-file", pf, "--json").stdout)
	b := decodeJSON(t, e.mustRun("TREZOR\nTREZOR\n", true, "keys", "import", "p2", "--backend", "keyring", "--mnemonic-file", mn, "--bip39-passphrase", "--json").stdout)
	if a["address"] == addr0 || a["address"] != b["address"] {
		t.Errorf("passphrase: %v vs %v", a["address"], b["address"])
	}
	r := e.run("one\ntwo\n", true, "keys", "import", "p3", "--backend", "keyring", "--mnemonic-file", mn, "--bip39-passphrase")
	if r.code() != 2 || !strings.Contains(r.err.Error(), "do not match") {
		t.Errorf("mismatch: %v", r.err)
	}

	// A mistyped word is named; a valid word never is.
	bad := writeFile(t, "bad", strings.Replace(testMnemonic, "junk", "junc", 1))
	r = e.run("", false, "keys", "import", "bad", "--backend", "keyring", "--mnemonic-file", bad)
	if r.code() != 2 || !strings.Contains(r.err.Error(), `word 12 of 12 ("junc")`) {
		t.Errorf("bad word: %v", r.err)
	}
	sum := writeFile(t, "sum", strings.Replace(testMnemonic, "junk", "test", 1))
	r = e.run("", false, "keys", "import", "bad", "--backend", "keyring", "--mnemonic-file", sum)
	if r.code() != 2 || !strings.Contains(r.err.Error(), "checksum") || strings.Contains(r.err.Error(), "test test") {
		t.Errorf("checksum: %v", r.err)
	}
}

func TestImportPrivateKeyAndKeystore(t *testing.T) {
	e := newEnv(t)
	for i, content := range []string{key2Hex, "0x" + key2Hex + "\n", "  " + strings.ToUpper(key2Hex) + "\r\n"} {
		name := "pk" + string(rune('a'+i))
		doc := decodeJSON(t, e.mustRun("", false, "keys", "import", name, "--backend", "keyring", "--private-key-file", writeFile(t, "k", content), "--json").stdout)
		if doc["address"] != addr2 || doc["path"] != "" {
			t.Errorf("%q: %v", content, doc)
		}
	}
	for _, content := range []string{"", "zz" + key2Hex[2:], key2Hex + "00", strings.Repeat("0", 64)} {
		r := e.run("", false, "keys", "import", "badpk", "--backend", "keyring", "--private-key-file", writeFile(t, "k", content))
		if r.code() != 2 {
			t.Errorf("%q: exit %d %v", content, r.code(), r.err)
		}
		if content != "" && strings.Contains(r.err.Error(), content) {
			t.Errorf("error quotes the file: %v", r.err)
		}
	}

	// "-" reads stdin: piped, or typed without echo on a terminal.
	for i, tc := range []struct {
		stdin string
		tty   bool
	}{{"0x" + key2Hex + "\n", false}, {key2Hex + "\n", true}} {
		r := e.mustRun(tc.stdin, tc.tty, "keys", "import", "stdin"+string(rune('a'+i)), "--backend", "keyring", "--private-key-file", "-", "--json")
		if doc := decodeJSON(t, r.stdout); doc["address"] != addr2 {
			t.Errorf("stdin key: %v", doc)
		}
		if strings.Contains(r.stderr, key2Hex) || (tc.tty && !strings.Contains(r.stderr, "not echoed")) {
			t.Errorf("stderr %q", r.stderr)
		}
	}
	r0 := e.mustRun(testMnemonic+"\n", false, "keys", "import", "stdinm", "--backend", "keyring", "--mnemonic-file", "-", "--index", "1", "--json")
	if doc := decodeJSON(t, r0.stdout); doc["address"] != addr1 {
		t.Errorf("stdin mnemonic: %v", doc)
	}

	// A cast keystore, its own passphrase from --password-file; copied as is.
	castPw := writeFile(t, "cpw", "cast-fixture-pass\n")
	src := "../../../pkg/signer/keystore/testdata/cast-1.7.1.json"
	doc := decodeJSON(t, e.mustRun("", false, "keys", "import", "fromcast", "--keystore", src, "--password-file", castPw, "--json").stdout)
	if doc["address"] != addr2 || doc["backend"] != "keystore" {
		t.Errorf("%v", doc)
	}
	orig, _ := os.ReadFile(src)
	copied, _ := os.ReadFile(doc["file"].(string))
	if string(orig) != string(copied) {
		t.Error("keystore not copied unchanged")
	}
	r := e.run("", false, "keys", "import", "wrongpw", "--keystore", src, "--password-file", e.pwFile)
	if r.code() != 7 || !strings.Contains(r.err.Error(), "wrong passphrase") {
		t.Errorf("wrong passphrase: exit %d %v", r.code(), r.err)
	}
}

func TestListShow(t *testing.T) {
	e := newEnv(t)
	r := e.mustRun("", false, "keys", "list")
	if r.stdout != "" || !strings.Contains(r.stderr, "No keys yet") {
		t.Errorf("empty list: %q %q", r.stdout, r.stderr)
	}
	if doc := decodeJSON(t, e.mustRun("", false, "keys", "list", "--json").stdout); len(doc["keys"].([]any)) != 0 {
		t.Errorf("empty json: %v", doc)
	}

	mn := writeFile(t, "m", testMnemonic)
	e.mustRun("", false, "keys", "import", "ring", "--backend", "keyring", "--mnemonic-file", mn, "--index", "1")
	e.mustRun("", false, "keys", "import", "file", "--private-key-file", writeFile(t, "k", key2Hex), "--password-file", e.pwFile)

	r = e.mustRun("", false, "keys", "list")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[1], "file") || !strings.Contains(lines[2], addr1) || !strings.Contains(lines[2], "m/44'/60'/0'/0/1") {
		t.Errorf("table:\n%s", r.stdout)
	}
	// Columns line up.
	if strings.Index(lines[1], "0x") != strings.Index(lines[2], "0x") {
		t.Errorf("columns not aligned:\n%s", r.stdout)
	}

	// Remove the keyring entry behind stakewallet's back.
	if err := gokeyring.Delete(keyring.Service, "ring"); err != nil {
		t.Fatal(err)
	}
	doc := decodeJSON(t, e.mustRun("", false, "keys", "list", "--json").stdout)
	list := doc["keys"].([]any)
	if len(list) != 2 {
		t.Fatalf("%v", doc)
	}
	fileKey, ringKey := list[0].(map[string]any), list[1].(map[string]any)
	wantKeys := map[string]bool{"name": true, "backend": true, "address": true, "path": true, "file": true, "missing": true}
	for k := range fileKey {
		if !wantKeys[k] {
			t.Errorf("unexpected field %q", k)
		}
	}
	if fileKey["missing"] != nil || fileKey["file"] != filepath.Join(e.home, "keys", "file.json") {
		t.Errorf("file key %v", fileKey)
	}
	if ringKey["missing"] != true || ringKey["file"] != nil || ringKey["path"] != "m/44'/60'/0'/0/1" {
		t.Errorf("ring key %v", ringKey)
	}
	if r := e.mustRun("", false, "keys", "list"); !strings.Contains(r.stdout, "missing (keyring entry removed)") {
		t.Errorf("human list: %s", r.stdout)
	}

	r = e.mustRun("", false, "keys", "show", "ring")
	for _, want := range []string{"keyring", addr1, "m/44'/60'/0'/0/1", "missing"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	doc = decodeJSON(t, e.mustRun("", false, "keys", "show", "file", "--json").stdout)
	if doc["name"] != "file" || doc["address"] != addr2 || doc["createdAt"] == nil {
		t.Errorf("show json %v", doc)
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"a", "b", "c"} {
		e.mustRun("", false, "keys", "new", n, "--backend", "keyring")
	}
	e.mustRun("", false, "keys", "new", "d", "--password-file", e.pwFile)

	r := e.run("", false, "keys", "delete", "a")
	if r.code() != 6 || !strings.Contains(r.err.Error(), "--yes") {
		t.Errorf("no tty: exit %d %v", r.code(), r.err)
	}
	r = e.run("n\n", true, "keys", "delete", "a")
	if r.code() != 6 || !errors.Is(r.err, signer.ErrDeclined) {
		t.Errorf("declined: %v", r.err)
	}
	if !strings.Contains(r.stderr, "Delete key a (0x") || !strings.Contains(r.stderr, "This cannot be undone") {
		t.Errorf("question: %q", r.stderr)
	}
	e.mustRun("y\n", true, "keys", "delete", "a")
	doc := decodeJSON(t, e.mustRun("", false, "keys", "delete", "b", "--yes", "--json").stdout)
	if doc["deleted"].(map[string]any)["name"] != "b" {
		t.Errorf("%v", doc)
	}
	e.mustRun("", false, "keys", "delete", "d", "-y")
	if _, err := os.Stat(filepath.Join(e.home, "keys", "d.json")); !errors.Is(err, os.ErrNotExist) {
		t.Error("keystore file survives")
	}
	list := decodeJSON(t, e.mustRun("", false, "keys", "list", "--json").stdout)["keys"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["name"] != "c" {
		t.Errorf("left: %v", list)
	}
	if _, err := gokeyring.Get(keyring.Service, "a"); !errors.Is(err, gokeyring.ErrNotFound) {
		t.Error("keyring entry survives")
	}
	if r := e.run("", false, "keys", "delete", "zzz", "--yes"); r.code() != 2 {
		t.Errorf("unknown: %v", r.err)
	}
}

func TestExport(t *testing.T) {
	e := newEnv(t)
	e.mustRun("", false, "keys", "import", "ring", "--backend", "keyring", "--private-key-file", writeFile(t, "k", key2Hex))
	e.mustRun("", false, "keys", "import", "file", "--private-key-file", writeFile(t, "k", key2Hex), "--password-file", e.pwFile)

	for _, name := range []string{"ring", "file"} {
		out := filepath.Join(t.TempDir(), name+".json")
		r := e.mustRun("", false, "keys", "export", name, "--out", out, "--password-file", e.pwFile)
		if !strings.Contains(r.stderr, "warning") {
			t.Errorf("no warning: %q", r.stderr)
		}
		data, _ := os.ReadFile(out)
		if k, err := gethkeystore.DecryptKey(data, passText); err != nil || k.Address.Hex() != addr2 {
			t.Errorf("%s export: %v", name, err)
		}
		if r := e.run("", false, "keys", "export", name, "--out", out, "--password-file", e.pwFile); r.code() != 2 || !strings.Contains(r.err.Error(), "refusing to overwrite") {
			t.Errorf("overwrite: %v", r.err)
		}
		r = e.mustRun("", false, "keys", "export", name, "--unsafe-print", "--password-file", e.pwFile)
		if r.stdout != "0x"+key2Hex+"\n" || !strings.Contains(r.stderr, "warning") {
			t.Errorf("unsafe print: %q %q", r.stdout, r.stderr)
		}
	}
	// The keystore key on a terminal: its passphrase is prompted.
	r := e.mustRun(passText+"\n", true, "keys", "export", "file", "--unsafe-print")
	if !strings.Contains(r.stdout, key2Hex) {
		t.Errorf("%q", r.stdout)
	}
}

// The rule without exception: after a full run, no file under the config
// directory and no output (except the explicit --unsafe-print) contains a
// private key, the mnemonic or a passphrase.
func TestNoSecretsLeak(t *testing.T) {
	e := newEnv(t)
	mnemonic := "legal winner thank year wave sausage worth useful legal winner thank yellow"
	mn := writeFile(t, "m", mnemonic)
	bip39Pass := writeFile(t, "bp", "bip39 secret words\n")
	pk := writeFile(t, "k", key2Hex)
	castPw := writeFile(t, "cpw", "cast-fixture-pass\n")
	exportDir := t.TempDir()

	var outputs []string
	steps := []struct {
		stdin string
		tty   bool
		args  []string
	}{
		{"", false, []string{"keys", "import", "m-ring", "--backend", "keyring", "--mnemonic-file", mn, "--bip39-passphrase-file", bip39Pass}},
		{"", false, []string{"keys", "import", "m-file", "--mnemonic-file", mn, "--index", "4", "--password-file", e.pwFile, "--json"}},
		{mnemonic + "\n", true, []string{"keys", "import", "m-typed", "--mnemonic", "--backend", "keyring", "--index", "7"}},
		{"", false, []string{"keys", "import", "pk-ring", "--backend", "keyring", "--private-key-file", pk}},
		{"", false, []string{"keys", "import", "pk-file", "--private-key-file", pk, "--password-file", e.pwFile}},
		{"", false, []string{"keys", "import", "ks", "--keystore", "../../../pkg/signer/keystore/testdata/cast-1.7.1.json", "--password-file", castPw}},
		{"", false, []string{"keys", "new", "fresh", "--password-file", e.pwFile, "--json"}},
		{"", false, []string{"keys", "new", "fresh-ring", "--backend", "keyring"}},
		{"", false, []string{"keys", "list"}},
		{"", false, []string{"keys", "list", "--json"}},
		{"", false, []string{"keys", "show", "m-ring", "--json"}},
		{"", false, []string{"keys", "export", "m-ring", "--out", filepath.Join(exportDir, "x.json"), "--password-file", e.pwFile}},
		{"", false, []string{"keys", "delete", "pk-ring", "--yes"}},
		{"", false, []string{"keys", "import", "bad", "--mnemonic-file", writeFile(t, "b", strings.Replace(mnemonic, "yellow", "thank", 1)), "--backend", "keyring"}},
		{"", false, []string{"keys", "import", "bad", "--keystore", "../../../pkg/signer/keystore/testdata/cast-1.7.1.json", "--password-file", e.pwFile}},
	}
	for _, s := range steps {
		r := e.run(s.stdin, s.tty, s.args...)
		outputs = append(outputs, r.stdout, r.stderr)
		if r.err != nil {
			outputs = append(outputs, r.err.Error())
		}
	}

	// Every private key stakewallet now holds, read back explicitly.
	secrets := []string{mnemonic, "bip39 secret words", passText, "cast-fixture-pass", key2Hex}
	for _, name := range []string{"m-ring", "m-file", "m-typed", "pk-file", "ks", "fresh", "fresh-ring"} {
		r := e.mustRun("", false, "keys", "export", name, "--unsafe-print", "--password-file", passwordFor(e, name, castPw))
		secrets = append(secrets, strings.TrimPrefix(strings.TrimSpace(r.stdout), "0x"))
	}
	if len(secrets) != 12 {
		t.Fatalf("%d secrets", len(secrets))
	}

	check := func(where, content string) {
		low := strings.ToLower(content)
		for _, s := range secrets {
			if strings.Contains(low, strings.ToLower(s)) {
				t.Errorf("%s contains a secret (%.8s…)", where, s)
			}
		}
	}
	for i, o := range outputs {
		check(fmt.Sprintf("output %d", i), o)
	}
	err := filepath.Walk(e.home, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		check(path, string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func passwordFor(e *env, name, castPw string) string {
	if name == "ks" {
		return castPw
	}
	return e.pwFile
}
