package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// countyFlows are the store tests whose statements TestQueriesFilterCounty
// records: together they run the county-scoped use cases end to end —
// registering persons and families, searching the registry, the case
// procedure from application to roll, the annual review, a payment cycle
// and its batches, a roster, a citizen's application and the dashboard.
// They are chosen to keep the test within a few seconds.
var countyFlows = []struct {
	name string
	run  func(*testing.T)
}{
	{"FamilyAndTieRules", TestFamilyAndTieRules},
	{"SearchWho", TestSearchWho},
	{"CaseProcedureToRoll", TestCaseProcedureToRoll},
	{"AnnualReview", TestAnnualReview},
	{"WorklistAndDocuments", TestWorklistAndDocuments},
	{"PaymentBatchFlow", TestPaymentBatchFlow},
	{"ImportRoster", TestImportRoster},
	{"CitizenApplication", TestCitizenApplication},
	{"DashboardQueries", TestDashboardQueries},
}

// moreCountyFlows are the other store tests, run as flows too when
// JIAHE_COUNTY_FLOWS=all is set (about a minute on the two-core machine):
// every statement the store's tests run is then checked.
var moreCountyFlows = []func(*testing.T){
	TestAuditAnchorBoundsTruncation,
	TestLoadSynthetic,
	TestBulkSinkRollback,
	TestCitizenUserLink,
	TestFamilyReader,
	TestFamilyFacts,
	TestPaymentHolds,
	TestPaymentConsistency,
	TestPaymentLetter,
	TestPaymentCycle,
	TestPaymentPaidOnceConstraint,
	TestPaymentConcurrentCycles,
	TestPaymentArrearsAndCorrections,
	TestPaymentAccounts,
	TestRegisterValidation,
	TestOptimisticUpdate,
	TestIDNumbersUnreadableInDump,
	TestMigrateOlderDatabase,
	TestRotateKeys,
	TestKeysOfAnotherDatabaseRefused,
	TestPersonsByIDSuffix,
	TestOneIDNumberTwoCounties,
	TestReviewHoldsPayment,
	TestAuditEntriesScope,
	TestInitialsOfOlderDatabase,
	TestSessions,
	TestPersonSearchSort,
	TestRollCasesAndLinesSort,
	TestPersonSortUsesIndex,
	TestMigrateTwiceAndDates,
	TestNextIDs,
	TestRebindCacheIsBounded,
	TestRetriesExhausted,
	TestUsers,
	TestIllegalTransitions,
	TestRolesScopeAndSeparation,
	TestNotices,
	TestCountyObjectionUpheld,
	TestDecisions,
	TestDecisionsNeedingReview,
	TestConcurrentSteps,
	TestApplyEvent,
	TestWithdraw,
}

// countyFilterExceptions are the store functions whose statements read or
// write people's tables without limiting county, each with why that is
// right and what a sharded deployment does with it. The test fails when a
// statement of any other function does so.
var countyFilterExceptions = map[string]string{
	"(*Tx).IDNumberTaken":          "an ID number is unique across counties: the check reads the global index on its keyed hash, under its bucket lock (docs/scaling.md); sharded, it fans out to every shard, or reads a reference table of hashes",
	"(*Tx).IDNumbersTaken":         "the same check for the ID numbers of a roster, in one statement per chunk",
	"(*Tx).VerifyAudit":            "`jiahe audit verify` without a county walks every chain, an administrator's tool; with a county it reads that county's chain only",
	"(*Tx).auditHeads":             "the heads of every chain (one row a county), read to verify or anchor all chains at once, an administrator's tool",
	"(*DB).migrateApplied.func2":   "a migration rewrites whole tables; it runs on the coordinator, which applies it to every shard",
	"fillNameInitials":             "a migration step that fills a new column for every county once",
	"fillIDTail6":                  "a migration step that fills a new column for every county once",
	"(*DB).KeyUse.func1":           "`jiahe keys status` counts the values each key generation encrypted, in every table, an administrator's tool",
	"(*DB).rehashMatchFacts.func1": "`jiahe keys rotate` recomputes the keyed hashes of every import's match facts, an administrator's tool",
	"(*DB).resealTable.func1":      "`jiahe keys rotate` re-encrypts every table in key order, an administrator's tool",
}

