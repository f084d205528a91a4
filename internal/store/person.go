package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

var _ registry.Store = (*Tx)(nil)

// scopeClause returns a WHERE fragment limiting rows to the scope, on
// tables with county and region columns (alias prefix p, e.g. "p.").
func scopeClause(p string, scope region.Code) (string, []any) {
	prefix, ok := scope.Prefix()
	if !ok || prefix == "" {
		return "1=1", nil
	}
	if len(prefix) == 6 {
		return p + "county = ?", []any{prefix}
	}
	if len(prefix) == 12 {
		// A village holds no division below it: its rows are those of
		// its code, which an index on (county, region, …) finds by
		// equality (a LIKE of an argument it cannot search in a generic
		// plan).
		return p + "county = ? AND " + p + "region = ?", []any{prefix[:6], prefix}
	}
	if len(prefix) > 6 {
		return p + "county = ? AND " + p + "region LIKE ?", []any{prefix[:6], prefix + "%"}
	}
	return p + "county LIKE ?", []any{prefix + "%"}
}

// searchScope is scopeClause for a search of persons: a township's
// persons are those whose region's first nine digits are its own, an
// equality that the indexes keyed by township (persons_township_name and
// the others) search in any plan, where region LIKE '341523100%' with an
// argument cannot be searched in a generic one.
func searchScope(scope region.Code) (string, []any) {
	if prefix, ok := scope.Prefix(); ok && len(prefix) == 9 {
		return "county = ? AND substr(region, 1, 9) = ?", []any{prefix[:6], prefix}
	}
	return scopeClause("", scope)
}

const personColumns = `county, id, id_number, name, sex, birth, death, death_source, region, hukou_type, pension,
	marital, ethnic, address, phone, version, created_at, updated_at`

// personColumnCount is the number of personColumns.
var personColumnCount = strings.Count(personColumns, ",") + 1

type scanner interface{ Scan(dest ...any) error }

// personRecord reads a row of personColumns (and any columns after them).
func (tx *Tx) personRecord(r recordRow) (registry.Record, error) {
	rec := registry.Record{County: r.Text(0), ID: r.Int64(1), Name: r.Text(3), Sex: r.Text(4),
		Birth: r.Date(5), Death: r.Date(6), DeathSource: r.Text(7), Region: r.Text(8), HukouType: r.Text(9),
		Pension: r.Text(10), Marital: r.Text(11), Ethnic: r.Text(12), Address: r.Text(13), Phone: r.Text(14),
		Version: int(r.Int64(15)), CreatedAt: r.Time(16), UpdatedAt: r.Time(17)}
	idn := r.NullText(2)
	if err := r.Err(); err != nil {
		return rec, err
	}
	var err error
	rec.IDNumber, err = tx.openIDNumber(rec.County, rec.ID, idn)
	return rec, err
}

