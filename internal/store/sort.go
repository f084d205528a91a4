package store

import (
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Sorting of the lists staff page through. A list is sorted by a key from
// a fixed whitelist: the key names a list of columns, the last of which
// make every row unique, so that LIMIT/OFFSET pages neither repeat nor
// skip a row. Descending reverses every column, so that an index serving
// the ascending order serves the descending one scanned backwards. No
// text from a request ever reaches the SQL: an unknown key is refused.

// sortCol is one column (or expression) of an ORDER BY.
type sortCol struct {
	expr string
	// sqlite, when set, replaces expr on SQLite (see byName).
	sqlite string
	// nullable columns sort NULL first ascending and last descending on
	// both engines (SQLite's rule; PostgreSQL is told so explicitly).
	nullable bool
}

// sortKeys maps a list's sort keys to their columns; "" is the default.
type sortKeys map[string][]sortCol

func cols(exprs ...string) []sortCol {
	out := make([]sortCol, len(exprs))
	for i, e := range exprs {
		out[i] = sortCol{expr: e}
	}
	return out
}

// orderBy returns the ORDER BY clause (with its keyword) for key, or an
// Invalid error naming the sort field when the list has no such key.
func (k sortKeys) orderBy(engine Engine, key string, desc bool) (string, error) {
	cs, ok := k[key]
	if !ok {
		var names []string
		for n := range k {
			if n != "" {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		return "", apperr.OneOf("sort", key, names)
	}
	var b strings.Builder
	b.WriteString(" ORDER BY ")
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		if c.sqlite != "" && engine == SQLite {
			b.WriteString(c.sqlite)
		} else {
			b.WriteString(c.expr)
		}
		if desc {
			b.WriteString(" DESC")
		}
		if c.nullable && engine == Postgres {
			if desc {
				b.WriteString(" NULLS LAST")
			} else {
				b.WriteString(" NULLS FIRST")
			}
		}
	}
	return b.String(), nil
}

// byName sorts by the name column of alias a ("p." or ""), then by cols.
// Names compare by code point on both engines, so that Chinese names sort
// alike everywhere: COLLATE "C" on PostgreSQL, NOCASE on SQLite (which
// folds ASCII letters only, and is the collation of SQLite's LIKE). The
// persons index on (county, name, id) has that collation, so that one
// index both finds a name prefix and hands out its page in order.
func byName(a string, then ...string) []sortCol {
	return append([]sortCol{{expr: a + `name COLLATE "C"`, sqlite: a + "name COLLATE NOCASE"}}, cols(then...)...)
}

// rankOf returns a CASE expression giving each value of column its place
// in values, so that codes sort in a meaningful order (the procedure's,
// not the alphabet's). The values are the package's own constants.
func rankOf[T ~string](column string, values []T) string {
	var b strings.Builder
	b.WriteString("CASE " + column)
	for i, v := range values {
		b.WriteString(" WHEN '" + strings.ReplaceAll(string(v), "'", "''") + "' THEN " + strconv.Itoa(i))
	}
	b.WriteString(" ELSE " + strconv.Itoa(len(values)) + " END")
	return b.String()
}

// personSorts orders FindPersons. Within a county each key has an index
// (county, key, id), migrations 0007 and 0009, so a page is read in order
// from an index with no sort step.
var personSorts = sortKeys{
	"":                 byName("", "county", "id"),
	registry.SortName:  byName("", "county", "id"),
	registry.SortBirth: cols("birth", "county", "id"),
	// ID numbers are stored encrypted: they sort by the division that
	// issued them and the date of birth they encode, then as registered.
	registry.SortIDNumber: {{expr: "id_division", nullable: true}, {expr: "birth"}, {expr: "county"}, {expr: "id"}},
	registry.SortRegion:   cols("region", "county", "id"),
}

// rollSorts orders Roll (recipients r, joined to persons p for the name).
// A county's roll is a few tens of thousands of rows at most, sorted by
// the database after the filter.
var rollSorts = func() sortKeys {
	tie := []string{"r.county", "r.person_id", "r.program"}
	return sortKeys{
		"":                 cols(append([]string{"r.region"}, tie...)...),
		roll.SortRegion:    cols(append([]string{"r.region"}, tie...)...),
		roll.SortName:      byName("p.", tie...),
		roll.SortProgram:   cols("r.program", "r.county", "r.person_id"),
		roll.SortStartYear: cols(append([]string{"r.start_year", "r.start_month"}, tie...)...),
		roll.SortStatus:    cols(append([]string{rankOf("r.status", roll.Statuses.Codes())}, tie...)...),
	}
}()

// caseSorts orders Cases (cases c, joined to persons p for the name).
var caseSorts = sortKeys{
	"":                         cols("c.submitted", "c.county", "c.id"),
	workflow.CaseSortSubmitted: cols("c.submitted", "c.county", "c.id"),
	workflow.CaseSortState:     cols(rankOf("c.state", workflow.States), "c.county", "c.id"),
	workflow.CaseSortName:      byName("p.", "c.county", "c.id"),
}

// lineSorts orders PaymentLines (payment_lines l of one county, joined to
// persons p for the name). Lines that tie follow region, person, period,
// revision and id: the default order.
var lineSorts = func() sortKeys {
	tie := []string{"l.region", "l.person_id", "l.period", "l.revision", "l.id"}
	return sortKeys{
		"":                     cols(tie...),
		payment.LineSortRegion: cols(tie...),
		payment.LineSortName:   byName("p.", tie...),
		payment.LineSortAmount: cols(append([]string{"l.amount_fen"}, tie...)...),
		payment.LineSortStatus: cols(append([]string{rankOf("l.status", payment.Statuses)}, tie...)...),
	}
}()

// prefixed qualifies each column of a comma-separated list with p.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
