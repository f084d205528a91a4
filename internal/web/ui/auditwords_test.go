package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/region"
)

// TestAuditWordsTranslated fails when the code can write an audit action
// or entity that the audit page has no words for (action.<x>, entity.<x>
// in messages.json). The values are found by reading the source: string
// literals given as Action/Entity in composite literals, constants named
// there, locals assigned literals, and parameters followed back to the
// literals their callers pass.
func TestAuditWordsTranslated(t *testing.T) {
	u, err := newEngine(region.Default())
	if err != nil {
		t.Fatal(err)
	}
	s := scanAuditWords(t, "../..", "../../../cmd")
	if len(s.found["action"]) < 100 || len(s.found["entity"]) < 20 {
		t.Fatalf("scan found only %d actions, %d entities", len(s.found["action"]), len(s.found["entity"]))
	}
	// Values built from a prefix and a kind: prefix → where the kinds are
	// declared (the constants of a package, or of a type, whose names
	// begin so).
	built := map[string][2]string{
		"action.division.":        {"region", "Change"},
		"action.recipient.":       {"roll", "Change"},
		"action.case.":            {"Step", "Step"},
		"action.special.service.": {"special", "Service"},
	}
	for p, at := range s.prefixes {
		b, ok := built[p]
		if !ok {
			t.Errorf("%s: %s… is built from a value this test cannot list; say where its kinds are declared", at, p)
		}
		n := 0
		for _, c := range s.constsIn[b[0]] {
			if strings.HasPrefix(c.name, b[1]) {
				s.found["action"][strings.TrimPrefix(p, "action.")+c.value] = at
				n++
			}
		}
		if ok && n == 0 {
			t.Errorf("%s: found no kinds of %s…", at, p)
		}
	}
	for _, kind := range []string{"action", "entity"} {
		var missing []string
		for v, at := range s.found[kind] {
			if _, ok := u.msgs["zh"][kind+"."+v]; !ok {
				missing = append(missing, kind+"."+v+" ("+at+")")
			}
		}
		sort.Strings(missing)
		for _, m := range missing {
			t.Errorf("no words for %s", m)
		}
	}
}

