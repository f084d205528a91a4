package internal_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// adapters are the packages under internal/ that may reach the outside
// world (HTTP, SQL, file formats), with everything below them; app, the
// use-case layer, stands on store.
var adapters = []string{"store", "web", "sheet", "app"}

// forbidden are what a domain package must not depend on, directly or
// not: an import path, or a prefix ending in "/".
var forbidden = []string{
	"net/http",
	"database/sql",
	module + "/internal/store",
	module + "/internal/store/",
	module + "/internal/web",
	module + "/internal/web/",
	"github.com/xuri/excelize/",
}

const module = "github.com/jiahe-project/jiahe"

// knownExceptions are domain packages that break the rule today, each with
// the fix that will remove it.
var knownExceptions = map[string]string{}

// TestDomainDependencies checks the dependency rule: the domain packages
// (every library package under internal/ that is not an adapter) never
// depend on net/http, database/sql, store, web or excelize.
func TestDomainDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{.Name}} {{join .Deps " "}}`, "./...").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var checked []string
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		path, name, deps := fields[0], fields[1], fields[2:]
		rel, ok := strings.CutPrefix(path, module+"/internal/")
		if !ok || name == "main" || isAdapter(rel) { // commands are tools, not domain code
			continue
		}
		checked = append(checked, rel)
		bad := badDeps(deps)
		why, excepted := knownExceptions[rel]
		switch {
		case len(bad) > 0 && !excepted:
			t.Errorf("domain package internal/%s depends on %s", rel, strings.Join(bad, ", "))
		case len(bad) > 0:
			t.Logf("internal/%s is a known exception (%s): depends on %s", rel, why, strings.Join(bad, ", "))
		case excepted:
			t.Errorf("internal/%s no longer breaks the rule: remove it from knownExceptions", rel)
		}
	}
	for _, want := range []string{"date", "money", "region", "idcard", "apperr", "registry", "policy", "workflow", "payment", "audit", "auth", "synth", "roll", "term", "matching", "textcheck", "pdf", "printout", "birth", "childcare", "special", "stats", "portal", "attach", "inperson", "recheck", "escalate", "move"} {
		if !slices.Contains(checked, want) {
			t.Errorf("internal/%s was not checked (checked: %v)", want, checked)
		}
	}
}

func isAdapter(rel string) bool {
	for _, a := range adapters {
		if rel == a || strings.HasPrefix(rel, a+"/") {
			return true
		}
	}
	return false
}

func badDeps(deps []string) []string {
	var bad []string
	for _, d := range deps {
		for _, f := range forbidden {
			if d == f || strings.HasSuffix(f, "/") && strings.HasPrefix(d, f) {
				bad = append(bad, d)
				break
			}
		}
	}
	return bad
}

// doors are the packages that serve users — HTTP and the command line —
// and must stand on the use-case layer (internal/app), never on storage.
var doors = []string{"internal/web", "cmd/"}

// doorExceptions are doors that still import store, each with its fix.
var doorExceptions = map[string]string{}

// isTestSupport reports whether a package exists for tests only (storetest,
// sheettest, webtest): it may reach below the doors to set up fixtures.
func isTestSupport(rel string) bool {
	return strings.HasSuffix(rel[strings.LastIndex(rel, "/")+1:], "test")
}

// goList returns, for every package of the module, its path (relative to
// the module) and its imports (full paths), tests excluded.
func goList(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkgs[strings.TrimPrefix(fields[0], module+"/")] = fields[1:]
	}
	return pkgs
}

// TestDoorsStandOnApp checks that no door imports internal/store: every
// transaction, permission check and audit entry goes through internal/app.
// The packages of the HTTP doors are checked one by one, and must exist.
func TestDoorsStandOnApp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	var checked []string
	for rel, imports := range goList(t) {
		door := false
		for _, d := range doors {
			if rel == strings.TrimSuffix(d, "/") || strings.HasPrefix(rel, d) || strings.HasPrefix(rel, d+"/") {
				door = true
			}
		}
		if !door || isTestSupport(rel) {
			continue
		}
		checked = append(checked, rel)
		stores := slices.Contains(imports, module+"/internal/store")
		why, excepted := doorExceptions[rel]
		switch {
		case stores && !excepted:
			t.Errorf("%s imports internal/store: call internal/app instead", rel)
		case stores:
			t.Logf("%s is a known exception (%s)", rel, why)
		case excepted:
			t.Errorf("%s no longer imports internal/store: remove it from doorExceptions", rel)
		}
	}
	for _, want := range []string{"internal/web", "internal/web/api", "internal/web/ui", "internal/web/server", "cmd/jiahe"} {
		if !slices.Contains(checked, want) {
			t.Errorf("%s was not checked (checked: %v)", want, checked)
		}
	}
}

// webLayers says which packages of internal/web each may import: the
// client of the identity service (oidc) none of them; the shared HTTP
// core (internal/web) only oidc, for its configuration; each door (api,
// ui) the core (and the pages, which run the sign-in, oidc), never the
// other door; the server the core and both doors.
var webLayers = map[string][]string{
	"internal/web/oidc":   {},
	"internal/web":        {"internal/web/oidc"},
	"internal/web/api":    {"internal/web"},
	"internal/web/ui":     {"internal/web", "internal/web/oidc"},
	"internal/web/server": {"internal/web", "internal/web/api", "internal/web/ui"},
}

// TestTwoDoors checks the layout of internal/web: the API and the staff
// pages stand side by side on the shared core and the use-case layer, and
// neither imports the other; only the server mounts both. No package but
// a test's helper imports a test's helper.
func TestTwoDoors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	pkgs := goList(t)
	for rel, allowed := range webLayers {
		imports, ok := pkgs[rel]
		if !ok {
			t.Errorf("%s does not exist", rel)
			continue
		}
		for _, imp := range imports {
			irel, ok := strings.CutPrefix(imp, module+"/")
			if !ok || irel != "internal/web" && !strings.HasPrefix(irel, "internal/web/") {
				continue
			}
			if !slices.Contains(allowed, irel) {
				t.Errorf("%s imports %s: it may import only %v of internal/web", rel, irel, allowed)
			}
		}
	}
	for rel := range pkgs {
		if strings.HasPrefix(rel, "internal/web/") {
			if _, ok := webLayers[rel]; !ok && !isTestSupport(rel) {
				t.Errorf("%s is a new package of internal/web: give it its place in webLayers", rel)
			}
		}
	}
	for rel, imports := range pkgs {
		for _, imp := range imports {
			irel, ok := strings.CutPrefix(imp, module+"/")
			if ok && isTestSupport(irel) && !isTestSupport(rel) {
				t.Errorf("%s imports %s, a helper of tests", rel, irel)
			}
		}
	}
}
