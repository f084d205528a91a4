package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// The county reader of batch evaluation and impact previews: every table
// evaluation reads is read once, in one pass ordered by the person it
// belongs to, and families are joined in memory as the passes advance.
//
// The persons are taken a chunk at a time in id order. Around each chunk
// the reader keeps a window of every table's rows — the persons from a
// little before the chunk to a little after it, with their marriages,
// ties, hukou spells, certificates and other facts — because families are
// mostly registered together, so that spouses and children usually lie
// within it. The rows of a relative outside the window (a spouse registered
// years later, a child of another village's registration run) are read by
// id, as the family view reads them. Each pass streams: memory holds the
// window, not the county.
//
// The passes run in two groups, each on the read transaction of a
// connection of the scan's own, and the groups of a window are read in
// parallel: on SQLite a connection opened through the SQLite library
// (scan_sqlite.go; a connection holds several cursors), on PostgreSQL a
// connection outside the pool on which each pass reads a range of keys at
// a time and orders it (scan_pg.go). Each group sees its own snapshot, as
// the chunks of the previous reader each did. The batch does not read ID
// numbers: rules do not use them, and nothing is decrypted.

// windowMargin is how far, in chunks, the window reaches beyond each side
// of a chunk by default: relatives registered within it are read with the
// passes, not by id. Each row is read once whatever the margin; a wider
// window only keeps rows longer. In a generated county of ten million,
// whose villages hold 23,000 persons each, half of all children lie more
// than 6,000 ids from a parent: with a margin of a quarter of a chunk
// nearly every family had relatives read by id, and the evaluation took
// half as long again as with two chunks (docs/performance.md).
const windowMargin = 2

// keyed is a row of a table read in a pass: the person it belongs to
// (key), its own id (to order rows of one person as the family view
// does) and its values.
type keyed[T any] struct {
	key, id int64
	v       T
}

// pass is one table read in key order, with the rows of the current
// window in buf[off:].
type pass[T any] struct {
	src     source[T]
	less    func(a, b *T) int // order of one person's rows before their id; nil for id order
	buf     []keyed[T]
	off     int // rows of buf before off were dropped
	pending keyed[T]
	has     bool  // pending holds the first row beyond the window
	last    int64 // the key of the last row read
	done    bool
}

// fill reads rows until the key passes upto.
func (p *pass[T]) fill(upto int64) error {
	p.room()
	from := len(p.buf)
	if p.has {
		if p.pending.key > upto {
			return nil
		}
		p.buf, p.has = append(p.buf, p.pending), false
	}
	for !p.done {
		k := p.src.nextRow()
		if k == nil {
			p.done = true
			if err := p.src.Err(); err != nil {
				return err
			}
			break
		}
		if k.key < p.last {
			return fmt.Errorf("scan: key %d after %d: rows out of key order", k.key, p.last)
		}
		p.last = k.key
		if k.key > upto {
			p.pending, p.has = *k, true
			break
		}
		p.buf = append(p.buf, *k)
	}
	// Rows of one person come in any order; order them as the family
	// view does. The pass is in key order and a person's rows never
	// straddle a fill (fill stops only between keys), so ordering each
	// person's rows keeps the whole buffer in order.
	if p.less != nil {
		sortRuns(p.buf[from:], p.less)
	}
	return nil
}

// sortRuns orders the rows of each key of rows (sorted by key) by less,
// then id.
func sortRuns[T any](rows []keyed[T], less func(a, b *T) int) {
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].key == rows[i].key {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(rows[i:j], func(a, b keyed[T]) int {
				if c := less(&a.v, &b.v); c != 0 {
					return c
				}
				return cmp.Compare(a.id, b.id)
			})
		}
		i = j
	}
}

// drop forgets the rows keyed below from. They stay in the buffer until
// room moves the window's rows down over them: moving them at every
// window's step copied most of the window each time.
func (p *pass[T]) drop(from int64) {
	i, _ := slices.BinarySearchFunc(p.window(), from, func(k keyed[T], t int64) int { return cmp.Compare(k.key, t) })
	p.off += i
}

// room makes room at the end of the buffer for the rows fill reads, once
// the rows dropped take more of it than the room left: the window's rows
// are moved to the front, into a buffer twice their number at least, so
// that they are moved about once for every window's worth of rows read.
func (p *pass[T]) room() {
	if p.off == 0 || p.off < cap(p.buf)-len(p.buf) {
		return
	}
	rows := p.window()
	if cap(p.buf) < 2*len(rows) {
		p.buf = append(make([]keyed[T], 0, 2*len(rows)+64), rows...)
	} else {
		n := copy(p.buf, rows)
		clear(p.buf[n:])
		p.buf = p.buf[:n]
	}
	p.off = 0
}

// window returns the rows of the window, in key order.
func (p *pass[T]) window() []keyed[T] { return p.buf[p.off:] }

// in returns the rows keyed lo..hi.
func (p *pass[T]) in(lo, hi int64) []keyed[T] {
	cmpKey := func(k keyed[T], t int64) int { return cmp.Compare(k.key, t) }
	rows := p.window()
	i, _ := slices.BinarySearchFunc(rows, lo, cmpKey)
	j, _ := slices.BinarySearchFunc(rows[i:], hi+1, cmpKey)
	return rows[i : i+j]
}