// Forms of a statement that limit county. A statement limits it when it
// compares county with a value or a list (county = ?, county IN (…)),
// joins on it (a.county = b.county, USING (county)), inserts rows that
// carry it, or — for a region wider than a county — limits it to a prefix
// (county LIKE ?) or a range (county >= ?), which fans out to the shards
// of that city or province only. A statement in the scope of the whole
// country (a national user's, written 1=1) is counted apart: it fans out
// to every shard, and no county use case runs it.
var (
	countyEquals = regexp.MustCompile(`(?i)\bcounty\s*(=|IN\s*\()|USING\s*\([^)]*\bcounty\b`)
	countyInsert = regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+\w+\s*\([^)]*\bcounty\b`)
	countyPrefix = regexp.MustCompile(`(?i)\bcounty\s*(LIKE|>=|>|<|BETWEEN)`)
	wholeCountry = regexp.MustCompile(`\b(WHERE|AND) 1=1\b`)
	tableRef     = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)`)
	spaces       = regexp.MustCompile(`\s+`)
)

// statement is one statement text as a store function ran it.
type statement struct {
	query string // whitespace folded
	fn    string // the store function that ran it
	site  string // its file and line
}

// TestQueriesFilterCounty records the statements the store runs while the
// county-scoped flows of countyFlows execute, on every available engine,
// and checks that each statement that reads or writes a table of people's
// data (every table but referenceTables, see TestDistributionShape)
// limits county, so that a sharded deployment routes it to the county's
// shard (docs/scaling.md). Statements written in test files are not
// checked; statements of the functions in countyFilterExceptions are
// reported, not failed.
func TestQueriesFilterCounty(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]statement{}
	stop := store.TraceStatements(func(query string) {
		fn, site, ok := storeCaller()
		if !ok {
			return
		}
		q := strings.TrimSpace(spaces.ReplaceAllString(query, " "))
		mu.Lock()
		defer mu.Unlock()
		if _, dup := seen[fn+"\x00"+q]; !dup {
			seen[fn+"\x00"+q] = statement{query: q, fn: fn, site: site}
		}
	})
	for _, f := range countyFlows {
		t.Run(f.name, f.run)
	}
	if os.Getenv("JIAHE_COUNTY_FLOWS") == "all" {
		for _, f := range moreCountyFlows {
			t.Run(strings.TrimPrefix(runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name(), "github.com/jiahe-project/jiahe/internal/store_test.Test"), f)
		}
	}
	stop()
	if t.Failed() {
		return
	}
	var all []statement
	for _, s := range seen {
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].site+all[i].query < all[j].site+all[j].query })
	used := map[string]bool{}
	var people, prefixed, national int
	for _, s := range all {
		tables := peopleTables(s.query)
		if len(tables) == 0 {
			continue
		}
		people++
		switch countyLimit(s.query) {
		case "county":
		case "prefix":
			prefixed++
		case "country":
			// The scope of a user of the whole country (scopeClause
			// writes it 1=1): no county use case runs it.
			national++
		default:
			if reason, ok := countyFilterExceptions[s.fn]; ok {
				used[s.fn] = true
				t.Logf("%s (%s) reads %s across counties (known: %s)", s.fn, s.site, strings.Join(tables, ", "), reason)
				continue
			}
			t.Errorf("%s: %s runs a statement on %s that does not limit county (add county = ? or list it in countyFilterExceptions with the reason):\n\t%s",
				s.site, s.fn, strings.Join(tables, ", "), shorten(s.query))
		}
	}
	if people < 100 {
		t.Errorf("only %d statements on people's tables recorded: the flows no longer run the store", people)
	}
	for fn := range countyFilterExceptions {
		if !used[fn] {
			t.Logf("%s is listed in countyFilterExceptions but ran no such statement in these flows", fn)
		}
	}
	t.Logf("%d statements recorded, %d on people's tables: %d limited to a region's prefix of counties, %d in the scope of the whole country",
		len(all), people, prefixed, national)
	if slices.Contains(storetest.Engines(t), store.Postgres) {
		explainCounty(t, all)
	}
}

