package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// module is the import path of baas; packages are named below relative to it ("" is the
// root package, "api/..." is api and everything under it).
const module = "github.com/baas-oss/baas"

// A rule says that the packages matching From must not depend on (import, directly or
// through other packages) anything Forbidden matches. Patterns: "" is the root package,
// "x/..." is x and every package under it, "std" is the standard library, "!std" anything
// outside it, a pattern with a dot in its first element is a package outside the module.
// Except lists packages the rule does not apply to. Only non-test code is checked: tests
// open real stores wherever they need them.
type rule struct {
	Name      string
	From      []string
	Forbidden []string
	Except    []string
}

// rules is what may import what: docs/design.md explains it. A new package that must not
// reach something gets a row here.
var rules = []rule{
	{Name: "the root package uses the standard library only",
		From: []string{""}, Forbidden: []string{"!std"}},
	{Name: "the leaf packages are pure: standard library and the root only",
		From: []string{"ledger/...", "money/..."}, Forbidden: []string{"!std", "!root"}},
	{Name: "the card-data vault is pure: standard library, the root, and its crypto libraries",
		From: []string{"vault/..."}, Forbidden: []string{"!std", "!root", "!golang.org/x/crypto/...", "!github.com/go-jose/..."}},
	{Name: "chain addresses are pure: standard library and x/crypto (with its x/sys/cpu) only",
		From: []string{"chainaddr/..."}, Forbidden: []string{"!std", "!golang.org/x/crypto/...", "!golang.org/x/sys/cpu"}},
	{Name: "spending-control evaluation is pure: standard library only",
		From: []string{"rules/..."}, Forbidden: []string{"!std"}},
	{Name: "the core imports no dialect nor anything outside it",
		From: []string{"core/..."}, Forbidden: []string{"api/...", "server/...", "webhook/...", "cmd/...", "loadtest/..."}},
	{Name: "the core runs on baas.Store, never on a store package",
		From: []string{"core/..."}, Forbidden: []string{"store/..."}},
	{Name: "the core does not speak HTTP",
		From: []string{"core/..."}, Forbidden: []string{"net/http/..."}},
	{Name: "the core reports plain figures, not Prometheus metrics",
		From: []string{"core/..."}, Forbidden: []string{"github.com/prometheus/..."}},
	{Name: "a dialect reaches data through the core, never a store",
		From: []string{"api/..."}, Forbidden: []string{"store/..."}},
	{Name: "no dialect imports another (what they share lives in api/httpx)",
		From: []string{"api/codego/..."}, Forbidden: []string{"api/girasol/...", "api/admin/..."}},
	{Name: "no dialect imports another (what they share lives in api/httpx)",
		From: []string{"api/girasol/..."}, Forbidden: []string{"api/codego/...", "api/admin/..."}},
	{Name: "no dialect imports another (what they share lives in api/httpx)",
		From: []string{"api/admin/..."}, Forbidden: []string{"api/codego/...", "api/girasol/..."}},
	{Name: "the dispatcher reaches the outbox through the core, never a store",
		From: []string{"webhook/..."}, Forbidden: []string{"store/...", "api/..."}},
	{Name: "a store implements the root interfaces and knows nothing above them",
		From: []string{"store/..."}, Forbidden: []string{"core/...", "api/...", "server/...", "webhook/...", "cmd/...", "loadtest/..."}},
	{Name: "the API reference is plain embedded documents: the binary never links the OpenAPI validator",
		From: []string{"..."}, Forbidden: []string{"github.com/getkin/...", "github.com/santhosh-tekuri/..."},
		Except: []string{"openapi/openapitest/...", "server/servertest/..."}},
	{Name: "only cmd (and the test helpers that open stores) names a concrete store",
		From: []string{"..."}, Forbidden: []string{"store/sqlite/...", "store/postgres/..."},
		Except: []string{"cmd/...", "store/sqlite/...", "store/postgres/...", "store/storetest/...", "server/servertest/..."}},
}

// pkg is what go list says of a package.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
}

// graph is the module's packages and everything they depend on, non-test code only.
type graph struct {
	imports map[string][]string // import path → direct imports
	std     map[string]bool
	own     []string // the module's packages, relative to module
}

// loadGraph asks the go command for the module's packages and their dependencies.
func loadGraph(t *testing.T) *graph {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goCmd, "list", "-deps", "-json=ImportPath,Standard,Imports", "./...")
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	g := &graph{imports: map[string][]string{}, std: map[string]bool{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		g.imports[p.ImportPath] = p.Imports
		g.std[p.ImportPath] = p.Standard
		if rel, ok := relative(p.ImportPath); ok {
			g.own = append(g.own, rel)
		}
	}
	slices.Sort(g.own)
	return g
}

// relative returns an import path relative to the module, ok false when it is outside.
func relative(path string) (string, bool) {
	if path == module {
		return "", true
	}
	if rest, ok := strings.CutPrefix(path, module+"/"); ok {
		return rest, true
	}
	return "", false
}