func (p *pass[T]) close() {
	if p.src != nil {
		p.src.Close()
	}
}

// source is what a pass reads its rows from, in key order: a cursor's
// rows decoded as the pass takes them (cursorRows, SQLite), or ranges of
// rows decoded as they arrive (pgRanges, PostgreSQL).
type source[T any] interface {
	// nextRow returns the next row, valid until the next call; nil at
	// the end or on an error (Err).
	nextRow() *keyed[T]
	Err() error
	Close() error
}

// cursorRows are the rows of a cursor, decoded by scan.
type cursorRows[T any] struct {
	cur  cursor
	scan func(r row) T
	k    keyed[T]
}

func (c *cursorRows[T]) nextRow() *keyed[T] {
	if !c.cur.Next() {
		return nil
	}
	c.k = keyed[T]{key: c.cur.Int64(0), id: c.cur.Int64(1)}
	c.k.v = c.scan(c.cur)
	if c.cur.Err() != nil {
		return nil
	}
	return &c.k
}

func (c *cursorRows[T]) Err() error   { return c.cur.Err() }
func (c *cursorRows[T]) Close() error { return c.cur.Close() }

// table describes how a table of facts is read: the select list after
// the key and id columns, how a row of them is read (its columns from 2
// on), and where its rows go.
type table[T any] struct {
	name, key, cols string
	scan            func(r row) T
	less            func(a, b *T) int
	put             func(fs *registry.Families, key int64, v T)
	// passScan, when set, returns the scan of one pass, which may keep
	// state from row to row (one goroutine reads a pass at a time).
	passScan func() func(r row) T
}

// passScanOf returns the scan a pass of t reads its rows with.
func (t *table[T]) passScanOf() func(r row) T {
	if t.passScan != nil {
		return t.passScan()
	}
	return t.scan
}

// query returns the query of the table's rows in the county whose key
// meets cond (a condition on the key, such as "IN (…)").
func (t *table[T]) query(e Engine, cond string) string {
	return t.pass(e, "").sel + ` AND ` + t.key + ` ` + cond
}

// pass returns the query of a pass over the table's rows in county.
func (t *table[T]) pass(e Engine, county string) passQuery {
	cols := t.cols
	if e == SQLite {
		cols = textDates(cols)
	}
	return passQuery{sel: `SELECT ` + t.key + `, id, ` + cols + ` FROM ` + t.name + ` WHERE county = ?`, table: t.name, key: t.key, county: county}
}

// passQuery is what a pass reads: every row of a table in a county, by
// the key of the person it belongs to.
type passQuery struct {
	sel        string // SELECT key, id, … FROM table WHERE county = ?
	table, key string
	county     string
}

// ordered is the pass's query in key order, with its argument.
func (q passQuery) ordered() (string, []any) {
	return q.sel + ` ORDER BY ` + q.key, []any{q.county}
}

