package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// clientMessageCalls are the calls whose string literal arguments reach clients as messages:
// the function (package.Name) and the index of the message argument.
var clientMessageCalls = map[string]int{
	"apperr.Invalid":   1,
	"apperr.Forbidden": 0,
	"apperr.Conflict":  0,
	"privacy.Denyf":    0,
}

// TestEveryClientMessageHasGerman reads the module's hand-written Go code and finds every
// message that a client can be shown (apperr's constructors, apperr.Error literals, privacy
// denials): each must have a German entry in the catalogue, so that a new rule cannot answer
// German clients in English. The messages are found, not listed.
func TestEveryClientMessageHasGerman(t *testing.T) {
	missing := map[string][]string{}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "ent", "generated", "node_modules", "testdata", ".git":
				if path != root {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		for _, msg := range clientMessages(t, path) {
			if _, ok := german[msg]; !ok && strings.ContainsFunc(msg, unicode.IsLetter) && msg != "%s" {
				missing[msg] = append(missing[msg], path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(missing))
	for k := range missing {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("no German for %q (%s)", k, strings.Join(missing[k], ", "))
	}
}

// clientMessages are the message literals of one file.
func clientMessages(t *testing.T, path string) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	var out []string
	literal := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				out = append(out, s)
			}
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			if i, ok := clientMessageCalls[pkg.Name+"."+sel.Sel.Name]; ok && i < len(n.Args) {
				literal(n.Args[i])
			}
		case *ast.CompositeLit:
			if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" {
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "apperr" {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "Message" {
								literal(kv.Value)
							}
						}
					}
				}
			}
		}
		return true
	})
	return out
}
