package keys

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

// TestJSONDocuments: the typed results marshal to the documents the keys
// commands printed before they had types: same keys, same value types.
func TestJSONDocuments(t *testing.T) {
	e := newEnv(t)
	created := decodeJSON(t, e.mustRun("", false, "keys", "import", "file", "--private-key-file", writeFile(t, "k", key2Hex), "--password-file", e.pwFile, "--json").stdout)
	if got := clitest.JSONKeys(created); got != "address,backend,file,name,path" {
		t.Errorf("import: keys %s", got)
	}
	if created["address"] != addr2 || created["path"] != "" || created["file"] != filepath.Join(e.home, "keys", "file.json") {
		t.Errorf("import: %v", created)
	}
	ring := decodeJSON(t, e.mustRun("", false, "keys", "new", "ring", "--backend", "keyring", "--json").stdout)
	if got := clitest.JSONKeys(ring); got != "address,backend,name,path" {
		t.Errorf("new keyring: keys %s", got)
	}

	show := decodeJSON(t, e.mustRun("", false, "keys", "show", "file", "--json").stdout)
	if got := clitest.JSONKeys(show); got != "address,backend,createdAt,file,name,path" {
		t.Errorf("show: keys %s", got)
	}
	if at, err := time.Parse(time.RFC3339Nano, show["createdAt"].(string)); err != nil || time.Since(at) > time.Hour {
		t.Errorf("show createdAt %v: %v", show["createdAt"], err)
	}

	list := decodeJSON(t, e.mustRun("", false, "keys", "list", "--json").stdout)
	if got := clitest.JSONKeys(list); got != "keys" {
		t.Errorf("list: keys %s", got)
	}
	if n := len(list["keys"].([]any)); n != 2 {
		t.Errorf("list: %d keys", n)
	}

	out := filepath.Join(t.TempDir(), "ring.json")
	exp := decodeJSON(t, e.mustRun("", false, "keys", "export", "ring", "--out", out, "--password-file", e.pwFile, "--json").stdout)
	if got := clitest.JSONKeys(exp); got != "address,file,name" || exp["name"] != "ring" || exp["file"] != out || exp["address"] != ring["address"] {
		t.Errorf("export: %v", exp)
	}

	del := decodeJSON(t, e.mustRun("", false, "keys", "delete", "file", "--yes", "--json").stdout)
	inner, ok := del["deleted"].(map[string]any)
	if got := clitest.JSONKeys(del); got != "deleted" || !ok {
		t.Fatalf("delete: %v", del)
	}
	if got := clitest.JSONKeys(inner); got != "address,backend,name,path" || inner["name"] != "file" || inner["backend"] != "keystore" || inner["address"] != addr2 {
		t.Errorf("delete: %v", inner)
	}
}

// TestHumanResults: the human lines of delete and export say what
// happened to the secret, per backend.
func TestHumanResults(t *testing.T) {
	e := newEnv(t)
	e.mustRun("", false, "keys", "import", "ring", "--backend", "keyring", "--private-key-file", writeFile(t, "k", key2Hex))
	e.mustRun("", false, "keys", "import", "file", "--private-key-file", writeFile(t, "k", key2Hex), "--password-file", e.pwFile)

	for _, tc := range []struct{ name, how string }{{"ring", "a new passphrase"}, {"file", "its existing passphrase"}} {
		out := filepath.Join(t.TempDir(), tc.name+".json")
		r := e.mustRun("", false, "keys", "export", tc.name, "--out", out, "--password-file", e.pwFile)
		if want := "Wrote " + out + ": key " + tc.name + " (" + addr2 + "), encrypted with " + tc.how + "\n"; r.stdout != want {
			t.Errorf("export %s: %q, want %q", tc.name, r.stdout, want)
		}
	}
	for _, tc := range []struct{ name, what string }{{"ring", "keyring entry removed"}, {"file", "keystore file removed"}} {
		r := e.mustRun("", false, "keys", "delete", tc.name, "--yes")
		if want := "Deleted key " + tc.name + " (" + addr2 + "); " + tc.what + "\n"; r.stdout != want {
			t.Errorf("delete %s: %q, want %q", tc.name, r.stdout, want)
		}
	}
	r := e.mustRun("", false, "keys", "new", "fresh", "--password-file", e.pwFile)
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 3 || lines[0] != "Created keystore key fresh" || !strings.HasPrefix(strings.TrimSpace(lines[1]), "address  0x") ||
		strings.TrimSpace(lines[2]) != "file     "+filepath.Join(e.home, "keys", "fresh.json") {
		t.Errorf("new:\n%s", r.stdout)
	}
}