// explainCounty asks PostgreSQL for the generic plan of each recorded
// query that limits county to a value and checks that every scan of a
// people's table in it is limited by county — in its index condition,
// its filter, or the condition of a join above it — so that the planner
// does not drop the condition the text shows.
func explainCounty(t *testing.T, all []statement) {
	db := storetest.Open(t, store.Postgres)
	ctx := context.Background()
	var planned, skipped int
	err := db.View(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
			return err
		}
		for _, s := range all {
			q := strings.TrimSuffix(s.query, ";")
			upper := strings.ToUpper(q)
			if !(strings.HasPrefix(upper, "SELECT") || strings.HasPrefix(upper, "WITH")) || strings.Contains(upper, "FOR UPDATE") ||
				len(peopleTables(q)) == 0 || !countyEquals.MatchString(q) {
				continue
			}
			pq := store.Rebind(q)
			n := strings.Count(pq, "$")
			if _, err := tx.Exec(ctx, `SAVEPOINT plan`); err != nil {
				return err
			}
			var plan string
			err := func() error {
				if _, err := tx.Exec(ctx, `PREPARE county_plan AS `+pq); err != nil {
					return err
				}
				nulls := strings.TrimPrefix(strings.Repeat(", NULL", n), ", ")
				exec := `EXPLAIN (FORMAT JSON) EXECUTE county_plan`
				if n > 0 {
					exec += `(` + nulls + `)`
				}
				return tx.QueryRow(ctx, exec).Scan(&plan)
			}()
			if err != nil {
				// A text of SQLite's dialect, or parameters PostgreSQL
				// cannot type from the text alone.
				skipped++
				if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT plan`); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.Exec(ctx, `DEALLOCATE county_plan`); err != nil {
				return err
			}
			planned++
			var nodes []struct {
				Plan map[string]any
			}
			if err := json.Unmarshal([]byte(plan), &nodes); err != nil || len(nodes) != 1 {
				return fmt.Errorf("plan of %s: %v", q, err)
			}
			for _, table := range unlimitedScans(nodes[0].Plan, false) {
				t.Errorf("%s: %s: PostgreSQL's plan scans %s without a condition on county:\n\t%s", s.site, s.fn, table, shorten(q))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if planned < 50 {
		t.Errorf("only %d plans read (%d skipped)", planned, skipped)
	}
	t.Logf("%d plans read on PostgreSQL, %d texts skipped (SQLite's dialect or untyped parameters)", planned, skipped)
}

// planConds are the fields of a plan node that hold conditions.
var planConds = []string{"Index Cond", "Filter", "Recheck Cond", "Hash Cond", "Merge Cond", "Join Filter", "TID Cond"}

// unlimitedScans returns the people's tables that node, or a node below
// it, scans without a condition on county, in the node, in a join above
// it (limited), or in the scan's index condition.
func unlimitedScans(node map[string]any, limited bool) []string {
	for _, f := range planConds {
		if c, ok := node[f].(string); ok && strings.Contains(c, "county") {
			limited = true
		}
	}
	var out []string
	if rel, ok := node["Relation Name"].(string); ok && !limited && len(peopleTables("FROM "+rel)) > 0 {
		out = append(out, rel)
	}
	children, _ := node["Plans"].([]any)
	for _, c := range children {
		if m, ok := c.(map[string]any); ok {
			out = append(out, unlimitedScans(m, limited)...)
		}
	}
	return out
}

// countyLimit tells how query limits county: "county" (to one county or a
// list, by a join, or rows inserted with it), "prefix" (a region's
// counties), "country" (a national user's scope) or "" (not at all).
func countyLimit(query string) string {
	switch {
	case countyEquals.MatchString(query) || countyInsert.MatchString(query):
		return "county"
	case countyPrefix.MatchString(query):
		return "prefix"
	case wholeCountry.MatchString(query):
		return "country"
	}
	return ""
}

// TestCountyLimit checks the forms TestQueriesFilterCounty recognises,
// and that a plan scanning a people's table without county is caught.
func TestCountyLimit(t *testing.T) {
	for _, c := range []struct{ query, want string }{
		{`SELECT name FROM persons WHERE county = ? AND id = ?`, "county"},
		{`SELECT name FROM persons p WHERE p.county IN (?, ?)`, "county"},
		{`SELECT m.id FROM marriages m JOIN persons p USING (county, id)`, "county"},
		{`INSERT INTO persons (county, id, name) VALUES (?, ?, ?)`, "county"},
		{`SELECT COUNT(*) FROM persons WHERE county LIKE ?`, "prefix"},
		{`SELECT COUNT(*) FROM persons WHERE county >= ? AND county < ?`, "prefix"},
		{`SELECT name FROM persons WHERE id_hash = ? AND 1=1`, "country"},
		{`SELECT name FROM persons WHERE id = ?`, ""},
		{`UPDATE persons SET name = ? WHERE id = ?`, ""},
		{`DELETE FROM marriages WHERE husband = ?`, ""},
		{`INSERT INTO marriages SELECT * FROM marriages_old`, ""},
	} {
		if got := countyLimit(c.query); got != c.want {
			t.Errorf("countyLimit(%s) = %q, want %q", c.query, got, c.want)
		}
	}
	if got := peopleTables(`SELECT 1 FROM users u JOIN persons p ON p.id = u.person JOIN (SELECT 1) x ON true`); !slices.Equal(got, []string{"persons"}) {
		t.Errorf("peopleTables = %v, want [persons]", got)
	}
	plan := map[string]any{"Node Type": "Hash Join", "Hash Cond": "(p.county = m.county)", "Plans": []any{
		map[string]any{"Node Type": "Seq Scan", "Relation Name": "persons", "Filter": "(county = $1)"},
		map[string]any{"Node Type": "Hash", "Plans": []any{map[string]any{"Node Type": "Seq Scan", "Relation Name": "marriages"}}},
	}}
	if got := unlimitedScans(plan, false); len(got) != 0 {
		t.Errorf("unlimitedScans of a join on county = %v, want none", got)
	}
	plan["Hash Cond"] = "(p.id = m.husband)"
	if got := unlimitedScans(plan, false); !slices.Equal(got, []string{"marriages"}) {
		t.Errorf("unlimitedScans of a join on id = %v, want [marriages]", got)
	}
}

// peopleTables returns the tables of people's data that query names.
func peopleTables(query string) []string {
	var out []string
	for _, m := range tableRef.FindAllStringSubmatch(query, -1) {
		name := strings.ToLower(m[1])
		if slices.Contains(referenceTables, name) || slices.Contains(out, name) || !isTable(name) {
			continue
		}
		out = append(out, name)
	}
	return out
}

// isTable tells a table's name from the other words that can follow FROM
// (a subquery's alias, a common table expression, a function).
func isTable(name string) bool {
	return schemaTables()[name]
}

var schemaTables = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	files, _ := filepath.Glob("migrations/*.sql")
	create := regexp.MustCompile(`(?i)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range create.FindAllStringSubmatch(string(b), -1) {
			out[strings.ToLower(m[1])] = true
		}
	}
	return out
})