// persons returns the persons query selects (personColumns), in its
// order.
func (tx *Tx) persons(ctx context.Context, query string, args ...any) ([]registry.Record, error) {
	var out []registry.Record
	err := tx.each(ctx, query, args, func(r recordRow) error {
		rec, err := tx.personRecord(r)
		out = append(out, rec)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// person returns the first person query selects (personColumns):
// errPersonNotFound when it selects none.
func (tx *Tx) person(ctx context.Context, query string, args ...any) (*registry.Record, error) {
	var rec registry.Record
	err := tx.eachOne(ctx, query, args, func(r recordRow) (err error) {
		rec, err = tx.personRecord(r)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errPersonNotFound
	}
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// timeValue converts what a driver returns for a TIMESTAMPTZ column.
func timeValue(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return parseTimestamp(t)
	case []byte:
		return parseTimestamp(string(t))
	case nil:
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("unexpected timestamp type %T", v)
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var errPersonNotFound = apperr.NotFoundf("未找到该人员，或不在您的管辖范围内", "no such person in your scope")

// PersonByKey returns person k if it lies within scope.
func (tx *Tx) PersonByKey(ctx context.Context, scope region.Code, k registry.Key) (*registry.Record, error) {
	where, args := scopeClause("", scope)
	return tx.person(ctx, `SELECT `+personColumns+` FROM persons WHERE county = ? AND id = ? AND `+where,
		append([]any{k.County, k.ID}, args...)...)
}

// PersonByIDNumber returns the person with the ID number within scope,
// found by its keyed hash.
func (tx *Tx) PersonByIDNumber(ctx context.Context, scope region.Code, idNumber string) (*registry.Record, error) {
	where, args := scopeClause("", scope)
	in, hargs, err := tx.idHashes(idNumber)
	if err != nil {
		return nil, err
	}
	return tx.person(ctx, `SELECT `+personColumns+` FROM persons WHERE id_hash `+in+` AND `+where,
		append(hargs, args...)...)
}

// IDNumberTaken reports whether the number is registered anywhere. On
// PostgreSQL it first locks the number's bucket until the transaction
// ends, so that two registrations of one number in two counties cannot
// both find it free.
func (tx *Tx) IDNumberTaken(ctx context.Context, idNumber string) (bool, error) {
	in, args, err := tx.idHashes(idNumber)
	if err != nil {
		return false, err
	}
	if err := tx.lockIDNumbers(ctx, args); err != nil {
		return false, err
	}
	var n int
	err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM persons WHERE id_hash `+in, args...).Scan(&n)
	return n > 0, err
}

// FindPersons searches persons within scope, in the order of q.Sort (one
// of registry.SortKeys; "" for name) then county and id. The count is the
// number of matches, counted up to q.CountCap()+1.
func (tx *Tx) FindPersons(ctx context.Context, scope region.Code, q registry.Query) ([]registry.Record, int, error) {
	order, err := personSorts.orderBy(tx.Engine(), q.Sort, q.Desc)
	if err != nil {
		return nil, 0, err
	}
	where, args := searchScope(scope)
	conds := []string{where}
	if q.IDNumber != "" {
		in, hargs, err := tx.idHashes(q.IDNumber)
		if err != nil {
			return nil, 0, err
		}
		conds = append(conds, "id_hash "+in)
		args = append(args, hargs...)
	}
	if q.Name != "" {
		c, a := tx.namePrefix("", q.Name)
		conds, args = append(conds, c), append(args, a...)
	}
	// village: the search is within one village, by the actor's scope or
	// by the region asked for.
	village := scope.Level() == region.Village
	if q.Region != "" {
		// A region that holds the scope (the scope itself, however
		// written) adds nothing to it.
		if c, err := region.ParseCode(q.Region); err == nil && !c.Contains(scope) {
			w, a := searchScope(c)
			conds = append(conds, w)
			args = append(args, a...)
			village = village || c.Level() == region.Village
		}
	}
	if q.Alive {
		conds = append(conds, "death IS NULL")
	}
	// The conditions without the text searched for: the arms of a search
	// by initials add their own.
	base, baseArgs := strings.Join(conds, " AND "), args[:len(args):len(args)]
	if q.Who.Kind != registry.WhoAny {
		w, a, err := tx.whoCond(ctx, "", scope, q.Who)
		if err != nil {
			return nil, 0, err
		}
		conds, args = append(conds, w), append(args, a...)
	}
	cond := strings.Join(conds, " AND ")
	offset := max(q.Offset, 0)
	page := order + ` LIMIT ` + strconv.Itoa(q.Limit) + ` OFFSET ` + strconv.Itoa(offset)
	query := `SELECT ` + personColumns + ` FROM persons WHERE ` + cond + page
	pageArgs := args
	byName := (q.Sort == "" || q.Sort == registry.SortName) && strings.Contains(order, "name COLLATE")
	// inner is the page's order written so that no index gives it: the
	// same order, which the engine sorts the matches into (name || ''
	// is the name). Left to itself the planner may walk the name index
	// in order instead, reading and filtering every row until the page
	// is full: seconds on a million when the first match sorts far down,
	// and in a generic plan whatever the text searched for.
	inner := strings.Replace(order, "name COLLATE", "(name || '') COLLATE", 1)
	// A page in name order is read through the arms of the search, if it
	// has any; in any other order the condition (cond) serves.
	var arms []searchArm
	if byName {
		if arms, err = tx.searchArms(q.Who, village); err != nil {
			return nil, 0, err
		}
	}
	if len(arms) > 0 {
		// One, two or three initials are shared by tens of thousands
		// in a large county, the last four characters of a number by
		// thousands. An arm that is one value of an index in name order
		// takes the first rows of that range instead of sorting everyone
		// who shares the initials or the ending; the other arm of
		// initials (initials that go on: names of four characters and
		// more, few) sorts its matches.
		//
		// On the first page, which is most searches, an arm in name order
		// reads its rows through its index, as many as the page holds: the
		// rows it finds are the rows it shows (twenty of them, with a few
		// more from any other arm). Found by their index entries alone and
		// then read by key, as on later pages, each row would cost a
		// search of the primary key besides: on PostgreSQL two thirds of
		// the buffers a search by initials read, and a third of its time.
		// Later pages, and the arm that sorts, choose by the index entries
		// alone and read only the page's rows: a page far down would read
		// every row before it.
		n := strconv.Itoa(q.Limit + offset)
		direct := offset == 0
		var parts []string
		pageArgs = nil
		for i, arm := range arms {
			armOrder := order
			if !arm.inOrder {
				armOrder = inner
			}
			// The arm's first rows, whichever columns are taken of them.
			first := ` FROM persons WHERE ` + base + ` AND ` + arm.cond + armOrder + ` LIMIT ` + n
			part := `SELECT county, id, name` + first
			switch {
			case direct && arm.inOrder:
				part = `SELECT ` + personColumns + first
			case direct:
				part = `SELECT ` + personColumns + ` FROM persons WHERE (county, id) IN (SELECT county, id` + first + `)`
			}
			parts = append(parts, `SELECT * FROM (`+part+`) a`+strconv.Itoa(i))
			pageArgs = append(append(pageArgs, baseArgs...), arm.args...)
		}
		union := strings.Join(parts, ` UNION ALL `)
		if direct {
			query = `SELECT ` + personColumns + ` FROM (` + union + `) u` + page
		} else {
			query = `SELECT ` + personColumns + ` FROM persons WHERE (county, id) IN (SELECT county, id FROM (` +
				union + `) u` + page + `)` + order
		}
	}
	// The matches are counted (up to the cap) by the same statement, a
	// column of every row of the page: one statement, not two, for the
	// look-ups that a county's staff make all day, and the page and its
	// count read the same snapshot. The subquery does not depend on the
	// row, so the engine counts once. A whole ID number is one person's:
	// a first page that is not full holds all its matches, and needs no
	// count (a full one, which only a page of one row could be, is
	// counted on its own below).
	count := `SELECT COUNT(*) FROM (SELECT 1 FROM persons WHERE ` + cond + ` LIMIT ` + strconv.Itoa(q.CountCap()+1) + `) m`
	byNumber := (q.IDNumber != "" || q.Who.Kind == registry.WhoIDNumber) && offset == 0 && q.Limit > 0
	if !byNumber {
		query = `SELECT ` + personColumns + `, (` + count + `)` + strings.TrimPrefix(query, `SELECT `+personColumns)
		pageArgs = append(slices.Clip(args), pageArgs...)
	}
	total := -1
	var out []registry.Record
	err = tx.each(ctx, query, pageArgs, func(r recordRow) error {
		rec, err := tx.personRecord(r)
		if !byNumber {
			total = int(r.Int64(personColumnCount))
		}
		out = append(out, rec)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if byNumber && len(out) < q.Limit {
		return out, len(out), nil
	}
	if total >= 0 {
		return out, total, nil
	}
	// No row on the page: nothing to count on a first page; past the
	// last page, the count on its own.
	if offset == 0 && !byNumber {
		return out, 0, nil
	}
	err = tx.QueryRow(ctx, count, args...).Scan(&total)
	return out, total, err
}

// searchArm is one condition of a search by initials or by the end of an
// ID number, with its arguments; inOrder says that an index holds the
// persons it selects in name order.
type searchArm struct {
	cond    string
	args    []any
	inOrder bool
}

// searchArms returns the conditions whose union selects the persons a
// search by initials or by the end of an ID number w finds, each a range
// of an index that holds them in name order wherever one can (nil for any
// other search).
//
// For one initial (a tenth of a county for the commonest), those whose
// first initial it is (persons_name_initial, persons_township_initial
// within a township, persons_village_initial within a village); for two
// initials, those whose first two they are (persons_name_initials2,
// persons_township_initials2), except within a village (village true); for
// more, and for two within a village, persons_name_initials for those who
// have exactly the initials asked, and a range of it for those whose
// initials go on (few: names of four characters and more; within a
// village, a few dozen of three for two initials), which is sorted.
//
// For the end of a number, each arm one of the keyed hashes of that ending
// (suffixHashes) in persons_id_tail or persons_id_tail6: five characters
// are four endings of six, four arms.
func (tx *Tx) searchArms(w registry.Who, village bool) ([]searchArm, error) {
	switch w.Kind {
	case registry.WhoInitials:
		t := initialsText(w.Text)
		col := initialsColumn(tx.Engine())
		switch {
		case len(t) == 1:
			return []searchArm{{"substr(name_initials, 1, 1) = ?", []any{t}, true}}, nil
		case len(t) == 2 && !village:
			return []searchArm{{"substr(name_initials, 1, 2) = ?", []any{t}, true}}, nil
		case len(t) >= 2:
			return []searchArm{{col + " = ?", []any{t}, true}, {col + " > ? AND " + col + " < ?", []any{t, successor(t)}, false}}, nil
		}
	case registry.WhoIDSuffix:
		col, hs, err := tx.suffixHashes(w.Text)
		arms := make([]searchArm, len(hs))
		for i, h := range hs {
			arms[i] = searchArm{col + " = ?", []any{h}, true}
		}
		return arms, err
	}
	return nil, nil
}

// namePrefix returns the condition that selects the persons (aliased p)
// whose name begins with text, and its arguments. On PostgreSQL the
// condition also bounds the name in the order of persons_name (COLLATE
// "C", where LIKE 'abc%' is exactly 'abc' <= name < 'abd'): a prepared
// statement planned generically cannot derive that range from LIKE $1,
// and would walk the county's names in order (seconds on a million),
// while the range with arguments is an index search in any plan.
func (tx *Tx) namePrefix(p, text string) (string, []any) {
	prefix := escapeLike(text)
	cond, args := p+"name LIKE ?", []any{prefix + "%"}
	if tx.Engine() != Postgres || prefix == "" {
		return cond, args
	}
	r := []rune(prefix)
	last := r[len(r)-1]
	if last >= utf8.MaxRune-1 || last >= 0xD7FF && last < 0xE000 {
		return cond, args
	}
	r[len(r)-1] = last + 1
	return cond + " AND " + p + `name COLLATE "C" >= ? AND ` + p + `name COLLATE "C" < ?`, append(args, prefix, string(r))
}

func escapeLike(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

// InsertPerson writes a new person. The ID number is stored encrypted,
// with its keyed hashes (see idFields).
func (tx *Tx) InsertPerson(ctx context.Context, r *registry.Record) error {
	if tx.db.keys == nil {
		return errNoKeys
	}
	f := tx.idFields(r.County, r.ID, r.IDNumber)
	_, err := tx.Exec(ctx, `INSERT INTO persons (`+personColumns+`, `+idDerivedColumns+`, name_initials)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.County, r.ID, f.sealed, r.Name, r.Sex, r.Birth, r.Death, r.DeathSource, r.Region, r.HukouType,
		r.Pension, r.Marital, r.Ethnic, r.Address, r.Phone, r.Version, ts(r.CreatedAt), ts(r.UpdatedAt), f.hash, f.tail, f.tail6, f.division,
		matching.Initials(r.Name))
	if IsUniqueViolation(err) {
		return &apperr.Error{Kind: apperr.Conflict, Field: "id_number", ZH: "该身份证号已登记", EN: "this ID number is already registered", Err: err}
	}
	return err
}

// UpdatePerson writes r over the stored version r.Version-1.
func (tx *Tx) UpdatePerson(ctx context.Context, r *registry.Record) error {
	res, err := tx.Exec(ctx, `UPDATE persons SET name = ?, name_initials = ?, death = ?, death_source = ?, region = ?, hukou_type = ?,
		pension = ?, marital = ?, ethnic = ?, address = ?, phone = ?, version = ?, updated_at = ?
		WHERE county = ? AND id = ? AND version = ?`,
		r.Name, matching.Initials(r.Name), r.Death, r.DeathSource, r.Region, r.HukouType, r.Pension, r.Marital, r.Ethnic, r.Address, r.Phone,
		r.Version, ts(r.UpdatedAt), r.County, r.ID, r.Version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该人员信息已被他人修改，请刷新后重试", "the person was changed by someone else; reload and try again")
	}
	return nil
}

// idList renders ids as a comma-separated list of integers for an IN
// clause. Ids are int64 values, never text, so this cannot inject SQL.
func idList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// oneOf returns the condition that a column is one of ids, to follow
// the column, and its arguments. On PostgreSQL the ids go as one array,
// so that the statement's text is the same whatever the ids: it is
// prepared once a connection, where a list written out made a statement
// of its own each time (a round trip to prepare it, and one to forget
// another). On SQLite, where a statement costs no round trip, the ids are
// written out.
func (tx *Tx) oneOf(ids []int64) (string, []any) {
	if tx.db.Engine == Postgres {
		return "= ANY(?)", []any{ids}
	}
	return "IN (" + idList(ids) + ")", nil
}

func ref(id int64) string { return strconv.FormatInt(id, 10) }

// Relatives returns spouses and children of ids, and the children's other
// parents.
func (tx *Tx) Relatives(ctx context.Context, county string, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, inArgs := tx.oneOf(ids)
	var args []any
	for range 4 {
		args = append(append(args, county), inArgs...)
	}
	rows, err := tx.Query(ctx, `
		SELECT b_id FROM marriages WHERE county = ? AND a_id `+in+`
		UNION SELECT a_id FROM marriages WHERE county = ? AND b_id `+in+`
		UNION SELECT child_id FROM parent_child WHERE county = ? AND parent_id `+in+`
		UNION SELECT o.parent_id FROM parent_child c JOIN parent_child o ON o.county = c.county AND o.child_id = c.child_id
			WHERE c.county = ? AND c.parent_id `+in, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Parents returns the parents of child.
func (tx *Tx) Parents(ctx context.Context, county string, child int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT parent_id FROM parent_child WHERE county = ? AND child_id = ? ORDER BY parent_id`, county, child)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// FamilyFacts loads the persons ids of county with their facts. Marriages
// and ties are included when both ends are among ids; confirmations come
// from the recipient roll.
func (tx *Tx) FamilyFacts(ctx context.Context, county string, ids []int64) (*registry.Family, error) {
	f := &registry.Family{}
	if len(ids) == 0 {
		return f, nil
	}
	in, inArgs := tx.oneOf(ids)
	type query struct {
		sql  string
		scan func(*sql.Rows) error
	}
	byRef := map[string]int{}
	persons, err := tx.persons(ctx, `SELECT `+personColumns+` FROM persons WHERE county = ? AND id `+in+` ORDER BY id`,
		append([]any{county}, inArgs...)...)
	if err != nil {
		return nil, err
	}
	for _, r := range persons {
		byRef[r.Ref()] = len(f.Persons)
		f.Persons = append(f.Persons, registry.Person{Ref: r.Ref(), IDNumber: r.IDNumber, Name: r.Name, Sex: r.Sex,
			Birth: r.Birth, Death: r.Death, Pension: r.Pension, Region: r.Region})
	}
	queries := []query{
		{`SELECT person_id, type, region, from_date, to_date, reason FROM hukou_spells WHERE county = ? AND person_id ` + in + ` ORDER BY person_id, from_date, id`, func(rows *sql.Rows) error {
			var pid int64
			var h registry.HukouSpell
			if err := rows.Scan(&pid, &h.Type, &h.Region, &h.From, &h.To, &h.Reason); err != nil {
				return err
			}
			if i, ok := byRef[ref(pid)]; ok {
				f.Persons[i].Hukou = append(f.Persons[i].Hukou, h)
			}
			return nil
		}},
		{`SELECT a_id, b_id, from_date, to_date, end_reason FROM marriages WHERE county = ? AND a_id ` + in + ` AND b_id ` + in + ` ORDER BY from_date, id`, func(rows *sql.Rows) error {
			var a, b int64
			var m registry.Marriage
			if err := rows.Scan(&a, &b, &m.From, &m.To, &m.End); err != nil {
				return err
			}
			m.A, m.B = ref(a), ref(b)
			f.Marriages = append(f.Marriages, m)
			return nil
		}},
		{`SELECT parent_id, child_id, kind, from_date, in_policy, ruling FROM parent_child WHERE county = ? AND parent_id ` + in + ` AND child_id ` + in + ` ORDER BY child_id, parent_id`, func(rows *sql.Rows) error {
			var p, c int64
			var t registry.ParentChild
			var inPolicy sql.NullBool
			if err := rows.Scan(&p, &c, &t.Kind, &t.From, &inPolicy, &t.Ruling); err != nil {
				return err
			}
			t.Parent, t.Child = ref(p), ref(c)
			if inPolicy.Valid {
				v := inPolicy.Bool
				t.InPolicy = &v
			}
			f.Children = append(f.Children, t)
			return nil
		}},
		{`SELECT person_id, grade, category, from_date, to_date FROM disabilities WHERE county = ? AND person_id ` + in + ` ORDER BY person_id, from_date`, func(rows *sql.Rows) error {
			var p int64
			var d registry.Disability
			if err := rows.Scan(&p, &d.Grade, &d.Category, &d.From, &d.To); err != nil {
				return err
			}
			d.Person = ref(p)
			f.Disabilities = append(f.Disabilities, d)
			return nil
		}},
		{`SELECT holder_id, kind, number, issued, cancelled FROM certificates WHERE county = ? AND holder_id ` + in + ` ORDER BY holder_id, issued`, func(rows *sql.Rows) error {
			var p int64
			var c registry.Certificate
			if err := rows.Scan(&p, &c.Kind, &c.Number, &c.Issued, &c.Cancelled); err != nil {
				return err
			}
			c.Holder = ref(p)
			f.Certificates = append(f.Certificates, c)
			return nil
		}},
		{`SELECT person_id, grade, from_date, to_date FROM complications WHERE county = ? AND person_id ` + in + ` ORDER BY person_id, from_date`, func(rows *sql.Rows) error {
			var p int64
			var c registry.Complication
			if err := rows.Scan(&p, &c.Grade, &c.From, &c.To); err != nil {
				return err
			}
			c.Person = ref(p)
			f.Complications = append(f.Complications, c)
			return nil
		}},
		{`SELECT person_id, program, confirmed FROM recipients WHERE county = ? AND person_id ` + in + ` ORDER BY person_id, program`, func(rows *sql.Rows) error {
			var p int64
			var c registry.Confirmation
			if err := rows.Scan(&p, &c.Program, &c.Confirmed); err != nil {
				return err
			}
			c.Person = ref(p)
			f.Confirmations = append(f.Confirmations, c)
			return nil
		}},
		{`SELECT person_id, date, employer FROM retirements WHERE county = ? AND person_id ` + in + ` ORDER BY person_id, date`, func(rows *sql.Rows) error {
			var p int64
			var r registry.Retirement
			if err := rows.Scan(&p, &r.Date, &r.Employer); err != nil {
				return err
			}
			r.Person = ref(p)
			f.Retirements = append(f.Retirements, r)
			return nil
		}},
		{`SELECT person_id, method, op_date FROM contraception WHERE county = ? AND person_id ` + in + ` ORDER BY person_id, op_date, id`, func(rows *sql.Rows) error {
			var p int64
			var x registry.Contraception
			if err := rows.Scan(&p, &x.Method, &x.Date); err != nil {
				return err
			}
			x.Person = ref(p)
			f.Contraception = append(f.Contraception, x)
			return nil
		}},
		{`SELECT holder_id, kind, number, issued FROM birth_permissions WHERE county = ? AND holder_id ` + in + ` ORDER BY holder_id, issued, id`, func(rows *sql.Rows) error {
			var p int64
			var x registry.BirthPermission
			if err := rows.Scan(&p, &x.Kind, &x.Number, &x.Issued); err != nil {
				return err
			}
			x.Holder = ref(p)
			f.Permissions = append(f.Permissions, x)
			return nil
		}},
		{`SELECT person_id, scheme, enrolled, ended, drawing, region FROM pensions WHERE county = ? AND person_id ` + in + ` ORDER BY person_id, enrolled, id`, func(rows *sql.Rows) error {
			var p int64
			var x registry.Pension
			if err := rows.Scan(&p, &x.Scheme, &x.Enrolled, &x.Ended, &x.Drawing, &x.Region); err != nil {
				return err
			}
			x.Person = ref(p)
			f.Pensions = append(f.Pensions, x)
			return nil
		}},
		{`SELECT person_id, admitted, level FROM admissions WHERE county = ? AND person_id ` + in + ` ORDER BY person_id, admitted, id`, func(rows *sql.Rows) error {
			var p int64
			var x registry.Admission
			if err := rows.Scan(&p, &x.Date, &x.Level); err != nil {
				return err
			}
			x.Person = ref(p)
			f.Admissions = append(f.Admissions, x)
			return nil
		}},
	}
	for _, q := range queries {
		args := []any{county}
		for range strings.Count(q.sql, in) {
			args = append(args, inArgs...)
		}
		rows, err := tx.Query(ctx, q.sql, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			if err := q.scan(rows); err != nil {
				rows.Close()
				return nil, err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// insertWithID reserves an id from seq and runs insert with it.
func (tx *Tx) insertWithID(ctx context.Context, seq, query string, args ...any) (int64, error) {
	id, err := tx.NextIDs(ctx, seq, 1)
	if err != nil {
		return 0, err
	}
	args = append([]any{args[0], id}, args[1:]...)
	if _, err := tx.Exec(ctx, query, args...); err != nil {
		return 0, err
	}
	return id, nil
}

// InsertHukouSpell opens a hukou spell.
func (tx *Tx) InsertHukouSpell(ctx context.Context, county string, personID int64, h registry.HukouSpell) error {
	_, err := tx.insertWithID(ctx, "hukou_spell", `INSERT INTO hukou_spells (county, id, person_id, type, region, from_date, to_date, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, county, personID, h.Type, h.Region, h.From, h.To, h.Reason)
	return err
}

// CloseHukouSpell ends the person's open hukou spells on day to.
func (tx *Tx) CloseHukouSpell(ctx context.Context, county string, personID int64, to date.Date) error {
	_, err := tx.Exec(ctx, `UPDATE hukou_spells SET to_date = ? WHERE county = ? AND person_id = ? AND to_date IS NULL`, to, county, personID)
	return err
}

// InsertMarriage records a marriage.
func (tx *Tx) InsertMarriage(ctx context.Context, county string, aID, bID int64, m registry.Marriage, certNo string) (int64, error) {
	return tx.insertWithID(ctx, "marriage", `INSERT INTO marriages (county, id, a_id, b_id, from_date, to_date, end_reason, cert_no)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, county, aID, bID, m.From, m.To, m.End, certNo)
}

// MarriageByID returns a marriage.
func (tx *Tx) MarriageByID(ctx context.Context, county string, id int64) (registry.Marriage, error) {
	var m registry.Marriage
	var a, b int64
	err := tx.QueryRow(ctx, `SELECT a_id, b_id, from_date, to_date, end_reason FROM marriages WHERE county = ? AND id = ?`, county, id).
		Scan(&a, &b, &m.From, &m.To, &m.End)
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFoundf("未找到该婚姻记录", "no such marriage")
	}
	m.A, m.B = ref(a), ref(b)
	return m, err
}

// EndMarriage sets the end of a marriage.
func (tx *Tx) EndMarriage(ctx context.Context, county string, id int64, to date.Date, reason string) error {
	_, err := tx.Exec(ctx, `UPDATE marriages SET to_date = ?, end_reason = ? WHERE county = ? AND id = ? AND to_date IS NULL`, to, reason, county, id)
	return err
}

// EndMarriagesByDeath ends the open marriages of a person who died on d.
func (tx *Tx) EndMarriagesByDeath(ctx context.Context, county string, personID int64, d date.Date) error {
	_, err := tx.Exec(ctx, `UPDATE marriages SET to_date = ?, end_reason = 'death'
		WHERE county = ? AND (a_id = ? OR b_id = ?) AND to_date IS NULL`, d, county, personID, personID)
	return err
}

// InsertTie records a parent–child tie.
func (tx *Tx) InsertTie(ctx context.Context, county string, parentID, childID int64, t registry.ParentChild, regNo string) (int64, error) {
	var inPolicy any
	if t.InPolicy != nil {
		inPolicy = *t.InPolicy
	}
	id, err := tx.insertWithID(ctx, "parent_child", `INSERT INTO parent_child (county, id, parent_id, child_id, kind, from_date, in_policy, reg_no)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, county, parentID, childID, t.Kind, t.From, inPolicy, regNo)
	if IsUniqueViolation(err) {
		return 0, apperr.Conflictf("该亲子关系已登记", "this tie is already recorded")
	}
	return id, err
}

// InsertDisability records a disability assessment.
func (tx *Tx) InsertDisability(ctx context.Context, county string, personID int64, d registry.Disability, certNo string) (int64, error) {
	return tx.insertWithID(ctx, "disability", `INSERT INTO disabilities (county, id, person_id, grade, category, cert_no, from_date, to_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, county, personID, d.Grade, d.Category, certNo, d.From, d.To)
}

// InsertCertificate records a certificate.
func (tx *Tx) InsertCertificate(ctx context.Context, county string, holderID int64, c registry.Certificate) (int64, error) {
	return tx.insertWithID(ctx, "certificate", `INSERT INTO certificates (county, id, holder_id, kind, number, issued, cancelled)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, county, holderID, c.Kind, c.Number, c.Issued, c.Cancelled)
}

// CancelCertificate cancels a certificate.
func (tx *Tx) CancelCertificate(ctx context.Context, county string, holderID, id int64, on date.Date, reason string) error {
	res, err := tx.Exec(ctx, `UPDATE certificates SET cancelled = ?, cancel_reason = ?
		WHERE county = ? AND id = ? AND holder_id = ? AND cancelled IS NULL`, on, reason, county, id, holderID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("证件不存在或已注销", "no such certificate, or it is already cancelled")
	}
	return nil
}

// InsertComplication records a complication assessment.
func (tx *Tx) InsertComplication(ctx context.Context, county string, personID int64, c registry.Complication, document string) (int64, error) {
	return tx.insertWithID(ctx, "complication", `INSERT INTO complications (county, id, person_id, grade, from_date, to_date, document)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, county, personID, c.Grade, c.From, c.To, document)
}

// InsertRetirement records a retirement.
func (tx *Tx) InsertRetirement(ctx context.Context, county string, personID int64, r registry.Retirement) (int64, error) {
	return tx.insertWithID(ctx, "retirement", `INSERT INTO retirements (county, id, person_id, date, employer)
		VALUES (?, ?, ?, ?, ?)`, county, personID, r.Date, r.Employer)
}

// InsertContraception records a contraceptive operation.
func (tx *Tx) InsertContraception(ctx context.Context, county string, personID int64, c registry.Contraception, document string) (int64, error) {
	return tx.insertWithID(ctx, "contraception", `INSERT INTO contraception (county, id, person_id, method, op_date, document)
		VALUES (?, ?, ?, ?, ?, ?)`, county, personID, c.Method, c.Date, document)
}

// InsertBirthPermission records a permission for a further birth.
func (tx *Tx) InsertBirthPermission(ctx context.Context, county string, holderID int64, p registry.BirthPermission) (int64, error) {
	return tx.insertWithID(ctx, "birth_permission", `INSERT INTO birth_permissions (county, id, holder_id, kind, number, issued)
		VALUES (?, ?, ?, ?, ?, ?)`, county, holderID, p.Kind, p.Number, p.Issued)
}

// InsertPension records a pension enrolment.
func (tx *Tx) InsertPension(ctx context.Context, county string, personID int64, p registry.Pension) (int64, error) {
	return tx.insertWithID(ctx, "pension", `INSERT INTO pensions (county, id, person_id, scheme, enrolled, ended, drawing, region)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, county, personID, p.Scheme, p.Enrolled, p.Ended, p.Drawing, p.Region)
}

// InsertAdmission records an admission to higher education.
func (tx *Tx) InsertAdmission(ctx context.Context, county string, personID int64, a registry.Admission) (int64, error) {
	return tx.insertWithID(ctx, "admission", `INSERT INTO admissions (county, id, person_id, admitted, level)
		VALUES (?, ?, ?, ?, ?)`, county, personID, a.Date, a.Level)
}

// SetTieRuling records the staff's ruling on the de-facto adoption ties of
// child (from every parent of that kind) and returns how many it changed.
func (tx *Tx) SetTieRuling(ctx context.Context, county string, childID int64, ruling string) (int, error) {
	res, err := tx.Exec(ctx, `UPDATE parent_child SET ruling = ? WHERE county = ? AND child_id = ? AND kind = 'adoption_defacto'`,
		ruling, county, childID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
