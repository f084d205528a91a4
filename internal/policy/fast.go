package policy

import (
	"reflect"
	"slices"
	"unsafe"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// The fast path of clause expressions. Rules are written in expr, whose
// virtual machine reads the facts of Env through reflection and boxes
// every value it handles. Most clauses are plain: facts and parameters
// compared with numbers, joined by && and ||. Those are compiled here, a
// second time, into Go closures that read Env's fields directly; a clause
// with anything else (a division, a function call) keeps the virtual
// machine alone. TestFastPathAgrees checks that both give the same answer
// for every clause of the built-in rules.

// boolFn, intFn and strFn are compiled expressions of each kind.
type (
	boolFn func(*Env) bool
	intFn  func(*Env) int
	strFn  func(*Env) string
)

// fastProg is a clause's program with its fast path (nil when the
// expression is not plain).
type fastProg struct {
	prog *vm.Program
	fast boolFn
}

// envField is where a fact lies in Env and its kind.
type envField struct {
	off  uintptr
	kind reflect.Kind
}

// envLayout maps expression names to Env's fields.
var envLayout = func() map[string]envField {
	m := map[string]envField{}
	t := reflect.TypeFor[Env]()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag := f.Tag.Get("expr"); tag != "" && tag != "P" {
			m[tag] = envField{f.Offset, f.Type.Kind()}
		}
	}
	return m
}()

// compileFast compiles a boolean expression's tree into a closure, or
// returns nil when the tree holds anything the fast path does not read.
func compileFast(n ast.Node) boolFn {
	b, _, _, k := fastNode(n)
	if k != reflect.Bool {
		return nil
	}
	return b
}

// fastNode compiles n; the kind says which closure is set (reflect.Invalid
// when n is not plain).
func fastNode(n ast.Node) (boolFn, intFn, strFn, reflect.Kind) {
	switch x := n.(type) {
	case *ast.BoolNode:
		v := x.Value
		return func(*Env) bool { return v }, nil, nil, reflect.Bool
	case *ast.IntegerNode:
		v := x.Value
		return nil, func(*Env) int { return v }, nil, reflect.Int
	case *ast.StringNode:
		v := x.Value
		return nil, nil, func(*Env) string { return v }, reflect.String
	case *ast.IdentifierNode:
		f, ok := envLayout[x.Value]
		if !ok {
			break
		}
		off := f.off
		switch f.kind {
		case reflect.Bool:
			return func(e *Env) bool { return *(*bool)(unsafe.Add(unsafe.Pointer(e), off)) }, nil, nil, reflect.Bool
		case reflect.Int:
			return nil, func(e *Env) int { return *(*int)(unsafe.Add(unsafe.Pointer(e), off)) }, nil, reflect.Int
		case reflect.String:
			return nil, nil, func(e *Env) string { return *(*string)(unsafe.Add(unsafe.Pointer(e), off)) }, reflect.String
		}
	case *ast.MemberNode:
		// P.name or P["name"]: a numeric parameter. A parameter the rules
		// do not define is refused when they are compiled.
		id, ok := x.Node.(*ast.IdentifierNode)
		s, ok2 := x.Property.(*ast.StringNode)
		if !ok || !ok2 || id.Value != "P" || x.Optional {
			break
		}
		name := s.Value
		return nil, func(e *Env) int { return e.P[name] }, nil, reflect.Int
	case *ast.UnaryNode:
		b, i, _, k := fastNode(x.Node)
		switch {
		case (x.Operator == "!" || x.Operator == "not") && k == reflect.Bool:
			return func(e *Env) bool { return !b(e) }, nil, nil, reflect.Bool
		case x.Operator == "-" && k == reflect.Int:
			return nil, func(e *Env) int { return -i(e) }, nil, reflect.Int
		case x.Operator == "+" && k == reflect.Int:
			return nil, i, nil, reflect.Int
		}
	case *ast.ConditionalNode:
		cb, _, _, ck := fastNode(x.Cond)
		ab, ai, as, ak := fastNode(x.Exp1)
		bb, bi, bs, bk := fastNode(x.Exp2)
		if ck != reflect.Bool || ak != bk {
			break
		}
		switch ak {
		case reflect.Bool:
			return func(e *Env) bool {
				if cb(e) {
					return ab(e)
				}
				return bb(e)
			}, nil, nil, ak
		case reflect.Int:
			return nil, func(e *Env) int {
				if cb(e) {
					return ai(e)
				}
				return bi(e)
			}, nil, ak
		case reflect.String:
			return nil, nil, func(e *Env) string {
				if cb(e) {
					return as(e)
				}
				return bs(e)
			}, ak
		}
	case *ast.BinaryNode:
		if x.Operator == "in" {
			return fastIn(x)
		}
		return fastBinary(x)
	}
	return nil, nil, nil, reflect.Invalid
}

