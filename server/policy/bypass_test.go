package policy_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// systemAllowed are the packages (module-relative directories; a trailing "/..." takes the
// packages below as well) that may use policy.System, the bypass of every privacy rule.
// Everything else, package graph above all, reads and writes with the viewer's rights; a
// rule that needs more (a counter, an aggregate over rows the viewer may not read) belongs in
// server/policy or server/integrity, declared from the type's schema.
//
// Some entries are placeholders for packages that are planned (issue 11): an entry for a
// package that does not exist allows nothing.
var systemAllowed = []string{
	"server/auth/...",  // login, sessions, provisioning: before there is a viewer
	"server/live/...",  // delivery checks each recipient's rights itself
	"server/search",    // the index holds everything; queries filter by the viewer
	"server/demo",      // the demo loader writes history as it was
	"server/policy",    // the rules themselves
	"server/integrity", // invariants and counters kept by the server
	"server/apitest",   // test fixtures (members created directly)
	"server/audit",     // the audit log records what anyone did
	"server/privacy",   // DSGVO export (the member's own rows) and deletion
	"server/notify",    // notifications: recipients' rights are checked per recipient
	"server/mail",      // the outbox and the one-click unsubscribe (no login by design)
	"server/mylists",   // the member's own lists: waitlist positions, surveys not yet answered
	"bench/...",        // benchmarks seed and check their data
}

const policyImport = "zirkel/server/policy"

// TestSystemOnlyWhereAllowed parses every non-test Go file of the module and fails on each
// use of policy.System outside systemAllowed.
func TestSystemOnlyWhereAllowed(t *testing.T) {
	root := moduleRoot(t)
	uses, err := systemUses(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uses {
		if !allowed(u.dir) {
			t.Errorf("%s: policy.System is used in %s, which is not in systemAllowed (server/policy/bypass_test.go)", u.pos, u.dir)
		}
	}
}

// TestSystemCheckFindsUses proves that the check sees a use, also under another import name,
// and that package graph is not allowed one.
func TestSystemCheckFindsUses(t *testing.T) {
	root := t.TempDir()
	write := func(path, src string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, path), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("graph/bad.go", "package graph\nimport p \"zirkel/server/policy\"\nvar _ = p.System\n")
	write("graph/bad_test.go", "package graph\nimport \"zirkel/server/policy\"\nvar _ = policy.System\n")
	write("server/demo/ok.go", "package demo\nimport \"zirkel/server/policy\"\nvar _ = policy.System\n")
	write("server/other/ok.go", "package other\nimport \"zirkel/server/policy\"\nvar _ = policy.MessageRows\n")
	uses, err := systemUses(root)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, u := range uses {
		dirs = append(dirs, u.dir)
	}
	slices.Sort(dirs)
	if !slices.Equal(dirs, []string{"graph", "server/demo"}) {
		t.Fatalf("uses found in %v, want graph and server/demo", dirs)
	}
	if allowed("graph") || !allowed("server/demo") || !allowed("server/auth/directory") || !allowed("bench/readpath") || allowed("server/authx") {
		t.Fatal("the allow-list does not match as documented")
	}
}

// use is one reference to policy.System.
type use struct{ dir, pos string }

// systemUses finds the references to policy.System in the non-test Go files under root.
func systemUses(root string) ([]use, error) {
	var out []use
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		names := map[string]bool{}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == policyImport {
				name := "policy"
				if imp.Name != nil {
					name = imp.Name.Name
				}
				if name == "." { // a dot import would hide every use: counted as one
					out = append(out, use{dir: "", pos: fset.Position(imp.Pos()).String()})
				}
				names[name] = true
			}
		}
		if len(names) == 0 {
			return nil
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		for i := range out {
			if out[i].dir == "" {
				out[i].dir = filepath.ToSlash(rel)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "System" {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && names[id.Name] {
				out = append(out, use{dir: filepath.ToSlash(rel), pos: fset.Position(sel.Pos()).String()})
			}
			return true
		})
		return nil
	})
	return out, err
}

// allowed tells whether a module-relative package directory may use policy.System.
func allowed(dir string) bool {
	for _, a := range systemAllowed {
		if base, tree := strings.CutSuffix(a, "/..."); tree {
			if dir == base || strings.HasPrefix(dir, base+"/") {
				return true
			}
		} else if dir == a {
			return true
		}
	}
	return false
}

// moduleRoot is the directory of go.mod above the test's package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}