var (
	hukouTable = table[registry.HukouSpell]{name: "hukou_spells", key: "person_id", cols: "type, region, from_date, to_date, reason",
		scan: func(r row) registry.HukouSpell {
			return registry.HukouSpell{Type: r.Text(2), Region: r.Text(3), From: r.Date(4), To: r.Date(5), Reason: r.Text(6)}
		},
		less: func(a, b *registry.HukouSpell) int { return a.From.Compare(b.From) },
		put: func(fs *registry.Families, k int64, v registry.HukouSpell) {
			f := fs.Of(k)
			f.Hukou = append(f.Hukou, v)
		}}
	certificateTable = table[registry.Certificate]{name: "certificates", key: "holder_id", cols: "kind, number, issued, cancelled",
		scan: func(r row) registry.Certificate {
			return registry.Certificate{Kind: r.Text(2), Number: r.Text(3), Issued: r.Date(4), Cancelled: r.Date(5)}
		},
		less: func(a, b *registry.Certificate) int { return a.Issued.Compare(b.Issued) },
		put: func(fs *registry.Families, k int64, v registry.Certificate) {
			v.Holder = ref(k)
			f := fs.Of(k)
			f.Certificates = append(f.Certificates, v)
		}}
	contraceptionTable = table[registry.Contraception]{name: "contraception", key: "person_id", cols: "method, op_date",
		scan: func(r row) registry.Contraception {
			return registry.Contraception{Method: r.Text(2), Date: r.Date(3)}
		},
		less: func(a, b *registry.Contraception) int { return a.Date.Compare(b.Date) },
		put: func(fs *registry.Families, k int64, v registry.Contraception) {
			v.Person = ref(k)
			f := fs.Of(k)
			f.Contraception = append(f.Contraception, v)
		}}
	permissionTable = table[registry.BirthPermission]{name: "birth_permissions", key: "holder_id", cols: "kind, number, issued",
		scan: func(r row) registry.BirthPermission {
			return registry.BirthPermission{Kind: r.Text(2), Number: r.Text(3), Issued: r.Date(4)}
		},
		less: func(a, b *registry.BirthPermission) int { return a.Issued.Compare(b.Issued) },
		put: func(fs *registry.Families, k int64, v registry.BirthPermission) {
			v.Holder = ref(k)
			f := fs.Of(k)
			f.Permissions = append(f.Permissions, v)
		}}
	disabilityTable = table[registry.Disability]{name: "disabilities", key: "person_id", cols: "grade, category, from_date, to_date",
		scan: func(r row) registry.Disability {
			return registry.Disability{Grade: int(r.Int64(2)), Category: r.Text(3), From: r.Date(4), To: r.Date(5)}
		},
		less: func(a, b *registry.Disability) int { return a.From.Compare(b.From) },
		put: func(fs *registry.Families, k int64, v registry.Disability) {
			v.Person = ref(k)
			f := fs.Of(k)
			f.Disabilities = append(f.Disabilities, v)
		}}
	complicationTable = table[registry.Complication]{name: "complications", key: "person_id", cols: "grade, from_date, to_date",
		scan: func(r row) registry.Complication {
			return registry.Complication{Grade: int(r.Int64(2)), From: r.Date(3), To: r.Date(4)}
		},
		less: func(a, b *registry.Complication) int { return a.From.Compare(b.From) },
		put: func(fs *registry.Families, k int64, v registry.Complication) {
			v.Person = ref(k)
			f := fs.Of(k)
			f.Complications = append(f.Complications, v)
		}}
	retirementTable = table[registry.Retirement]{name: "retirements", key: "person_id", cols: "date, employer",
		scan: func(r row) registry.Retirement {
			return registry.Retirement{Date: r.Date(2), Employer: r.Text(3)}
		},
		less: func(a, b *registry.Retirement) int { return a.Date.Compare(b.Date) },
		put: func(fs *registry.Families, k int64, v registry.Retirement) {
			v.Person = ref(k)
			f := fs.Of(k)
			f.Retirements = append(f.Retirements, v)
		}}
	pensionTable = table[registry.Pension]{name: "pensions", key: "person_id", cols: "scheme, enrolled, ended, drawing, region",
		scan: func(r row) registry.Pension {
			return registry.Pension{Scheme: r.Text(2), Enrolled: r.Date(3), Ended: r.Date(4), Drawing: r.Date(5), Region: r.Text(6)}
		},
		less: func(a, b *registry.Pension) int { return a.Enrolled.Compare(b.Enrolled) },
		put: func(fs *registry.Families, k int64, v registry.Pension) {
			v.Person = ref(k)
			f := fs.Of(k)
			f.Pensions = append(f.Pensions, v)
		}}
	admissionTable = table[registry.Admission]{name: "admissions", key: "person_id", cols: "admitted, level",
		scan: func(r row) registry.Admission {
			return registry.Admission{Date: r.Date(2), Level: r.Text(3)}
		},
		less: func(a, b *registry.Admission) int { return a.Date.Compare(b.Date) },
		put: func(fs *registry.Families, k int64, v registry.Admission) {
			v.Person = ref(k)
			f := fs.Of(k)
			f.Admissions = append(f.Admissions, v)
		}}
	confirmationTable = table[registry.Confirmation]{name: "recipients", key: "person_id", cols: "program, confirmed",
		scan: func(r row) registry.Confirmation {
			return registry.Confirmation{Program: r.Text(2), Confirmed: r.Date(3)}
		},
		less: func(a, b *registry.Confirmation) int { return strings.Compare(a.Program, b.Program) },
		put: func(fs *registry.Families, k int64, v registry.Confirmation) {
			v.Person = ref(k)
			f := fs.Of(k)
			f.Confirmations = append(f.Confirmations, v)
		}}
	// Persons without their ID numbers; the key is the id.
	personTable = table[*registry.Person]{name: "persons", key: "id", cols: "name, sex, birth, death, region, pension, hukou_type",
		scan: func(r row) *registry.Person {
			p := &registry.Person{Hukou: make([]registry.HukouSpell, 1)}
			readPerson(r, p)
			return p
		},
		// A pass places its persons one after the other in blocks, as it
		// reads them, not each on its own: the persons of a family lie
		// close together in memory as in the table, and building each
		// subject's family, which copies them, waits less on memory.
		passScan: func() func(r row) *registry.Person {
			var persons []registry.Person
			var spells []registry.HukouSpell
			return func(r row) *registry.Person {
				if len(persons) == cap(persons) {
					persons, spells = make([]registry.Person, 0, 1024), make([]registry.HukouSpell, 0, 1024)
				}
				persons, spells = persons[:len(persons)+1], spells[:len(spells)+1]
				p := &persons[len(persons)-1]
				p.Hukou = spells[len(spells)-1 : len(spells) : len(spells)]
				readPerson(r, p)
				return p
			}
		},
		put: func(fs *registry.Families, k int64, v *registry.Person) { fs.Persons[k] = v }}
	// Marriages, read twice: by either party.
	marriageTables = [2]table[registry.KeyedMarriage]{marriageTable("a_id"), marriageTable("b_id")}
	tieTable       = table[registry.KeyedTie]{name: "parent_child", key: "parent_id", cols: "child_id, kind, from_date, in_policy, ruling",
		scan: func(r row) registry.KeyedTie {
			t := registry.KeyedTie{Parent: r.Int64(0), Child: r.Int64(2)}
			t.Tie.Kind, t.Tie.From, t.Tie.Ruling = r.Text(3), r.Date(4), r.Text(6)
			if inPolicy := r.NullBool(5); inPolicy.Valid {
				// Shared, not one allocation a tie: nothing writes
				// through a tie's InPolicy.
				t.Tie.InPolicy = &inPolicyValues[b2i(inPolicy.Bool)]
			}
			return t
		},
		put: func(fs *registry.Families, _ int64, v registry.KeyedTie) {
			v.Tie.Parent, v.Tie.Child = ref(v.Parent), ref(v.Child)
			fs.Ties = append(fs.Ties, v)
		}}
)

