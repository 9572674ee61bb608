package cli

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// goList runs `go list -json` with args and decodes the packages.
func goList(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-json"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

type listedPackage struct {
	ImportPath   string
	Dir          string
	Imports      []string
	TestImports  []string
	XTestImports []string
	TestGoFiles  []string
	XTestGoFiles []string
	GoFiles      []string
}

const module = "github.com/stakewallet/stakewallet"

// TestLayers: layers point one way, cmd → internal/cli → internal/{keys,
// config,devnet,…} → pkg. Nothing outside internal/cli and cmd imports the
// CLI, tests included, and pkg imports nothing of internal.
func TestLayers(t *testing.T) {
	for _, p := range goList(t, "../../pkg/...", "../../internal/...") {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		inCLI := strings.HasPrefix(rel, "internal/cli") || strings.HasPrefix(rel, "internal/e2e")
		all := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
		for _, imp := range all {
			switch {
			case !inCLI && strings.HasPrefix(imp, module+"/internal/cli"):
				t.Errorf("%s imports the CLI package %s", rel, imp)
			case strings.HasPrefix(rel, "pkg/") && strings.HasPrefix(imp, module+"/internal/") && !isTestOnly(p, imp):
				t.Errorf("%s (a library package) imports %s", rel, imp)
			}
		}
	}
}

// isTestOnly reports whether imp is imported only by p's tests: a pkg
// adapter's devnet test may start the in-process devnet.
func isTestOnly(p listedPackage, imp string) bool {
	for _, i := range p.Imports {
		if i == imp {
			return false
		}
	}
	return true
}

// TestEveryCommandHasTests: every command folder under internal/cli has
// in-process tests.
func TestEveryCommandHasTests(t *testing.T) {
	pkgs := goList(t, "./...")
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages under internal/cli", len(pkgs))
	}
	for _, p := range pkgs {
		if len(p.GoFiles) == 0 {
			continue
		}
		if len(p.TestGoFiles)+len(p.XTestGoFiles) == 0 {
			t.Errorf("%s has no tests", strings.TrimPrefix(p.ImportPath, module+"/"))
		}
	}
}
