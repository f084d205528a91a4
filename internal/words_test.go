package internal_test

import (
	"encoding/json"
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
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/inperson"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/recheck"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// home is a list of the domain's coded words and the package that
// declares it: the one place where its codes and names are written.
type home struct {
	dir  string // the package's directory, from the module root
	name string
	list term.List
}

// homes are the word lists that have one home each.
var homes = []home{
	{"internal/policy", "policy.BuiltinPrograms", policy.BuiltinPrograms()},
	{"internal/policy", "policy.FundingLevels", policy.FundingLevels},
	{"internal/policy", "policy.ParityStatuses", policy.ParityStatuses},
	{"internal/roll", "roll.Statuses", roll.Statuses},
	{"internal/roll", "roll.ChangeKinds", roll.ChangeKinds},
	{"internal/roll", "roll.ExitReasons", roll.ExitReasons},
	{"internal/roll", "roll.Events", roll.Events},
	{"internal/move", "move.States", move.States},
	{"internal/move", "move.Sources", move.Sources},
	// Two reasons of a rejection are the roll's reasons of an exit.
	{"internal/workflow", "workflow.Reasons", without(workflow.Reasons, roll.ExitReasons)},
	{"internal/payment", "payment.StatusNames", payment.StatusNames},
	{"internal/payment", "payment.KindNames", payment.KindNames},
	{"internal/payment", "payment.BatchStatusNames", payment.BatchStatusNames},
	{"internal/payment", "payment.BatchKindNames", payment.BatchKindNames},
	{"internal/payment", "payment.DiffNames", payment.DiffNames},
	{"internal/birth", "birth.Statuses", birth.Statuses},
	{"internal/birth", "birth.Channels", birth.Channels},
	{"internal/birth", "birth.CancelReasons", birth.CancelReasons},
	{"internal/birth", "birth.ApprovalKinds", birth.ApprovalKinds},
	{"internal/birth", "birth.ClaimStatuses", birth.ClaimStatuses},
	{"internal/childcare", "childcare.Types", childcare.Types},
	{"internal/childcare", "childcare.RegTypes", childcare.RegTypes},
	{"internal/childcare", "childcare.StaffRoles", childcare.StaffRoles},
	{"internal/childcare", "childcare.Statuses", childcare.Statuses},
	{"internal/childcare", "childcare.InspectionKinds", childcare.InspectionKinds},
	{"internal/childcare", "childcare.InspectionStatuses", childcare.InspectionStatuses},
	{"internal/special", "special.Categories", special.Categories},
	{"internal/special", "special.Sources", special.Sources},
	{"internal/special", "special.Reasons", special.Reasons},
	{"internal/special", "special.Statuses", special.Statuses},
	{"internal/special", "special.ChangeKinds", special.ChangeKinds},
	{"internal/special", "special.ChangeStatuses", special.ChangeStatuses},
	{"internal/special", "special.ContactKinds", special.ContactKinds},
	{"internal/special", "special.Modes", special.Modes},
	{"internal/special", "special.RequestSources", special.RequestSources},
	{"internal/special", "special.RequestStatuses", special.RequestStatuses},
	{"internal/special", "special.Services", special.Services},
	{"internal/special", "special.Lacks", special.Lacks},
	{"internal/special", "special.FamilyCategories", special.FamilyCategories},
	{"internal/special", "special.ListStatuses", special.ListStatuses},
	{"internal/policy", "policy.OneOffPrograms", policy.OneOffPrograms},
	{"internal/matching", "matching.TaskReasons", matching.TaskReasons},
	{"internal/matching", "matching.TaskStatuses", matching.TaskStatuses},
	{"internal/stats", "stats.Statuses", stats.Statuses},
	{"internal/stats", "stats.WarningKinds", stats.WarningKinds},
	{"internal/stats", "stats.Checks", stats.Checks},
	{"internal/stats", "stats.DeadlineKinds", stats.DeadlineKinds},
	{"internal/stats", "stats.ProgressNames", stats.ProgressNames},
	{"internal/portal", "portal.ReportStatuses", portal.ReportStatuses},
	{"internal/inperson", "inperson.Statuses", inperson.Statuses},
	{"internal/inperson", "inperson.Reasons", inperson.Reasons},
	{"internal/inperson", "inperson.Proofs", inperson.Proofs},
	{"internal/attach", "attach.Kinds", attach.Kinds},
	{"internal/workflow", "workflow.ChecklistItems", workflow.ChecklistItems},
	{"internal/recheck", "recheck.Levels", recheck.Levels},
	{"internal/recheck", "recheck.Methods", recheck.Methods},
	{"internal/recheck", "recheck.Findings", recheck.Findings},
	{"internal/complaint", "complaint.Kinds", complaint.Kinds},
	{"internal/complaint", "complaint.Sources", complaint.Sources},
	{"internal/complaint", "complaint.Statuses", complaint.Statuses},
	{"internal/complaint", "complaint.Outcomes", complaint.Outcomes},
	{"internal/complaint", "complaint.Actions", complaint.Actions},
}

// without returns the terms of l that are not in other.
func without(l, other term.List) term.List {
	var out term.List
	for _, t := range l {
		if !slices.Contains(other, t) {
			out = append(out, t)
		}
	}
	return out
}

// sameWords are places that use some of a list's words for another
// vocabulary — a directory, or a key or group of keys of the pages'
// translations — with the list and the reason.
var sameWords = map[string]string{
	"internal/auth policy.FundingLevels":        "the roles of the province's and the city's staff are named like the levels they work at",
	"role policy.FundingLevels":                 "the roles of the province's and the city's staff are named like the levels they work at",
	"internal/region policy.FundingLevels":      "the levels of the division tree share the funding levels' names",
	"action.recipient roll.ChangeKinds":         "the audit log names what happened to a row of the roll (退出名册, 恢复发放), not the kind of change",
	"hukou_history roll.Events":                 "the person page's heading over the hukou changes",
	"pay_retries_title payment.BatchKindNames":  "the page of retries is named after the batches it makes",
	"internal/store birth.Statuses":             "the bulk load names the registrations' columns, some of which are the days of a status (registered, cancelled)",
	"internal/store childcare.Statuses":         "the bulk load names the filings' columns, two of which are the days of a status (filed, closed)",
	"internal/store special.Statuses":           "the register's statuses (active, closed) are ordinary words the bulk load's other tables use too",
	"internal/complaint special.RequestSources": "a call, a visit and a letter (来访, 来信) are where a complaint comes from as much as a special family's request",
	"internal/special complaint.Sources":        "a call, a visit and a letter (来访, 来信) are where a special family's request comes from as much as a complaint",
}

// longName is the length (in characters) from which a name is too
// particular to be written twice by chance: shorter names (在册, 死亡)
// are ordinary words that other texts use.
const longName = 4

// TestOneHomePerWord checks that each list of the domain's coded words
// is written in one place only. Outside the list's package, no Go source
// (tests aside) may hold
//   - a program code as a string: use policy.ProgramJF and the like, or
//     the names policy.ProgramsOf gives;
//   - a table of the list's words: a composite literal (map, slice or
//     struct) with the Chinese names of two or more of its terms, or with
//     every one of its codes;
//   - one of its longer Chinese names as a string;
//
// and the staff pages' translations (i18n/messages.json) and templates
// may hold neither a group of keys "prefix.code" naming two or more of a
// list's terms nor one of its longer names.
func TestOneHomePerWord(t *testing.T) {
	root := moduleRoot(t)
	programs := homes[0].list
	if len(programs) < 4 || programs[0].Code != policy.ProgramJF {
		t.Fatalf("the embedded rules declare %v", programs)
	}
	for _, h := range homes {
		seen := map[string]bool{}
		for _, w := range h.list {
			if w.Code == "" || w.ZH == "" || w.EN == "" || seen[w.Code] {
				t.Errorf("%s: %+v lacks a name or repeats a code", h.name, w)
			}
			seen[w.Code] = true
		}
	}
	used := map[string]bool{}
	allowed := func(where, list string) bool {
		_, ok := sameWords[where+" "+list]
		used[where+" "+list] = used[where+" "+list] || ok
		return ok
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		switch {
		case strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go"):
			checkGo(t, p, rel, dir, allowed)
		case strings.HasSuffix(rel, ".html"):
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, h := range homes {
				if dir == h.dir || strings.HasPrefix(dir, h.dir+"/") {
					continue
				}
				for _, w := range h.list {
					if utf8.RuneCountInString(w.ZH) >= longName && strings.Contains(string(b), w.ZH) {
						t.Errorf("%s writes %q, a name of %s: call its template function", rel, w.ZH, h.name)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkMessages(t, filepath.Join(root, "internal/web/ui/i18n/messages.json"), allowed)
	for k := range sameWords {
		if !used[k] {
			t.Errorf("sameWords[%q] is no longer needed: remove it", k)
		}
	}
}

// checkGo checks one Go source file of directory dir.
func checkGo(t *testing.T, path, rel, dir string, allowed func(where, list string) bool) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	for _, h := range homes {
		if dir == h.dir {
			continue
		}
		isProgram := h.name == homes[0].name
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				s, ok := stringLit(n)
				if !ok {
					return true
				}
				for _, w := range h.list {
					switch {
					case isProgram && s == w.Code:
						t.Errorf("%s writes the program code %q: use the policy package's constant or names", rel, s)
					case s == w.ZH && utf8.RuneCountInString(s) >= longName && !allowed(dir, h.name):
						t.Errorf("%s writes %q, a name of %s", rel, s, h.name)
					}
				}
			case *ast.CompositeLit:
				names, codes := termsIn(n, h.list)
				table := names
				if len(codes) == len(h.list) && len(table) < 2 {
					table = codes // a complete list of the codes
				}
				if len(table) >= 2 && !allowed(dir, h.name) {
					t.Errorf("%s holds a table of %s (%s): use the list", rel, h.name, strings.Join(table, ", "))
					return false
				}
			}
			return true
		})
	}
}

// termsIn returns the codes of the terms of list whose Chinese names,
// and of those whose codes, a composite literal holds as strings, at any
// depth.
func termsIn(c *ast.CompositeLit, list term.List) (names, codes []string) {
	ast.Inspect(c, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok {
			return true
		}
		s, ok := stringLit(lit)
		if !ok {
			return true
		}
		for _, w := range list {
			if s == w.ZH && !slices.Contains(names, w.Code) {
				names = append(names, w.Code)
			}
			if s == w.Code && !slices.Contains(codes, w.Code) {
				codes = append(codes, w.Code)
			}
		}
		return true
	})
	return names, codes
}

func stringLit(lit *ast.BasicLit) (string, bool) {
	if lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// checkMessages checks the staff pages' translations: {"key": ["中文",
// "English"]}.
func checkMessages(t *testing.T, path string, allowed func(where, list string) bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var msgs map[string][2]string
	if err := json.Unmarshal(b, &msgs); err != nil {
		t.Fatal(err)
	}
	for _, h := range homes {
		groups := map[string][]string{}
		for k, v := range msgs {
			prefix, code, ok := cutLast(k)
			for _, w := range h.list {
				if ok && code == w.Code && v[0] == w.ZH {
					groups[prefix] = append(groups[prefix], code)
				}
				if v[0] == w.ZH && utf8.RuneCountInString(w.ZH) >= longName && !allowed(k, h.name) && !(ok && allowed(prefix, h.name)) {
					t.Errorf("i18n/messages.json: %q is %q, a name of %s: call its template function", k, v[0], h.name)
				}
			}
		}
		for prefix, codes := range groups {
			if len(codes) >= 2 && !allowed(prefix, h.name) {
				slices.Sort(codes)
				t.Errorf("i18n/messages.json names %s under %q (%s): call its template function", h.name, prefix, strings.Join(codes, ", "))
			}
		}
	}
}

func cutLast(key string) (prefix, code string, ok bool) {
	i := strings.LastIndex(key, ".")
	if i < 0 {
		return "", "", false
	}
	return key[:i], key[i+1:], true
}

// TestOneZone checks that the Beijing time zone is declared once, in
// internal/date (date.Beijing, date.Today): no other Go source (tests
// aside) makes a zone of its own.
func TestOneZone(t *testing.T) {
	root := moduleRoot(t)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || strings.HasPrefix(rel, "internal/date/") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "time" && (sel.Sel.Name == "FixedZone" || sel.Sel.Name == "LoadLocation") {
					t.Errorf("%s calls time.%s: use date.Beijing or date.Today", rel, sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// moduleRoot is the directory of go.mod, one up from this package's.
func moduleRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(wd)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod above %s", wd)
	}
	return root
}