func emuAddress(t *testing.T, emu *ledgeremu.Emulator, path string) string {
	t.Helper()
	p, err := accounts.ParseDerivationPath(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := emu.Address(p)
	if err != nil {
		t.Fatal(err)
	}
	return a.Hex()
}

// TestAddLedger: `keys add --ledger` against the emulated device registers
// the address the device derives at the chosen path, shows it on the
// device only with --confirm-address, and registers nothing when the user
// rejects it there.
func TestAddLedger(t *testing.T) {
	e := newEnv(t)
	emu, transport := clitest.StartLedger(t, ledgeremu.Options{})

	doc := decodeJSON(t, e.mustRun("", false, "keys", "add", "cold", "--ledger", "--index", "1", "--ledger-transport", transport, "--json").stdout)
	if want := emuAddress(t, emu, "m/44'/60'/1'/0/0"); doc["address"] != want || doc["path"] != "m/44'/60'/1'/0/0" || doc["backend"] != "ledger" {
		t.Errorf("add --index 1: %v, want address %s", doc, want)
	}
	if got := clitest.JSONKeys(doc); got != "address,backend,name,path" {
		t.Errorf("add: keys %s", got)
	}
	if len(emu.Screens()) != 0 {
		t.Errorf("without --confirm-address the device showed %+v", emu.Screens())
	}

	r := e.mustRun("", false, "keys", "add", "old", "--ledger", "--path", "m/44'/60'/0'/3", "--ledger-transport", transport)
	legacy := emuAddress(t, emu, "m/44'/60'/0'/3")
	if !strings.HasPrefix(r.stdout, "Added ledger key old\n") || !strings.Contains(r.stdout, legacy) || !strings.Contains(r.stdout, "m/44'/60'/0'/3") {
		t.Errorf("human:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "not shown on its screen") {
		t.Errorf("no note about the unchecked address: %q", r.stderr)
	}

	r = e.mustRun("", false, "keys", "add", "seen", "--ledger", "--confirm-address", "--ledger-transport", transport, "--json")
	account0 := emuAddress(t, emu, "m/44'/60'/0'/0/0")
	if !strings.Contains(r.stderr, "Address at m/44'/60'/0'/0/0: "+account0) || !strings.Contains(r.stderr, ledgerapp.MsgVerifyAddress) {
		t.Errorf("stderr %q", r.stderr)
	}
	if s := emu.Screens(); len(s) != 1 || s[0].Kind != "address" || s[0].Address.Hex() != account0 || !s[0].Approved {
		t.Errorf("screens %+v", s)
	}

	if err := emu.Update(func(o *ledgeremu.Options) { o.Reject = true }); err != nil {
		t.Fatal(err)
	}
	r = e.run("", false, "keys", "add", "nope", "--ledger", "--index", "2", "--confirm-address", "--ledger-transport", transport)
	if r.code() != cmdutil.ExitNeedsInput || !errors.Is(r.err, signer.ErrDeclined) || !strings.Contains(r.err.Error(), "nope was not registered") {
		t.Errorf("rejected: exit %d %v", r.code(), r.err)
	}

	list := decodeJSON(t, e.mustRun("", false, "keys", "list", "--json").stdout)["keys"].([]any)
	var names []string
	for _, k := range list {
		names = append(names, k.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "cold,old,seen" {
		t.Errorf("registered %v", names)
	}
	if r := e.run("", false, "keys", "export", "cold", "--out", filepath.Join(t.TempDir(), "x.json")); r.code() != cmdutil.ExitBadInput || !strings.Contains(r.err.Error(), "never leaves") {
		t.Errorf("export a Ledger key: exit %d %v", r.code(), r.err)
	}
	r = e.mustRun("", false, "keys", "delete", "cold", "--yes")
	if !strings.Contains(r.stdout, "the device keeps the key") {
		t.Errorf("delete: %q", r.stdout)
	}
	// A taken name is refused before the device is asked.
	_ = emu.Update(func(o *ledgeremu.Options) { o.Locked = true })
	if r := e.run("", false, "keys", "add", "old", "--ledger", "--ledger-transport", transport); r.code() != cmdutil.ExitBadInput || !strings.Contains(r.err.Error(), "already exists") {
		t.Errorf("taken name: exit %d %v", r.code(), r.err)
	}
	// A locked device: exit 7.
	if r := e.run("", false, "keys", "add", "locked", "--ledger", "--ledger-transport", transport); r.code() != cmdutil.ExitSignerUnavl {
		t.Errorf("locked: exit %d %v", r.code(), r.err)
	}
}