// statementRunners run statements for other store functions, which are
// named instead.
var statementRunners = []string{"scanEach", "EachRow"}

// storeCaller returns the function of internal/store, outside store.go,
// that ran the statement being traced, and its file and line; ok is
// false when a test file ran it.
func storeCaller() (fn, site string, ok bool) {
	pc := make([]uintptr, 16)
	n := runtime.Callers(3, pc)
	frames := runtime.CallersFrames(pc[:n])
	for {
		f, more := frames.Next()
		dir, file := filepath.Split(f.File)
		switch {
		case !strings.HasSuffix(filepath.Clean(dir), filepath.Join("internal", "store")):
			return "", "", false
		case strings.HasSuffix(file, "_test.go"):
			return "", "", false
		case file != "store.go" && !slices.Contains(statementRunners, strings.TrimPrefix(f.Function, "github.com/jiahe-project/jiahe/internal/store.")):
			return strings.TrimPrefix(f.Function, "github.com/jiahe-project/jiahe/internal/store."), fmt.Sprintf("internal/store/%s:%d", file, f.Line), true
		}
		if !more {
			return "", "", false
		}
	}
}

// shorten cuts a long statement for a message.
func shorten(q string) string {
	if len(q) > 400 {
		return q[:400] + " …"
	}
	return q
}