// readPerson reads a person's row into p, whose Hukou holds one spell.
func readPerson(r row, p *registry.Person) {
	p.Ref, p.Name, p.Sex, p.Birth = strconv.FormatInt(r.Int64(0), 10), r.Text(2), r.Text(3), r.Date(4)
	p.Death, p.Region, p.Pension, p.Hukou[0].Type = r.Date(5), r.Text(6), r.Text(7), r.Text(8)
}

// inPolicyValues are what a tie read by a county scan points to: false and
// true.
var inPolicyValues = [2]bool{false, true}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// dateColumns are the columns of the tables above that hold dates.
var dateColumns = map[string]bool{"birth": true, "death": true, "from_date": true, "to_date": true, "issued": true,
	"cancelled": true, "op_date": true, "date": true, "enrolled": true, "ended": true, "drawing": true, "admitted": true,
	"confirmed": true}

// textDates returns the select list cols with its date columns read as
// text. SQLite keeps a date as text; its Go driver turns the text of a
// column declared DATE into a time.Time, which date.Date then reads back,
// a cost of its own on millions of rows. An expression has no declared
// type, so the text comes as it is stored and date.Date reads it directly.
func textDates(cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		if dateColumns[c] {
			parts[i] = "CAST(" + c + " AS TEXT)"
		}
	}
	return strings.Join(parts, ", ")
}

func marriageTable(side string) table[registry.KeyedMarriage] {
	return table[registry.KeyedMarriage]{name: "marriages", key: side, cols: "a_id, b_id, from_date, to_date, end_reason",
		scan: func(r row) registry.KeyedMarriage {
			m := registry.KeyedMarriage{ID: r.Int64(1), A: r.Int64(2), B: r.Int64(3)}
			m.Marriage.From, m.Marriage.To, m.Marriage.End = r.Date(4), r.Date(5), r.Text(6)
			return m
		}}
}

// passes are the passes of a county scan, one per table.
type passes struct {
	persons  pass[*registry.Person]
	marr     [2]pass[registry.KeyedMarriage]
	ties     pass[registry.KeyedTie]
	hukou    pass[registry.HukouSpell]
	certs    pass[registry.Certificate]
	contra   pass[registry.Contraception]
	permits  pass[registry.BirthPermission]
	disab    pass[registry.Disability]
	compl    pass[registry.Complication]
	retire   pass[registry.Retirement]
	pensions pass[registry.Pension]
	admits   pass[registry.Admission]
	confirms pass[registry.Confirmation]
}

// filler is what a window needs of a pass.
type filler interface {
	fill(upto int64) error
	drop(from int64)
	close()
}

// all returns every pass with its group: the passes of one group share a
// connection on SQLite, where the groups are read in parallel (the first
// group's connection also reads the relatives outside the window).
func (ps *passes) all() []groupPass {
	return []groupPass{
		{&ps.persons, 0}, {&ps.ties, 0}, {&ps.admits, 0}, {&ps.disab, 0}, {&ps.compl, 0},
		{&ps.marr[0], 1}, {&ps.marr[1], 1}, {&ps.hukou, 1}, {&ps.certs, 1}, {&ps.contra, 1}, {&ps.permits, 1},
		{&ps.retire, 1}, {&ps.pensions, 1}, {&ps.confirms, 1},
	}
}

type groupPass struct {
	p     filler
	group int
}

// cursor is a pass's open result: sqliteCursor on SQLite, pgRanges on
// PostgreSQL. Its current row is read column by column (row); a column
// that cannot be read as asked reads as its zero value and ends the
// cursor, with an error naming the column (Err).
type cursor interface {
	row
	Next() bool
	Err() error
	Close() error
}

// texts keeps the texts a column of a pass has read, so that a text that
// repeats (a sex, a kind, a division's code) is one string, not one
// allocation a row. A column whose texts mostly differ (a name, a
// certificate's number) stops being kept once a few thousand are.
type texts struct {
	seen map[string]string
	hits int
	off  bool
}

// textsKept and textsLong bound what texts keeps: how many texts, and how
// long.
const (
	textsKept = 2048
	textsLong = 32
)