// matches reports whether the package path (an import path) matches pattern.
func (g *graph) matches(pattern, path string) bool {
	rel, own := relative(path)
	switch pattern {
	case "std":
		return g.std[path] || path == "C" // cgo's pseudo-package (below net) counts as standard
	case "!std":
		return !g.std[path] && path != "C"
	case "!root":
		return path != module
	case "":
		return own && rel == ""
	case "...":
		return own
	}
	if neg, ok := strings.CutPrefix(pattern, "!"); ok {
		return !g.matches(neg, path)
	}
	name := rel
	if first, _, _ := strings.Cut(pattern, "/"); strings.Contains(first, ".") || g.std[strings.TrimSuffix(pattern, "/...")] {
		name, own = path, true // a package outside the module, named by its import path
	}
	if !own {
		return false
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return name == base || strings.HasPrefix(name, base+"/")
	}
	return name == pattern
}

// matchesAny reports whether path matches one of patterns; every pattern must hold for a
// negated pair such as "!std", "!root" (outside the standard library and not the root).
func (g *graph) matchesAny(patterns []string, path string) bool {
	var negated []string
	for _, p := range patterns {
		if strings.HasPrefix(p, "!") {
			negated = append(negated, p)
		} else if g.matches(p, path) {
			return true
		}
	}
	if len(negated) == 0 {
		return false
	}
	for _, p := range negated {
		if !g.matches(p, path) {
			return false
		}
	}
	return true
}

// check returns one line per broken rule and package: the rule, the package and the
// chain of imports that reaches the forbidden one.
func (g *graph) check(rules []rule) []string {
	var broken []string
	for _, rel := range g.own {
		from := module
		if rel != "" {
			from = module + "/" + rel
		}
		for _, r := range rules {
			if !g.matchesAny(r.From, from) || (len(r.Except) > 0 && g.matchesAny(r.Except, from)) {
				continue
			}
			// Breadth first: the shortest chain to each forbidden package.
			parent := map[string]string{from: ""}
			queue := []string{from}
			for len(queue) > 0 {
				p := queue[0]
				queue = queue[1:]
				for _, imp := range g.imports[p] {
					if _, seen := parent[imp]; seen {
						continue
					}
					parent[imp] = p
					if g.matchesAny(r.Forbidden, imp) {
						var chain []string
						for q := imp; q != ""; q = parent[q] {
							chain = append(chain, short(q))
						}
						slices.Reverse(chain)
						broken = append(broken, "rule \""+r.Name+"\": "+strings.Join(chain, " → "))
						continue // one line per forbidden package; do not look further through it
					}
					queue = append(queue, imp)
				}
			}
		}
	}
	return broken
}

// short names a module package by its path in the module ("baas" for the root).
func short(path string) string {
	if rel, ok := relative(path); ok {
		if rel == "" {
			return "baas"
		}
		return rel
	}
	return path
}

// TestImportDirections: no package of the module depends on what the rules forbid it.
func TestImportDirections(t *testing.T) {
	g := loadGraph(t)
	for _, b := range g.check(rules) {
		t.Error(b)
	}
	// A rule whose packages were renamed away would pass silently: each names some.
	for _, r := range rules {
		found := false
		for _, rel := range g.own {
			if g.matchesAny(r.From, module+"/"+rel) || (rel == "" && g.matchesAny(r.From, module)) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("rule %q applies to no package: were its packages renamed?", r.Name)
		}
	}
}

// TestRulesCatchViolations: the checker names the rule a forbidden import breaks and the
// chain that reaches it, directly or through another package.
func TestRulesCatchViolations(t *testing.T) {
	m := func(rel string) string {
		if rel == "" {
			return module
		}
		return module + "/" + rel
	}
	g := &graph{
		imports: map[string][]string{
			m(""):             {"fmt", "github.com/google/uuid"},
			m("core"):         {m(""), "net/http", "fmt"},
			m("api/girasol"):  {m("core"), m("api/helper")},
			m("api/helper"):   {m("store/sqldb")},
			m("store/sqldb"):  {m("")},
			m("money"):        {"strconv", m("")},
			m("server"):       {m("store/sqlite")},
			m("store/sqlite"): {m("store/sqldb")},
			m("cmd/baas"):     {m("store/sqlite")},
		},
		std: map[string]bool{"fmt": true, "net/http": true, "strconv": true, "net/url": true},
		own: []string{"", "api/girasol", "api/helper", "cmd/baas", "core", "money", "server", "store/sqldb", "store/sqlite"},
	}
	got := g.check(rules)
	want := []string{
		`rule "the root package uses the standard library only": baas → github.com/google/uuid`,
		`rule "a dialect reaches data through the core, never a store": api/girasol → api/helper → store/sqldb`,
		`rule "a dialect reaches data through the core, never a store": api/helper → store/sqldb`,
		`rule "the core does not speak HTTP": core → net/http`,
		`rule "the leaf packages are pure: standard library and the root only": money → baas → github.com/google/uuid`,
		`rule "only cmd (and the test helpers that open stores) names a concrete store": server → store/sqlite`,
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing: %s\ngot:\n%s", w, strings.Join(got, "\n"))
		}
	}
	for _, b := range got {
		if strings.Contains(b, "cmd/baas →") || strings.HasPrefix(b, `rule "the core imports no dialect`) {
			t.Errorf("false alarm: %s", b)
		}
	}
}
