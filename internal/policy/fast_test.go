package policy

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"unsafe"

	"github.com/expr-lang/expr/vm"
)

// TestFastPathAgrees compiles every expression of the built-in rules (and
// a few written to reach each operator) both ways and checks that the fast
// path answers as the virtual machine does on many random facts.
func TestFastPathAgrees(t *testing.T) {
	files, err := filepath.Glob("rules/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("rules: %v", err)
	}
	exprs := map[string]bool{
		"!(age < 60) and not alive or sex == \"F\" && pension != \"none\"":                       true,
		"-age + 3 * birth_year - year >= +P.min_age || female == alive || female != hukou_rural": true,
		"age / 2 > 30": false, // a float: the virtual machine only
		"age % 7 == 1": false,
		"pension in [\"none\", \"resident\"] && age in [60, 61] && (female ? P.a : 3) > 1": true,
		"pension in [\"none\", 1]": false,
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, y := range x {
					if s, ok := y.(string); ok && (k == "expr" || k == "when") && s != "" {
						if _, seen := exprs[s]; !seen {
							exprs[s] = true
						}
					}
					walk(y)
				}
			case []any:
				for _, y := range x {
					walk(y)
				}
			}
		}
		walk(doc)
	}
	paramRE := regexp.MustCompile(`P\.([a-z_0-9]+)`)
	r := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "none", "resident", "urban_employee", "M", "F", "enterprise", "female_sterilisation", "iud"}
	fast, slow := 0, 0
	for src, plain := range exprs {
		params := map[string]int{}
		for _, m := range paramRE.FindAllStringSubmatch(src, -1) {
			params[m[1]] = 0
		}
		prog, _, err := compileExpr(src, params, true, "expr")
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		f := compileFast(prog.Node())
		if f == nil {
			slow++
			if plain {
				t.Errorf("%q has no fast path", src)
			}
			continue
		}
		fast++
		if !plain {
			t.Errorf("%q has a fast path, but the virtual machine should keep it", src)
		}
		var m vm.VM
		for range 1000 {
			env := randomEnv(r, strs)
			env.P = map[string]int{}
			for p := range params {
				env.P[p] = r.IntN(120) - 10
			}
			out, err := m.Run(prog, &env)
			want, _ := out.(bool)
			if err != nil {
				want = false
			}
			if got := f(&env); got != want {
				t.Fatalf("%q on %+v: fast path %v, virtual machine %v (%v)", src, env, got, want, err)
			}
		}
	}
	t.Logf("%d expressions on the fast path, %d on the virtual machine only", fast, slow)
}

// randomEnv fills every fact of an Env with a random value: small numbers
// (ages, counts, years) or dates, true or false, and words rules compare.
func randomEnv(r *rand.Rand, strs []string) Env {
	var env Env
	v := reflect.ValueOf(&env).Elem()
	for _, f := range envLayout {
		p := unsafe.Add(unsafe.Pointer(&env), f.off)
		switch f.kind {
		case reflect.Bool:
			*(*bool)(p) = r.IntN(2) == 1
		case reflect.Int:
			switch r.IntN(3) {
			case 0:
				*(*int)(p) = r.IntN(5)
			case 1:
				*(*int)(p) = r.IntN(100)
			default:
				*(*int)(p) = 1950 + r.IntN(80)
				if r.IntN(2) == 0 {
					*(*int)(p) = *(*int)(p)*10000 + 101 + r.IntN(1130)
				}
			}
		case reflect.String:
			*(*string)(p) = strs[r.IntN(len(strs))]
		}
	}
	_ = v
	return env
}