// codeWord is the shape of an action or entity code.
var codeWord = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$`)

type namedConst struct{ name, value string }

type auditScan struct {
	files  []*ast.File
	dirs   map[*ast.File]string
	fset   *token.FileSet
	consts map[string]string // constant name → value
	// constants by package directory and by declared type
	constsIn map[string][]namedConst
	found    map[string]map[string]string // kind → value → where
	// prefixes of values built by concatenation ("division." + kind) → where
	prefixes map[string]string
	// params to follow: function name → package directory → parameter
	// index → kind
	params map[string]map[string]map[int]string
}

func scanAuditWords(t *testing.T, dirs ...string) *auditScan {
	s := &auditScan{fset: token.NewFileSet(), consts: map[string]string{}, dirs: map[*ast.File]string{}, constsIn: map[string][]namedConst{},
		found: map[string]map[string]string{"action": {}, "entity": {}}, params: map[string]map[string]map[int]string{}, prefixes: map[string]string{}}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(s.fset, p, nil, 0)
			if err != nil {
				return err
			}
			s.files = append(s.files, f)
			s.dirs[f] = filepath.Base(filepath.Dir(p))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range s.files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, sp := range g.Specs {
					vs := sp.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							if v, ok := literal(vs.Values[i]); ok {
								s.consts[n.Name] = v
								c := namedConst{n.Name, v}
								s.constsIn[s.dirs[f]] = append(s.constsIn[s.dirs[f]], c)
								if vs.Type != nil {
									s.constsIn[typeName(vs.Type)] = append(s.constsIn[typeName(vs.Type)], c)
								}
							}
						}
					}
				}
			}
		}
	}
	// Action/Entity fields of composite literals.
	s.eachFunc(func(fn *ast.FuncDecl, dir, pos string) {
		ast.Inspect(fn, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok || typeName(lit.Type) == "Event" { // a complaint's own history, not the audit
				return true
			}
			for _, el := range lit.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); ok {
					if kind := strings.ToLower(k.Name); kind == "action" || kind == "entity" {
						s.value(fn, dir, kind, kv.Value, pos)
					}
				}
			}
			return true
		})
	})
	// Follow parameters back to the callers until nothing new turns up.
	for done := 0; done != s.size(); {
		done = s.size()
		s.eachFunc(func(fn *ast.FuncDecl, dir, pos string) {
			ast.Inspect(fn, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				name, local := calleeName(call)
				for d, params := range s.params[name] {
					if local && d != dir {
						continue
					}
					for i, kind := range params {
						if i < len(call.Args) {
							s.value(fn, dir, kind, call.Args[i], s.fset.Position(call.Pos()).String())
						}
					}
				}
				return true
			})
		})
	}
	return s
}

func (s *auditScan) size() int {
	n := len(s.found["action"]) + len(s.found["entity"])
	for _, m := range s.params {
		for _, p := range m {
			n += len(p)
		}
	}
	return n
}

func (s *auditScan) eachFunc(f func(fn *ast.FuncDecl, dir, pos string)) {
	for _, file := range s.files {
		for _, d := range file.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Body != nil {
				f(fn, s.dirs[file], s.fset.Position(fn.Pos()).String())
			}
		}
	}
}

func typeName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return x.Sel.Name
	}
	return ""
}

// calleeName names the function call calls, and whether it is one of
// the same package.
func calleeName(call *ast.CallExpr) (string, bool) {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name, true
	case *ast.SelectorExpr:
		return f.Sel.Name, false
	}
	return "", false
}

// value records what e, an Action or Entity in fn, can be.
func (s *auditScan) value(fn *ast.FuncDecl, dir, kind string, e ast.Expr, pos string) {
	if v, ok := literal(e); ok {
		if codeWord.MatchString(v) {
			s.found[kind][v] = pos
		}
		return
	}
	if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
		if p, ok := literal(b.X); ok {
			s.prefixes[kind+"."+p] = pos
			return
		}
	}
	name := ""
	switch x := e.(type) {
	case *ast.Ident:
		name = x.Name
	case *ast.SelectorExpr:
		name = x.Sel.Name
	}
	if v, ok := s.consts[name]; ok {
		s.found[kind][v] = pos
		return
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return
	}
	// A parameter: follow it to the callers.
	i := 0
	for _, field := range fn.Type.Params.List {
		for _, n := range field.Names {
			if n.Name == id.Name {
				if s.params[fn.Name.Name] == nil {
					s.params[fn.Name.Name] = map[string]map[int]string{}
				}
				if s.params[fn.Name.Name][dir] == nil {
					s.params[fn.Name.Name][dir] = map[int]string{}
				}
				s.params[fn.Name.Name][dir][i] = kind
				return
			}
			i++
		}
	}
	// A local: the literals assigned to it.
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for j, l := range x.Lhs {
				if li, ok := l.(*ast.Ident); ok && li.Name == id.Name && len(x.Lhs) == len(x.Rhs) && !sameIdent(x.Rhs[j], id) {
					s.value(fn, dir, kind, x.Rhs[j], s.fset.Position(x.Pos()).String())
				}
			}
		case *ast.ValueSpec:
			for j, l := range x.Names {
				if l.Name == id.Name && j < len(x.Values) && !sameIdent(x.Values[j], id) {
					s.value(fn, dir, kind, x.Values[j], s.fset.Position(x.Pos()).String())
				}
			}
		}
		return true
	})
}

func literal(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	v, err := strconv.Unquote(b.Value)
	return v, err == nil
}

func sameIdent(e ast.Expr, id *ast.Ident) bool {
	x, ok := e.(*ast.Ident)
	return ok && x.Name == id.Name
}

// TestAuditRowsShowNoCodes renders audit rows as the audit page does: an
// action or entity without words shows a neutral word, a division code
// its region's name, an internal word nothing.
func TestAuditRowsShowNoCodes(t *testing.T) {
	u, err := newEngine(region.Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		e       audit.Entry
		want    []string
		mustNot []string
	}{
		{audit.Entry{Action: "division.rename", Entity: "division", EntityID: "341523100"},
			[]string{"区划更名", "行政区划", region.Default().FullName("341523100")}, []string{"division", "341523100"}},
		{audit.Entry{Action: "complaint.escalate", Entity: "complaint", EntityID: "341523/2"},
			[]string{"投诉咨询超时上报", "投诉咨询", "2"}, []string{"complaint", "341523"}},
		{audit.Entry{Action: "charge.assign", Entity: "charge", EntityID: "recipient/2/village"},
			[]string{"指定负责人", "2"}, []string{"recipient", "village"}},
		{audit.Entry{Action: "someday.new_thing", Entity: "new_thing", EntityID: "overview"},
			[]string{"其他操作", "其他对象"}, []string{"someday", "new_thing", "overview"}},
	} {
		var b strings.Builder
		err := u.pages["audit.html"].ExecuteTemplate(&b, "auditrows", map[string]any{"E": []audit.Entry{c.e}, "T": u.msgs["zh"]})
		if err != nil {
			t.Fatal(err)
		}
		page := b.String()
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: rows lack %q:\n%s", c.e.Action, w, page)
			}
		}
		for _, w := range c.mustNot {
			if strings.Contains(page, w) {
				t.Errorf("%s: rows show %q:\n%s", c.e.Action, w, page)
			}
		}
	}
}