// of returns b as a string.
func (t *texts) of(b []byte) string {
	if t.off || len(b) == 0 || len(b) > textsLong {
		return string(b)
	}
	if s, ok := t.seen[string(b)]; ok {
		t.hits++
		return s
	}
	s := string(b)
	switch {
	case t.seen == nil:
		t.seen = map[string]string{s: s}
	case len(t.seen) < textsKept:
		t.seen[s] = s
	case t.hits < 4*textsKept:
		// As many different texts as kept, and few read again.
		t.off, t.seen = true, nil
	}
	return s
}

// columnTexts are the texts of each column of a pass.
type columnTexts []texts

// of returns b, the text of column col, as a string.
func (c *columnTexts) of(col int, b []byte) string {
	if col >= len(*c) {
		*c = append(*c, make([]texts, col+1-len(*c))...)
	}
	return (*c)[col].of(b)
}

// row is the current row of a cursor, read column by column, each into the
// type of the field it fills: no value passes through an interface, which
// on the millions of rows of a county cost an allocation each and a
// conversion.
type row interface {
	Int64(col int) int64    // an integer; NULL is an error
	Text(col int) string    // NULL is an error
	Date(col int) date.Date // NULL reads as the zero date
	NullBool(col int) sql.NullBool
}

// errNull is a cursor's error for NULL where a value is required, and
// errNoColumn its error for a column the row does not have.
var (
	errNull     = errors.New("NULL where a value is required")
	errNoColumn = errors.New("no such column")
)

// querier opens a pass's rows, in key order; the pass holds them open.
type querier func(ctx context.Context, q passQuery) (cursor, error)

// open starts the pass of t over county: on PostgreSQL in ranges on the
// connection pg, otherwise on q.
func open[T any](ctx context.Context, q querier, pg *pgScanConn, e Engine, county string, t *table[T], p *pass[T]) error {
	p.less, p.last = t.less, math.MinInt64
	if pg != nil {
		r, err := openPGRanges(ctx, pg, t.pass(e, county), t.passScanOf())
		if err != nil {
			return err
		}
		p.src = r
		return nil
	}
	rows, err := q(ctx, t.pass(e, county))
	if err != nil {
		return err
	}
	p.src = &cursorRows[T]{cur: rows, scan: t.passScanOf()}
	return nil
}

// openPasses starts every pass of county, those of group g on qs[g], or
// on PostgreSQL on pg[g].
func openPasses(ctx context.Context, qs [2]querier, pg [2]*pgScanConn, e Engine, county string) (*passes, error) {
	ps := &passes{}
	group := map[filler]int{}
	for _, gp := range ps.all() {
		group[gp.p] = gp.group
	}
	q := func(p filler) querier { return qs[group[p]] }
	c := func(p filler) *pgScanConn { return pg[group[p]] }
	err := open(ctx, q(&ps.persons), c(&ps.persons), e, county, &personTable, &ps.persons)
	for i := range ps.marr {
		err = cmp.Or(err, open(ctx, q(&ps.marr[i]), c(&ps.marr[i]), e, county, &marriageTables[i], &ps.marr[i]))
	}
	err = cmp.Or(err, open(ctx, q(&ps.ties), c(&ps.ties), e, county, &tieTable, &ps.ties),
		open(ctx, q(&ps.hukou), c(&ps.hukou), e, county, &hukouTable, &ps.hukou),
		open(ctx, q(&ps.certs), c(&ps.certs), e, county, &certificateTable, &ps.certs),
		open(ctx, q(&ps.contra), c(&ps.contra), e, county, &contraceptionTable, &ps.contra),
		open(ctx, q(&ps.permits), c(&ps.permits), e, county, &permissionTable, &ps.permits),
		open(ctx, q(&ps.disab), c(&ps.disab), e, county, &disabilityTable, &ps.disab),
		open(ctx, q(&ps.compl), c(&ps.compl), e, county, &complicationTable, &ps.compl),
		open(ctx, q(&ps.retire), c(&ps.retire), e, county, &retirementTable, &ps.retire),
		open(ctx, q(&ps.pensions), c(&ps.pensions), e, county, &pensionTable, &ps.pensions),
		open(ctx, q(&ps.admits), c(&ps.admits), e, county, &admissionTable, &ps.admits),
		open(ctx, q(&ps.confirms), c(&ps.confirms), e, county, &confirmationTable, &ps.confirms))
	if err != nil {
		ps.close()
		return nil, err
	}
	return ps, nil
}

func (ps *passes) close() {
	for _, gp := range ps.all() {
		gp.p.close()
	}
}

