package store

import (
	"context"
	"database/sql"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// The family reader: the one place that reads the registry facts of
// persons' families (registry.Families), for the family view of a person
// (Tx.Families, behind registry.FamilyView) and for batch evaluation and
// impact previews (DB.ScanFamilies). Both run the same queries; a scan
// reads the rows of a whole key range at once where the family view reads
// a few persons by id.

// FamilyScan selects the candidates of a batch read.
type FamilyScan struct {
	County string // six-digit county code
	Scope  string // optional 9- or 12-digit prefix of the persons' region within the county
	Year   int
	// Chunk is the number of persons read at a time (default 5,000).
	Chunk int
	// Margin is how far, in ids, a county scan's window reaches beyond
	// each side of a chunk (default twice the chunk; see scanCounty).
	Margin int
	// ByIDLists reads a whole county chunk by chunk with id lists, as a
	// township is read, instead of with one ordered pass per table: the
	// earlier reader, kept to compare the two.
	ByIDLists bool
}

// ScanFamilies reads the families of the scan's candidates — the persons
// of the county (or of Scope within it) born by the end of Year and alive
// at its start — a chunk at a time in id order, so that memory does not
// grow with the county. A whole county is read with one ordered pass per
// table (scanCounty); a township or village chunk by chunk, each chunk in
// a read-only transaction of its own (scanByIDLists). A chunk may have no
// candidates. The sequence ends at the first error, which it yields.
func (db *DB) ScanFamilies(ctx context.Context, s FamilyScan) iter.Seq2[*registry.Families, error] {
	if s.Chunk <= 0 {
		s.Chunk = 5000
	}
	if s.Margin <= 0 {
		s.Margin = windowMargin * s.Chunk
	}
	if s.Scope == "" && !s.ByIDLists {
		return db.scanCounty(ctx, s)
	}
	return db.scanByIDLists(ctx, s)
}

// scanByIDLists reads the families of a scan chunk by chunk with queries
// over the chunk's key range and id lists: the reader of a township's or
// a village's persons, whose relatives may be anywhere in the county.
func (db *DB) scanByIDLists(ctx context.Context, s FamilyScan) iter.Seq2[*registry.Families, error] {
	return func(yield func(*registry.Families, error) bool) {
		var after int64
		var widen func(int64, *registry.Family)
		if err := db.View(ctx, func(tx *Tx) (err error) {
			widen, err = tx.countyWidener(ctx, s.County)
			return err
		}); err != nil {
			yield(nil, err)
			return
		}
		for {
			var fs *registry.Families
			err := db.View(ctx, func(tx *Tx) error {
				var err error
				fs, after, err = tx.scanFamilies(ctx, s, after)
				return err
			})
			if fs != nil {
				fs.Widen = widen
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if fs == nil || !yield(fs, nil) {
				return
			}
		}
	}
}

// scanFamilies reads the chunk of candidates after id after, and returns
// it with the last id read (nil at the end). Persons are read by key
// range and filtered by date here, so that the plan stays a range scan of
// the primary key whatever the table statistics say.
func (tx *Tx) scanFamilies(ctx context.Context, s FamilyScan, after int64) (*registry.Families, int64, error) {
	q := `SELECT ` + familyPersonColumns + ` FROM persons WHERE county = ? AND id > ?`
	args := []any{s.County, after}
	if s.Scope != "" {
		q += ` AND region LIKE ?`
		args = append(args, s.Scope+"%")
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, s.Chunk)
	fs := registry.NewFamilies(s.County)
	var read []int64
	if err := scanFamilyPersons(ctx, tx, fs, q, args, &read); err != nil {
		return nil, 0, err
	}
	if len(read) == 0 {
		return nil, 0, nil
	}
	yearStart, yearEnd := date.Of(s.Year, 1, 1), date.Of(s.Year, 12, 31)
	for _, id := range read {
		if p := fs.Persons[id]; !p.Birth.After(yearEnd) && (p.Death.IsZero() || !p.Death.Before(yearStart)) {
			fs.Subjects = append(fs.Subjects, id)
		}
	}
	last := read[len(read)-1]
	if len(fs.Subjects) == 0 {
		return fs, last, nil
	}
	r := familyReader{tx: tx, fs: fs, lo: fs.Subjects[0], hi: fs.Subjects[len(fs.Subjects)-1]}
	if r.hi-r.lo+1 > sparseRange*int64(len(fs.Subjects)) {
		// The subjects lie far apart (a village's persons, registered
		// over the county's years): the range between the first and the
		// last holds mostly others' rows, nearly the county's, and the
		// subjects' own are read by id instead.
		r.lo, r.hi = 1, 0
	}
	return fs, last, r.read(ctx)
}

// sparseRange is how many ids a chunk's key range may span for each of
// its subjects before its rows are read by id rather than by range: a row
// read by id costs an index probe, some times a row of a range.
const sparseRange = 8

// Families reads the families of persons ids of county (see
// registry.Families); ids not registered there are left out.
func (tx *Tx) Families(ctx context.Context, county string, ids []int64) (*registry.Families, error) {
	fs := registry.NewFamilies(county)
	r := familyReader{tx: tx, fs: fs, lo: 1, hi: 0}
	if err := r.persons(ctx, ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if fs.Persons[id] != nil && !slices.Contains(fs.Subjects, id) {
			fs.Subjects = append(fs.Subjects, id)
		}
	}
	slices.Sort(fs.Subjects)
	if len(fs.Subjects) == 0 {
		return fs, nil
	}
	return fs, r.read(ctx)
}

// familyPersonColumns are the columns of a person in a family.
const familyPersonColumns = `id, id_number, name, sex, birth, death, region, pension, hukou_type`

// familyReader reads the rows of the subjects' families into fs. Rows of
// the key range lo..hi (empty when lo > hi) are read by range, whoever
// they belong to, and rows of persons outside it by id lists.
type familyReader struct {
	tx     *Tx
	fs     *registry.Families
	lo, hi int64
}

// read reads, for fs.Subjects, every row registry.Families defines a
// family by: the subjects' marriages, then those of their spouses; the
// ties of subjects and spouses; the persons at the other ends; the hukou
// history, certificates, contraceptive operations and birth permissions
// of subjects and spouses, the disabilities of subjects and children, the
// university admissions of children, and the complications, retirements,
// pension enrolments and roll confirmations of subjects.
func (r *familyReader) read(ctx context.Context) error {
	fs := r.fs
	subjects := fs.Subjects
	isSubject := make(map[int64]bool, len(subjects))
	for _, id := range subjects {
		isSubject[id] = true
	}
	seen := map[int64]bool{} // marriages already read
	if err := r.marriages(ctx, true, r.outside(subjects, nil), seen); err != nil {
		return err
	}
	spouses := otherParties(fs.Marriages, isSubject)
	if err := r.marriages(ctx, false, r.outside(spouses, isSubject), seen); err != nil {
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
	parents := append(slices.Clip(subjects), spouses...)
	if err := r.each(ctx, `SELECT parent_id, child_id, kind, from_date, in_policy, ruling FROM parent_child
		WHERE county = ? AND parent_id {ids}`, parents, func(rows *sql.Rows) error {
		var t registry.KeyedTie
		var inPolicy sql.NullBool
		if err := rows.Scan(&t.Parent, &t.Child, &t.Tie.Kind, &t.Tie.From, &inPolicy, &t.Tie.Ruling); err != nil {
			return err
		}
		if !isParent[t.Parent] {
			return nil
		}
		t.Tie.Parent, t.Tie.Child = ref(t.Parent), ref(t.Child)
		if inPolicy.Valid {
			v := inPolicy.Bool
			t.Tie.InPolicy = &v
		}
		fs.Ties = append(fs.Ties, t)
		return nil
	}); err != nil {
		return err
	}
	var children []int64
	for _, t := range fs.Ties {
		children = append(children, t.Child)
	}
	if err := r.persons(ctx, slices.Concat(spouses, exes, children)); err != nil {
		return err
	}
	if err := r.each(ctx, `SELECT person_id, type, region, from_date, to_date, reason FROM hukou_spells
		WHERE county = ? AND person_id {ids} ORDER BY person_id, from_date, id`, parents, func(rows *sql.Rows) error {
		var id int64
		var h registry.HukouSpell
		if err := rows.Scan(&id, &h.Type, &h.Region, &h.From, &h.To, &h.Reason); err != nil {
			return err
		}
		if isParent[id] {
			f := fs.Of(id)
			f.Hukou = append(f.Hukou, h)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := r.each(ctx, `SELECT holder_id, kind, number, issued, cancelled FROM certificates
		WHERE county = ? AND holder_id {ids} ORDER BY holder_id, issued, id`, parents, func(rows *sql.Rows) error {
		var id int64
		var c registry.Certificate
		if err := rows.Scan(&id, &c.Kind, &c.Number, &c.Issued, &c.Cancelled); err != nil {
			return err
		}
		if isParent[id] {
			c.Holder = ref(id)
			f := fs.Of(id)
			f.Certificates = append(f.Certificates, c)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := r.each(ctx, `SELECT person_id, method, op_date FROM contraception
		WHERE county = ? AND person_id {ids} ORDER BY person_id, op_date, id`, parents, func(rows *sql.Rows) error {
		var id int64
		var x registry.Contraception
		if err := rows.Scan(&id, &x.Method, &x.Date); err != nil {
			return err
		}
		if isParent[id] {
			x.Person = ref(id)
			f := fs.Of(id)
			f.Contraception = append(f.Contraception, x)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := r.each(ctx, `SELECT holder_id, kind, number, issued FROM birth_permissions
		WHERE county = ? AND holder_id {ids} ORDER BY holder_id, issued, id`, parents, func(rows *sql.Rows) error {
		var id int64
		var x registry.BirthPermission
		if err := rows.Scan(&id, &x.Kind, &x.Number, &x.Issued); err != nil {
			return err
		}
		if isParent[id] {
			x.Holder = ref(id)
			f := fs.Of(id)
			f.Permissions = append(f.Permissions, x)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := r.each(ctx, `SELECT person_id, grade, category, from_date, to_date FROM disabilities
		WHERE county = ? AND person_id {ids} ORDER BY person_id, from_date, id`, slices.Concat(subjects, children), func(rows *sql.Rows) error {
		var id int64
		var d registry.Disability
		if err := rows.Scan(&id, &d.Grade, &d.Category, &d.From, &d.To); err != nil {
			return err
		}
		d.Person = ref(id)
		f := fs.Of(id)
		f.Disabilities = append(f.Disabilities, d)
		return nil
	}); err != nil {
		return err
	}
	if err := r.each(ctx, `SELECT person_id, grade, from_date, to_date FROM complications
		WHERE county = ? AND person_id {ids} ORDER BY person_id, from_date, id`, subjects, func(rows *sql.Rows) error {
		var id int64
		var c registry.Complication
		if err := rows.Scan(&id, &c.Grade, &c.From, &c.To); err != nil {
			return err
		}
		c.Person = ref(id)
		f := fs.Of(id)
		f.Complications = append(f.Complications, c)
		return nil
	}); err != nil {
		return err
	}
	if err := r.each(ctx, `SELECT person_id, date, employer FROM retirements
		WHERE county = ? AND person_id {ids} ORDER BY person_id, date, id`, subjects, func(rows *sql.Rows) error {
		var id int64
		var x registry.Retirement
		if err := rows.Scan(&id, &x.Date, &x.Employer); err != nil {
			return err
		}
		x.Person = ref(id)
		f := fs.Of(id)
		f.Retirements = append(f.Retirements, x)
		return nil
	}); err != nil {
		return err
	}
	if err := r.each(ctx, `SELECT person_id, scheme, enrolled, ended, drawing, region FROM pensions
		WHERE county = ? AND person_id {ids} ORDER BY person_id, enrolled, id`, subjects, func(rows *sql.Rows) error {
		var id int64
		var x registry.Pension
		if err := rows.Scan(&id, &x.Scheme, &x.Enrolled, &x.Ended, &x.Drawing, &x.Region); err != nil {
			return err
		}
		x.Person = ref(id)
		f := fs.Of(id)
		f.Pensions = append(f.Pensions, x)
		return nil
	}); err != nil {
		return err
	}
	if err := r.each(ctx, `SELECT person_id, admitted, level FROM admissions
		WHERE county = ? AND person_id {ids} ORDER BY person_id, admitted, id`, children, func(rows *sql.Rows) error {
		var id int64
		var x registry.Admission
		if err := rows.Scan(&id, &x.Date, &x.Level); err != nil {
			return err
		}
		x.Person = ref(id)
		f := fs.Of(id)
		f.Admissions = append(f.Admissions, x)
		return nil
	}); err != nil {
		return err
	}
	// Confirmations on the roll: no back pay before the confirmation
	// year, and special assistance accrues from it.
	return r.each(ctx, `SELECT person_id, program, confirmed FROM recipients
		WHERE county = ? AND person_id {ids} ORDER BY person_id, program, id`, subjects, func(rows *sql.Rows) error {
		var id int64
		var x registry.Confirmation
		if err := rows.Scan(&id, &x.Program, &x.Confirmed); err != nil {
			return err
		}
		x.Person = ref(id)
		f := fs.Of(id)
		f.Confirmations = append(f.Confirmations, x)
		return nil
	})
}

// marriages reads the marriages of persons ids (and, with withRange, of
// the key range) on either side, each once.
func (r *familyReader) marriages(ctx context.Context, withRange bool, ids []int64, seen map[int64]bool) error {
	for _, side := range []string{"a_id", "b_id"} {
		err := r.query(ctx, `SELECT id, a_id, b_id, from_date, to_date, end_reason FROM marriages
			WHERE county = ? AND `+side+` {ids}`, withRange, ids, func(rows *sql.Rows) error {
			var m registry.KeyedMarriage
			if err := rows.Scan(&m.ID, &m.A, &m.B, &m.Marriage.From, &m.Marriage.To, &m.Marriage.End); err != nil {
				return err
			}
			if seen[m.ID] {
				return nil
			}
			seen[m.ID] = true
			m.Marriage.A, m.Marriage.B = ref(m.A), ref(m.B)
			r.fs.Marriages = append(r.fs.Marriages, m)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// otherParties returns the persons married to one of who, each once,
// leaving out those of who themselves.
func otherParties(ms []registry.KeyedMarriage, who map[int64]bool) []int64 {
	var out []int64
	added := map[int64]bool{}
	for _, m := range ms {
		for _, pair := range [2][2]int64{{m.A, m.B}, {m.B, m.A}} {
			if who[pair[0]] && !who[pair[1]] && !added[pair[1]] {
				added[pair[1]] = true
				out = append(out, pair[1])
			}
		}
	}
	return out
}

// persons reads the persons of ids not read yet.
func (r *familyReader) persons(ctx context.Context, ids []int64) error {
	var want []int64
	for _, id := range ids {
		if r.fs.Persons[id] == nil {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	for _, part := range chunkIDs(want) {
		in, args := r.tx.oneOf(part)
		if err := scanFamilyPersons(ctx, r.tx, r.fs, `SELECT `+familyPersonColumns+` FROM persons
			WHERE county = ? AND id `+in, append([]any{r.fs.County}, args...), nil); err != nil {
			return err
		}
	}
	return nil
}

// each runs q for the key range and for the persons of ids outside it.
func (r *familyReader) each(ctx context.Context, q string, ids []int64, fn func(*sql.Rows) error) error {
	return r.query(ctx, q, true, r.outside(ids, nil), fn)
}

// query runs q, whose condition on person ids is written {ids}: over the
// key range when withRange is set and the range is not empty, then over
// ids, 1,000 at a time.
func (r *familyReader) query(ctx context.Context, q string, withRange bool, ids []int64, fn func(*sql.Rows) error) error {
	if withRange && r.lo <= r.hi {
		if err := scanEach(ctx, r.tx, strings.Replace(q, "{ids}", "BETWEEN ? AND ?", 1), []any{r.fs.County, r.lo, r.hi}, fn); err != nil {
			return err
		}
	}
	for _, part := range chunkIDs(ids) {
		in, args := r.tx.oneOf(part)
		if err := scanEach(ctx, r.tx, strings.Replace(q, "{ids}", in, 1), append([]any{r.fs.County}, args...), fn); err != nil {
			return err
		}
	}
	return nil
}

// outside returns the ids outside the key range and not in skip, sorted,
// each once.
func (r *familyReader) outside(ids []int64, skip map[int64]bool) []int64 {
	var out []int64
	for _, id := range ids {
		if (id < r.lo || id > r.hi) && !skip[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// scanFamilyPersons reads person rows into fs; ids, when not nil,
// collects them in order. A person carries one hukou spell of the current
// type; the family adds the history where it needs it.
func scanFamilyPersons(ctx context.Context, tx *Tx, fs *registry.Families, q string, args []any, ids *[]int64) error {
	return scanEach(ctx, tx, q, args, func(rows *sql.Rows) error {
		var id int64
		var idn sql.NullString
		p := &registry.Person{}
		var hukou string
		if err := rows.Scan(&id, &idn, &p.Name, &p.Sex, &p.Birth, &p.Death, &p.Region, &p.Pension, &hukou); err != nil {
			return err
		}
		idNumber, err := tx.openIDNumber(fs.County, id, idn.String)
		if err != nil {
			return err
		}
		p.Ref, p.IDNumber = strconv.FormatInt(id, 10), idNumber
		p.Hukou = []registry.HukouSpell{{Type: hukou}}
		fs.Persons[id] = p
		if ids != nil {
			*ids = append(*ids, id)
		}
		return nil
	})
}

// scanEach runs q and calls fn with every row.
func scanEach(ctx context.Context, tx *Tx, q string, args []any, fn func(*sql.Rows) error) error {
	return EachRow(ctx, tx.Query, q, args, fn)
}

// EachRow runs q with query (Tx.Query, or QueryContext of a database/sql
// pool or transaction) and calls fn with every row, stopping at the
// first error.
func EachRow(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error), q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// chunkIDs splits ids into lists of at most 1,000.
func chunkIDs(ids []int64) [][]int64 {
	var out [][]int64
	for len(ids) > 0 {
		n := min(1000, len(ids))
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}