func fastBinary(x *ast.BinaryNode) (boolFn, intFn, strFn, reflect.Kind) {
	lb, li, ls, lk := fastNode(x.Left)
	rb, ri, rs, rk := fastNode(x.Right)
	if lk == reflect.Invalid || lk != rk {
		return nil, nil, nil, reflect.Invalid
	}
	const B, I = reflect.Bool, reflect.Int
	switch k := lk; {
	case k == B && (x.Operator == "&&" || x.Operator == "and"):
		return func(e *Env) bool { return lb(e) && rb(e) }, nil, nil, B
	case k == B && (x.Operator == "||" || x.Operator == "or"):
		return func(e *Env) bool { return lb(e) || rb(e) }, nil, nil, B
	case k == B && x.Operator == "==":
		return func(e *Env) bool { return lb(e) == rb(e) }, nil, nil, B
	case k == B && x.Operator == "!=":
		return func(e *Env) bool { return lb(e) != rb(e) }, nil, nil, B
	case k == reflect.String && x.Operator == "==":
		return func(e *Env) bool { return ls(e) == rs(e) }, nil, nil, B
	case k == reflect.String && x.Operator == "!=":
		return func(e *Env) bool { return ls(e) != rs(e) }, nil, nil, B
	case k == I:
		switch x.Operator {
		case "==":
			return func(e *Env) bool { return li(e) == ri(e) }, nil, nil, B
		case "!=":
			return func(e *Env) bool { return li(e) != ri(e) }, nil, nil, B
		case "<":
			return func(e *Env) bool { return li(e) < ri(e) }, nil, nil, B
		case "<=":
			return func(e *Env) bool { return li(e) <= ri(e) }, nil, nil, B
		case ">":
			return func(e *Env) bool { return li(e) > ri(e) }, nil, nil, B
		case ">=":
			return func(e *Env) bool { return li(e) >= ri(e) }, nil, nil, B
		case "+":
			return nil, func(e *Env) int { return li(e) + ri(e) }, nil, I
		case "-":
			return nil, func(e *Env) int { return li(e) - ri(e) }, nil, I
		case "*":
			return nil, func(e *Env) int { return li(e) * ri(e) }, nil, I
		}
		// Division gives a float in expr, and % may fail on zero: the
		// virtual machine keeps those.
	}
	return nil, nil, nil, reflect.Invalid
}

// fastIn compiles "fact in [constants]" for words and numbers.
func fastIn(x *ast.BinaryNode) (boolFn, intFn, strFn, reflect.Kind) {
	arr, ok := x.Right.(*ast.ArrayNode)
	_, li, ls, lk := fastNode(x.Left)
	if !ok || (lk != reflect.Int && lk != reflect.String) {
		return nil, nil, nil, reflect.Invalid
	}
	var ints []int
	var strs []string
	for _, n := range arr.Nodes {
		switch c := n.(type) {
		case *ast.IntegerNode:
			ints = append(ints, c.Value)
		case *ast.StringNode:
			strs = append(strs, c.Value)
		default:
			return nil, nil, nil, reflect.Invalid
		}
	}
	switch {
	case lk == reflect.String && len(ints) == 0:
		return func(e *Env) bool { return slices.Contains(strs, ls(e)) }, nil, nil, reflect.Bool
	case lk == reflect.Int && len(strs) == 0:
		return func(e *Env) bool { return slices.Contains(ints, li(e)) }, nil, nil, reflect.Bool
	}
	return nil, nil, nil, reflect.Invalid
}