// advance moves the window to lo..hi: every pass is read up to hi and
// forgets the rows below lo, the groups in parallel, each on its own
// connection.
func (ps *passes) advance(lo, hi int64) error {
	all := ps.all()
	errs := make([]error, len(all))
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			for i, gp := range all {
				if gp.group == g {
					gp.p.drop(lo)
					if errs[i] = gp.p.fill(hi); errs[i] != nil {
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return cmp.Or(errs...)
}

// scanCounty reads the families of the candidates of a whole county
// (s.Scope empty) with one pass per table; see ScanFamilies.
func (db *DB) scanCounty(ctx context.Context, s FamilyScan) iter.Seq2[*registry.Families, error] {
	return func(yield func(*registry.Families, error) bool) {
		// A scan takes its connections one by one (one of the pool and
		// two of its own): scans that all held some while waiting for
		// more would wait for each other for ever, and each PostgreSQL
		// connection is a server process, so at most two run at once and
		// the others wait before taking any.
		select {
		case countyScans <- struct{}{}:
			defer func() { <-countyScans }()
		case <-ctx.Done():
			yield(nil, ctx.Err())
			return
		}
		stop := false
		err := db.View(ctx, func(tx *Tx) error {
			// The passes of a group are read on a connection of the
			// scan's own, in one read transaction: through the SQLite
			// library itself (scan_sqlite.go), or outside the pool on
			// PostgreSQL, a range of keys at a time (scan_pg.go).
			var qs [2]querier
			var pg [2]*pgScanConn
			for g := range qs {
				if db.Engine == Postgres {
					c, err := db.openPGScanConn(ctx)
					if err != nil {
						return err
					}
					defer c.close()
					pg[g] = c
					continue
				}
				c, err := db.openSQLiteScanConn()
				if err != nil {
					return err
				}
				defer c.close()
				qs[g] = func(ctx context.Context, q passQuery) (cursor, error) {
					query, args := q.ordered()
					return c.query(ctx, query, args...)
				}
			}
			// The relatives persons who moved in left in their old
			// county: one query for the county, one read per old county.
			widen, err := tx.countyWidener(ctx, s.County)
			if err != nil {
				return err
			}
			ps, err := openPasses(ctx, qs, pg, db.Engine, s.County)
			if err != nil {
				return err
			}
			defer ps.close()
			for _, c := range pg {
				if c == nil {
					continue
				}
				if err := c.rangesOnly(ctx); err != nil {
					return err
				}
			}
			margin := int64(s.Margin)
			yearStart, yearEnd := date.Of(s.Year, 1, 1), date.Of(s.Year, 12, 31)
			var lo int64 = -1 << 62
			ties, marriages, persons, withFacts := 0, 0, 0, 0
			for {
				// The chunk: the next s.Chunk persons by id.
				chunk, err := nextChunk(&ps.persons, lo, s.Chunk)
				if err != nil {
					return err
				}
				if len(chunk) == 0 {
					return nil
				}
				clo, chi := chunk[0].key, chunk[len(chunk)-1].key
				if err := ps.advance(clo-margin, chi+margin); err != nil {
					return err
				}
				fs := registry.NewFamiliesSized(s.County, persons+persons/8, withFacts+withFacts/8)
				fs.Widen = widen
				// Room for as many persons, ties and marriages as the last
				// chunk's, and some: growing them row by row copied each
				// chunk's several times over.
				fs.Ties = make([]registry.KeyedTie, 0, ties+ties/8)
				fs.Marriages = make([]registry.KeyedMarriage, 0, marriages+marriages/8)
				for _, p := range ps.persons.in(clo, chi) {
					fs.Persons[p.key] = p.v
					if !p.v.Birth.After(yearEnd) && (p.v.Death.IsZero() || !p.v.Death.Before(yearStart)) {
						fs.Subjects = append(fs.Subjects, p.key)
					}
				}
				if len(fs.Subjects) > 0 {
					w := windowReader{tx: tx, ps: ps, fs: fs, lo: clo - margin, hi: chi + margin, clo: clo, chi: chi}
					if err := w.read(ctx); err != nil {
						return err
					}
				}
				ties, marriages = len(fs.Ties), len(fs.Marriages)
				persons, withFacts = fs.Sizes()
				if !yield(fs, nil) {
					stop = true
					return nil
				}
				lo = chi + 1
			}
		})
		if err != nil && !stop {
			if ctx.Err() != nil {
				// Cancelled: the passes' connections fail in their own
				// words (a closed connection); say what happened.
				err = ctx.Err()
			}
			yield(nil, err)
		}
	}
}

// scanCacheKiB is the page cache of a SQLite connection during a county
// scan.
const scanCacheKiB = 4096

// countyScans bounds the county scans running at once (see scanCounty):
// two need four connections besides two of the pool's.
var countyScans = make(chan struct{}, 2)

// nextChunk returns the persons of the next chunk, from id lo on, reading
// the persons' pass as far as needed.
func nextChunk(p *pass[*registry.Person], lo int64, n int) ([]keyed[*registry.Person], error) {
	for {
		rows := p.in(lo, 1<<62)
		if len(rows) >= n || (p.done && !p.has) {
			return rows[:min(n, len(rows))], nil
		}
		upto := lo + int64(n)
		if len(rows) > 0 {
			upto = rows[len(rows)-1].key + int64(n-len(rows))
		}
		if p.has && p.pending.key > upto {
			upto = p.pending.key
		}
		if err := p.fill(upto); err != nil {
			return nil, err
		}
	}
}

// windowReader reads, for fs.Subjects (all within clo..chi), what
// familyReader.read reads, taking the rows of persons within the window
// lo..hi from the passes and reading those of others by id.
type windowReader struct {
	tx       *Tx
	ps       *passes
	fs       *registry.Families
	lo, hi   int64    // the window
	clo, chi int64    // the chunk
	marks    []uint64 // scratch of split: a bit for each id of the window
}

func (w *windowReader) inWindow(id int64) bool { return id >= w.lo && id <= w.hi }

// ids are persons of a family read, each once and in order: those within
// the window and those outside it.
type ids struct{ in, out []int64 }

// split returns ids divided by the window.
func (w *windowReader) split(list []int64) ids {
	var x ids
	width := w.hi - w.lo + 1
	if width > 64*int64(len(list)) {
		// A window wider than its ids are many (ids far apart): sorted.
		for _, id := range list {
			if w.inWindow(id) {
				x.in = append(x.in, id)
			} else {
				x.out = append(x.out, id)
			}
		}
		slices.Sort(x.in)
		x.in = slices.Compact(x.in)
	} else {
		// Marked in a set of the window's ids, and read off it in order,
		// each once: cheaper than sorting them.
		if n := int((width + 63) / 64); len(w.marks) < n {
			w.marks = make([]uint64, n)
		}
		count := 0
		for _, id := range list {
			if w.inWindow(id) {
				w.marks[(id-w.lo)/64] |= 1 << uint((id-w.lo)%64)
				count++
			} else {
				x.out = append(x.out, id)
			}
		}
		x.in = make([]int64, 0, count)
		for i, m := range w.marks[:(width+63)/64] {
			for m != 0 {
				x.in = append(x.in, w.lo+int64(i)*64+int64(bits.TrailingZeros64(m)))
				m &= m - 1
			}
			w.marks[i] = 0
		}
	}
	slices.Sort(x.out)
	x.out = slices.Compact(x.out)
	return x
}

// facts puts the rows of t of persons x into fs: from the pass for those
// within the window, by id for the others.
func facts[T any](ctx context.Context, w *windowReader, t *table[T], p *pass[T], x ids) error {
	p.each(x.in, func(k *keyed[T]) { t.put(w.fs, k.key, k.v) })
	return byID(ctx, w.tx, w.fs.County, t, x.out, func(key int64, v T) { t.put(w.fs, key, v) })
}

// each calls fn with the rows of the window keyed by ids (sorted, each
// once), in order. It walks the rows and the ids together, skipping ahead
// in either by doubling steps, so that a few ids among many rows, or many
// ids among a few rows, cost about as many steps as the fewer of them.
func (p *pass[T]) each(ids []int64, fn func(*keyed[T])) {
	rows := p.window()
	i, j := 0, 0
	for i < len(rows) && j < len(ids) {
		switch k, id := rows[i].key, ids[j]; {
		case k < id:
			i += gallop(len(rows)-i, func(n int) bool { return rows[i+n].key >= id })
		case k > id:
			j += gallop(len(ids)-j, func(n int) bool { return ids[j+n] >= k })
		default:
			for ; i < len(rows) && rows[i].key == id; i++ {
				fn(&rows[i])
			}
			j++
		}
	}
}

// gallop returns the least n < size for which ok(n) holds, or size; ok
// must be false up to some n and true from there, and false at 0.
func gallop(size int, ok func(int) bool) int {
	lo, step := 0, 1 // ok(lo) is false
	for lo+step < size && !ok(lo+step) {
		lo += step
		step *= 2
	}
	hi := min(lo+step, size) // ok(hi) holds, or hi == size
	return lo + 1 + sort.Search(hi-lo-1, func(n int) bool { return ok(lo + 1 + n) })
}

// byID reads the rows of t of persons ids (not in any window), ordered
// per person as a pass orders them, and hands them to fn.
func byID[T any](ctx context.Context, tx *Tx, county string, t *table[T], ids []int64, fn func(key int64, v T)) error {
	for _, part := range chunkIDs(ids) {
		var got []keyed[T]
		var r sqlRow
		in, args := tx.oneOf(part)
		err := scanEach(ctx, tx, t.query(tx.db.Engine, in), append([]any{county}, args...), func(rows *sql.Rows) error {
			if err := r.scan(rows); err != nil {
				return err
			}
			got = append(got, keyed[T]{key: r.Int64(0), id: r.Int64(1), v: t.scan(&r)})
			return r.err
		})
		if err != nil {
			return err
		}
		slices.SortStableFunc(got, func(a, b keyed[T]) int { return cmp.Compare(a.key, b.key) })
		if t.less != nil {
			sortRuns(got, t.less)
		}
		for _, k := range got {
			fn(k.key, k.v)
		}
	}
	return nil
}

// sqlRow is a row of database/sql's rows read as a cursor's: the rows of
// relatives outside the window, a few a chunk. Each value comes as the
// driver gives it: an integer as int64, a text as string (or []byte), a
// date as time.Time (PostgreSQL) or text (SQLite), a boolean as bool (or
// an integer on SQLite).
type sqlRow struct {
	vals, ptrs []any
	err        error // the first column that could not be read
}

// scan reads the next row of rows.
func (r *sqlRow) scan(rows *sql.Rows) error {
	if r.ptrs == nil {
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		r.vals, r.ptrs = make([]any, len(cols)), make([]any, len(cols))
		for i := range r.vals {
			r.ptrs[i] = &r.vals[i]
		}
	}
	return rows.Scan(r.ptrs...)
}

func (r *sqlRow) fail(col int, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("scan column %d: %w", col, err)
	}
}

func (r *sqlRow) value(col int) (any, bool) {
	if col < 0 || col >= len(r.vals) {
		r.fail(col, errNoColumn)
		return nil, false
	}
	return r.vals[col], true
}

func (r *sqlRow) Int64(col int) int64 {
	v, ok := r.value(col)
	switch v := v.(type) {
	case int64:
		return v
	case nil:
		if ok {
			r.fail(col, errNull)
		}
	default:
		r.fail(col, fmt.Errorf("not an integer (%T)", v))
	}
	return 0
}

func (r *sqlRow) Text(col int) string {
	v, ok := r.value(col)
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		if ok {
			r.fail(col, errNull)
		}
	default:
		r.fail(col, fmt.Errorf("not a text (%T)", v))
	}
	return ""
}

func (r *sqlRow) Err() error { return r.err }

func (r *sqlRow) NullText(col int) string {
	if v, ok := r.value(col); ok && v == nil {
		return ""
	}
	return r.Text(col)
}

func (r *sqlRow) Time(col int) time.Time {
	v, ok := r.value(col)
	if !ok {
		return time.Time{}
	}
	t, err := timeValue(v)
	if err != nil {
		r.fail(col, err)
	}
	return t
}

func (r *sqlRow) Date(col int) date.Date {
	var d date.Date
	if v, ok := r.value(col); ok {
		if err := d.Scan(v); err != nil {
			r.fail(col, err)
		}
	}
	return d
}

func (r *sqlRow) NullBool(col int) sql.NullBool {
	var b sql.NullBool
	if v, ok := r.value(col); ok {
		if err := b.Scan(v); err != nil {
			r.fail(col, err)
		}
	}
	return b
}

// read mirrors familyReader.read.
func (w *windowReader) read(ctx context.Context) error {
	fs, ps := w.fs, w.ps
	subjects := fs.Subjects
	isSubject := make(map[int64]bool, len(subjects))
	for _, id := range subjects {
		isSubject[id] = true
	}
	seen := make(map[int64]bool, cap(fs.Marriages))
	addMarriage := func(m registry.KeyedMarriage) {
		if !seen[m.ID] {
			seen[m.ID] = true
			m.Marriage.A, m.Marriage.B = ref(m.A), ref(m.B)
			fs.Marriages = append(fs.Marriages, m)
		}
	}
	// The marriages of the chunk's persons, then those of the subjects'
	// spouses.
	marriagesOf := func(x ids) error {
		for i := range ps.marr {
			ps.marr[i].each(x.in, func(r *keyed[registry.KeyedMarriage]) { addMarriage(r.v) })
		}
		for i := range marriageTables {
			if err := byID(ctx, w.tx, fs.County, &marriageTables[i], x.out, func(_ int64, m registry.KeyedMarriage) { addMarriage(m) }); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range ps.marr {
		for _, r := range ps.marr[i].in(w.clo, w.chi) {
			addMarriage(r.v)
		}
	}
	spouses := otherParties(fs.Marriages, isSubject)
	if err := marriagesOf(w.split(spouses)); err != nil {
		return err
	}
	isParent := make(map[int64]bool, len(subjects)+len(spouses))
	for _, id := range subjects {
		isParent[id] = true
	}
	for _, id := range spouses {
		isParent[id] = true
	}
	exes := otherParties(fs.Marriages, isParent)
	// The subjects lie within the chunk, in order.
	subj := ids{in: subjects}
	parents := w.split(append(slices.Clip(subjects), spouses...))
	if err := facts(ctx, w, &tieTable, &ps.ties, parents); err != nil {
		return err
	}
	var childList []int64
	for _, t := range fs.Ties {
		childList = append(childList, t.Child)
	}
	children := w.split(childList)
	// The persons at the other ends.
	var want []int64
	for _, id := range slices.Concat(spouses, exes, childList) {
		if fs.Persons[id] == nil {
			want = append(want, id)
		}
	}
	if err := facts(ctx, w, &personTable, &ps.persons, w.split(want)); err != nil {
		return err
	}
	for _, f := range []error{
		facts(ctx, w, &hukouTable, &ps.hukou, parents),
		facts(ctx, w, &certificateTable, &ps.certs, parents),
		facts(ctx, w, &contraceptionTable, &ps.contra, parents),
		facts(ctx, w, &permissionTable, &ps.permits, parents),
		facts(ctx, w, &disabilityTable, &ps.disab, w.split(slices.Concat(subjects, childList))),
		facts(ctx, w, &complicationTable, &ps.compl, subj),
		facts(ctx, w, &retirementTable, &ps.retire, subj),
		facts(ctx, w, &pensionTable, &ps.pensions, subj),
		facts(ctx, w, &admissionTable, &ps.admits, children),
		facts(ctx, w, &confirmationTable, &ps.confirms, subj),
	} {
		if f != nil {
			return f
		}
	}
	return nil
}
