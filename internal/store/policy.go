package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// PolicyLayers returns the rule layers regions have added, in region and
// version order.
func (tx *Tx) PolicyLayers(ctx context.Context) ([]policy.Layer, error) {
	rows, err := tx.Query(ctx, `SELECT region, version, body FROM policy_layers ORDER BY region, version`)
	if err != nil {
		return nil, fmt.Errorf("policy layers: %w", err)
	}
	defer rows.Close()
	var out []policy.Layer
	for rows.Next() {
		var reg, body string
		var v int
		if err := rows.Scan(&reg, &v, &body); err != nil {
			return nil, err
		}
		l, err := policy.ParseLayer([]byte(body))
		if err != nil {
			return nil, fmt.Errorf("policy layer %s v%d: %w", reg, v, err)
		}
		out = append(out, *l)
	}
	return out, rows.Err()
}

// PolicyRules returns the embedded rules followed by the stored layers:
// what an Evaluator for this database uses.
func (tx *Tx) PolicyRules(ctx context.Context) ([]policy.Layer, error) {
	base, err := policy.Builtin()
	if err != nil {
		return nil, err
	}
	stored, err := tx.PolicyLayers(ctx)
	if err != nil {
		return nil, err
	}
	return append(append([]policy.Layer{}, base...), stored...), nil
}

// SavePolicyLayer validates l on top of the rules in force and stores it
// with an audit entry. Only county, city, province and admin roles may
// change rules; a county, city or province changes the rules of its own
// region (a layer whose region is its scope's prefix), not those of a
// region above or below. A version must be new for its region.
func (tx *Tx) SavePolicyLayer(ctx context.Context, actor auth.Actor, l *policy.Layer) error {
	switch actor.Role {
	case auth.RoleCounty, auth.RoleCity, auth.RoleProvince, auth.RoleAdmin:
	default:
		return apperr.Forbiddenf("无权修改政策规则", "the role %s may not change rules", actor.Role)
	}
	scope := l.Region
	for len(scope) < 6 {
		scope += "0"
	}
	if l.Region == "" {
		scope = ""
	}
	if actor.Role != auth.RoleAdmin && (scope == "" || !actor.Scope.Contains(region.Code(scope))) {
		return apperr.Forbiddenf("无权修改该地区的政策规则", "rules of region %q are outside your scope", l.Region)
	}
	if own, _ := actor.Scope.Prefix(); actor.Role != auth.RoleAdmin && own != l.Region {
		return apperr.Forbiddenf("只能修改本级（%[2]s）的政策规则", "you may change the rules of your own level (%[2]s) only, not of %[1]q", l.Region, own)
	}
	rules, err := tx.PolicyRules(ctx)
	if err != nil {
		return err
	}
	if err := policy.ValidateRuleSet(l, rules); err != nil {
		return err
	}
	body, err := json.Marshal(l)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO policy_layers (region, version, from_date, title, body, author_id, author, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, l.Region, l.Version, l.From, l.Title, string(body), actor.UserID, actor.Username, ts(tx.now))
	if IsUniqueViolation(err) {
		return apperr.Conflictf("地区%[1]q的规则版本%[2]d已存在", "rule version %[2]d of region %[1]q already exists", l.Region, l.Version)
	}
	if err != nil {
		return fmt.Errorf("save policy layer: %w", err)
	}
	county := ""
	if len(l.Region) == 6 {
		county = l.Region
	}
	return tx.Audit(ctx, audit.Entry{County: county, UserID: actor.UserID, Username: actor.Username,
		Action: "policy.layer.create", Entity: "policy_layer", EntityID: l.Region + "@" + strconv.Itoa(l.Version),
		Region: l.Region, After: string(body)})
}

// EvalOptions configure a batch evaluation.
type EvalOptions struct {
	County string // six-digit county code
	Scope  string // optional 9- or 12-digit prefix of persons' region within the county
	Year   int
	// Workers evaluating in parallel; 0 means runtime.NumCPU().
	Workers int
	// Chunk is the number of candidate persons read at a time (default 5000).
	Chunk int
	// Explain stores the clause-by-clause explanation with each determination.
	Explain bool
}

// EvalStats reports a batch evaluation.
type EvalStats struct {
	Persons     int           // persons evaluated
	Eligible    int           // determinations written (eligible decisions)
	Review      int           // decisions that need review by staff: not written, not paid
	AmountFen   int64         // their total
	Elapsed     time.Duration // the whole run, writes included
	RuleVersion string        // the rule layers applied (of the county)
}

// ScanFloor reads every row an evaluation of opts reads, once, without
// evaluating or writing: the floor a batch evaluation is measured against
// (design §7). It returns the number of candidate persons and the time.
func (db *DB) ScanFloor(ctx context.Context, opts EvalOptions) (int, time.Duration, error) {
	opts = opts.defaults()
	start := time.Now()
	n := 0
	var after int64
	for {
		ch, err := db.readChunk(ctx, opts, after)
		if err != nil {
			return 0, 0, err
		}
		if ch == nil {
			break
		}
		n += len(ch.subjects)
		after = ch.last
	}
	return n, time.Since(start), nil
}

func (o EvalOptions) defaults() EvalOptions {
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.Chunk <= 0 {
		o.Chunk = 5000
	}
	return o
}

// determination is one row of the determinations table, or (review set)
// a decision that needs review, which is counted but not written.
type determination struct {
	person  int64
	d       policy.Decision
	explain string
	review  bool
}

// EvaluateRegion decides every program for every person of the county (or
// of opts.Scope within it) alive in the year, and replaces the year's
// determinations of those persons. One reader streams chunks of persons
// with their relatives, opts.Workers goroutines evaluate them, and one
// writer inserts the eligible decisions in multi-row batches. All writes
// happen in one transaction, so a crash leaves the previous determinations
// in place; a concurrent run of the same region on PostgreSQL fails with a
// serialization error instead of mixing the two.
func (db *DB) EvaluateRegion(ctx context.Context, ev *policy.Evaluator, opts EvalOptions) (EvalStats, error) {
	opts = opts.defaults()
	var st EvalStats
	if len(opts.County) != 6 {
		return st, apperr.Invalidf("region", "区划代码应为6位县级代码", "region must be a six-digit county code")
	}
	v, err := ev.Version(opts.County, opts.Year)
	if err != nil {
		return st, err
	}
	st.RuleVersion = v
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	chunks, readErr := db.readChunks(ctx, cancel, opts)
	results := make(chan []determination, opts.Workers*2)
	var wg sync.WaitGroup
	var evalMu sync.Mutex
	var evalErr error
	persons := 0
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range chunks {
				out, err := ch.evaluate(ev, opts)
				evalMu.Lock()
				persons += len(ch.subjects)
				if err != nil && evalErr == nil {
					evalErr = err
				}
				evalMu.Unlock()
				if err != nil {
					cancel()
					return
				}
				select {
				case results <- out:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	consumed := false
	err = db.Update(ctx, func(tx *Tx) error {
		if consumed {
			return errors.New("evaluation: the write transaction was retried after a conflict; run it again")
		}
		consumed = true
		if err := tx.clearDeterminations(ctx, opts); err != nil {
			return err
		}
		var batch []determination
		for out := range results {
			for _, d := range out {
				if d.review {
					st.Review++
					continue
				}
				st.Eligible++
				st.AmountFen += int64(d.d.AmountFen)
				batch = append(batch, d)
			}
			if len(batch) >= 2000 {
				if err := tx.insertDeterminations(ctx, opts, v, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if err := errors.Join(readErr(), evalErr, ctx.Err()); err != nil {
			return err
		}
		return tx.insertDeterminations(ctx, opts, v, batch)
	})
	// Drain in case the transaction ended early.
	cancel()
	for range results {
	}
	if err != nil {
		return st, fmt.Errorf("evaluate %s %d: %w", opts.County, opts.Year, err)
	}
	st.Persons = persons
	st.Elapsed = time.Since(start)
	return st, nil
}

func (tx *Tx) clearDeterminations(ctx context.Context, opts EvalOptions) error {
	var err error
	if opts.Scope == "" {
		_, err = tx.Exec(ctx, `DELETE FROM determinations WHERE county = ? AND year = ?`, opts.County, opts.Year)
	} else {
		_, err = tx.Exec(ctx, `DELETE FROM determinations WHERE county = ? AND year = ? AND person_id IN
			(SELECT id FROM persons WHERE county = ? AND region LIKE ?)`, opts.County, opts.Year, opts.County, opts.Scope+"%")
	}
	if err != nil {
		return fmt.Errorf("clear determinations: %w", err)
	}
	return nil
}

const detCols = 14

func (tx *Tx) insertDeterminations(ctx context.Context, opts EvalOptions, version string, ds []determination) error {
	const per = 1000 // rows per statement: 14,000 parameters
	now := ts(tx.now)
	for len(ds) > 0 {
		n := min(per, len(ds))
		var b strings.Builder
		b.WriteString(`INSERT INTO determinations (county, year, program, person_id, eligible, amount_fen, months,
			central_fen, province_fen, city_fen, county_fen, rule_version, evaluated_at, explanation) VALUES `)
		args := make([]any, 0, n*detCols)
		for i, d := range ds[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			var lv [4]int64
			for _, s := range d.d.Funding {
				switch s.Level {
				case "central":
					lv[0] = int64(s.Fen)
				case "province":
					lv[1] = int64(s.Fen)
				case "city":
					lv[2] = int64(s.Fen)
				case "county":
					lv[3] = int64(s.Fen)
				}
			}
			var ex any
			if d.explain != "" {
				ex = d.explain
			}
			args = append(args, opts.County, opts.Year, d.d.Program, d.person, d.d.Eligible, int64(d.d.AmountFen), d.d.Months,
				lv[0], lv[1], lv[2], lv[3], version, now, ex)
		}
		b.WriteString(` ON CONFLICT (county, year, program, person_id) DO UPDATE SET eligible = excluded.eligible,
			amount_fen = excluded.amount_fen, months = excluded.months, central_fen = excluded.central_fen,
			province_fen = excluded.province_fen, city_fen = excluded.city_fen, county_fen = excluded.county_fen,
			rule_version = excluded.rule_version, evaluated_at = excluded.evaluated_at, explanation = excluded.explanation`)
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert determinations: %w", err)
		}
		ds = ds[n:]
	}
	return nil
}

// Determination is a stored decision.
type Determination struct {
	County      string
	Year        int
	Program     string
	PersonID    int64
	Eligible    bool
	AmountFen   int64
	Months      int
	Funding     [4]int64 // central, province, city, county
	RuleVersion string
	Explanation string
}

// Determinations returns the stored determinations of a person.
func (tx *Tx) Determinations(ctx context.Context, county string, personID int64, year int) ([]Determination, error) {
	rows, err := tx.Query(ctx, `SELECT county, year, program, person_id, eligible, amount_fen, months, central_fen, province_fen,
		city_fen, county_fen, rule_version, explanation FROM determinations WHERE county = ? AND person_id = ? AND year = ? ORDER BY program`,
		county, personID, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Determination
	for rows.Next() {
		var d Determination
		var ex sql.NullString
		if err := rows.Scan(&d.County, &d.Year, &d.Program, &d.PersonID, &d.Eligible, &d.AmountFen, &d.Months,
			&d.Funding[0], &d.Funding[1], &d.Funding[2], &d.Funding[3], &d.RuleVersion, &ex); err != nil {
			return nil, err
		}
		d.Explanation = ex.String
		out = append(out, d)
	}
	return out, rows.Err()
}

// evalChunk is one chunk of candidate persons with every row their
// families need.
type evalChunk struct {
	subjects []int64
	last     int64
	persons  map[int64]*registry.Person
	marr     []marriageRow
	ties     []tieRow
	disab    map[int64][]registry.Disability
	certs    map[int64][]registry.Certificate
	comps    map[int64][]registry.Complication
	rets     map[int64][]registry.Retirement
	confs    map[int64][]registry.Confirmation
	ops      map[int64][]registry.Contraception
	perms    map[int64][]registry.BirthPermission
	pens     map[int64][]registry.Pension
	adms     map[int64][]registry.Admission
}

type marriageRow struct {
	a, b int64
	m    registry.Marriage
}

type tieRow struct {
	parent, child int64
	t             registry.ParentChild
}

// readChunks reads the region's chunks in key order on a goroutine of its
// own, two ahead of the consumers. On a read error it cancels ctx (through
// cancel) and closes the channel; the returned function reports the error
// once the channel is closed.
func (db *DB) readChunks(ctx context.Context, cancel context.CancelFunc, opts EvalOptions) (<-chan *evalChunk, func() error) {
	chunks := make(chan *evalChunk, 2)
	var readErr error
	go func() {
		defer close(chunks)
		var after int64
		for {
			ch, err := db.readChunk(ctx, opts, after)
			if err != nil {
				readErr = err
				cancel()
				return
			}
			if ch == nil {
				return
			}
			after = ch.last
			select {
			case chunks <- ch:
			case <-ctx.Done():
				return
			}
		}
	}()
	return chunks, func() error { return readErr }
}

// readChunk reads the next chunk of candidates after id after: persons of
// the county (and scope) born by the end of the year and alive at its
// start, their spouses and children, the spouses' children, and the facts
// rules read. Subject rows are read by id range; relatives outside the
// range by id lists. It returns nil at the end.
func (db *DB) readChunk(ctx context.Context, opts EvalOptions, after int64) (*evalChunk, error) {
	var ch *evalChunk
	err := db.View(ctx, func(tx *Tx) error {
		yearEnd := date.Of(opts.Year, 12, 31)
		yearStart := date.Of(opts.Year, 1, 1)
		// Walk the primary key and filter by dates here: the plan stays a
		// key range scan whatever the table statistics say.
		q := `SELECT id, sex, birth, death, region, pension, hukou_type FROM persons
			WHERE county = ? AND id > ?`
		args := []any{opts.County, after}
		if opts.Scope != "" {
			q += ` AND region LIKE ?`
			args = append(args, opts.Scope+"%")
		}
		q += ` ORDER BY id LIMIT ?`
		args = append(args, opts.Chunk)
		c := &evalChunk{persons: map[int64]*registry.Person{}, disab: map[int64][]registry.Disability{},
			certs: map[int64][]registry.Certificate{}, comps: map[int64][]registry.Complication{}, rets: map[int64][]registry.Retirement{},
			confs: map[int64][]registry.Confirmation{}, ops: map[int64][]registry.Contraception{},
			perms: map[int64][]registry.BirthPermission{}, pens: map[int64][]registry.Pension{}, adms: map[int64][]registry.Admission{}}
		kind := map[int64]string{}
		var read []int64
		if err := scanPersons(ctx, tx, q, args, c, kind, &read); err != nil {
			return err
		}
		if len(read) == 0 {
			return nil
		}
		c.last = read[len(read)-1]
		for _, id := range read {
			p := c.persons[id]
			if p.Birth.After(yearEnd) || (!p.Death.IsZero() && p.Death.Before(yearStart)) {
				delete(c.persons, id)
				continue
			}
			c.subjects = append(c.subjects, id)
		}
		if len(c.subjects) == 0 {
			ch = c
			return nil
		}
		lo, hi := c.subjects[0], c.subjects[len(c.subjects)-1]
		isSubject := func(id int64) bool { _, ok := c.persons[id]; return ok && id >= lo && id <= hi }

		// Marriages of subjects (either side), by range.
		spouses := map[int64]bool{}
		for _, side := range []string{"a_id", "b_id"} {
			rows, err := tx.Query(ctx, `SELECT a_id, b_id, from_date, to_date, end_reason FROM marriages
				WHERE county = ? AND `+side+` BETWEEN ? AND ?`, opts.County, lo, hi)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r marriageRow
				if err := rows.Scan(&r.a, &r.b, &r.m.From, &r.m.To, &r.m.End); err != nil {
					rows.Close()
					return err
				}
				if (side == "a_id" && !isSubject(r.a)) || (side == "b_id" && (!isSubject(r.b) || isSubject(r.a))) {
					continue // not a subject's, or already read from the a side
				}
				c.marr = append(c.marr, r)
				spouses[r.a], spouses[r.b] = true, true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		var outsideSpouses []int64
		for id := range spouses {
			if !isSubject(id) {
				outsideSpouses = append(outsideSpouses, id)
			}
		}
		// Ties of subjects (by range) and of spouses outside the range (by list).
		children := map[int64]bool{}
		readTies := func(q string, args ...any) error {
			rows, err := tx.Query(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var r tieRow
				var inPolicy sql.NullBool
				if err := rows.Scan(&r.parent, &r.child, &r.t.Kind, &r.t.From, &inPolicy, &r.t.Ruling); err != nil {
					return err
				}
				if inPolicy.Valid {
					v := inPolicy.Bool
					r.t.InPolicy = &v
				}
				c.ties = append(c.ties, r)
				children[r.child] = true
			}
			return rows.Err()
		}
		if err := readTies(`SELECT parent_id, child_id, kind, from_date, in_policy, ruling FROM parent_child
			WHERE county = ? AND parent_id BETWEEN ? AND ?`, opts.County, lo, hi); err != nil {
			return err
		}
		// Keep only subjects' ties from the range read.
		kept := c.ties[:0]
		for _, t := range c.ties {
			if isSubject(t.parent) {
				kept = append(kept, t)
			}
		}
		c.ties = kept
		clear(children)
		for _, t := range c.ties {
			children[t.child] = true
		}
		for _, ids := range chunkIDs(outsideSpouses) {
			if err := readTies(`SELECT parent_id, child_id, kind, from_date, in_policy, ruling FROM parent_child
				WHERE county = ? AND parent_id IN (`+idList(ids)+`)`, opts.County); err != nil {
				return err
			}
		}
		// Persons outside the chunk: spouses and children.
		var extra []int64
		for id := range spouses {
			if _, ok := c.persons[id]; !ok {
				extra = append(extra, id)
			}
		}
		for id := range children {
			if _, ok := c.persons[id]; !ok && !spouses[id] {
				extra = append(extra, id)
			}
		}
		for _, ids := range chunkIDs(extra) {
			if err := scanPersons(ctx, tx, `SELECT id, sex, birth, death, region, pension, hukou_type FROM persons
				WHERE county = ? AND id IN (`+idList(ids)+`)`, []any{opts.County}, c, kind, nil); err != nil {
				return err
			}
		}
		// Hukou history of subjects and spouses.
		readHukou := func(q string, args ...any) error {
			rows, err := tx.Query(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var h registry.HukouSpell
				if err := rows.Scan(&id, &h.Type, &h.Region, &h.From, &h.To, &h.Reason); err != nil {
					return err
				}
				if p := c.persons[id]; p != nil && (isSubject(id) || spouses[id]) {
					if kind[id] != "spells" {
						p.Hukou, kind[id] = p.Hukou[:0], "spells"
					}
					p.Hukou = append(p.Hukou, h)
				}
			}
			return rows.Err()
		}
		if err := readHukou(`SELECT person_id, type, region, from_date, to_date, reason FROM hukou_spells
			WHERE county = ? AND person_id BETWEEN ? AND ? ORDER BY person_id, from_date, id`, opts.County, lo, hi); err != nil {
			return err
		}
		for _, ids := range chunkIDs(outsideSpouses) {
			if err := readHukou(`SELECT person_id, type, region, from_date, to_date, reason FROM hukou_spells
				WHERE county = ? AND person_id IN (`+idList(ids)+`) ORDER BY person_id, from_date, id`, opts.County); err != nil {
				return err
			}
		}
		// Disabilities of children; certificates of subjects and spouses;
		// complications and retirements of subjects.
		var kids []int64
		for id := range children {
			kids = append(kids, id)
		}
		for _, ids := range chunkIDs(kids) {
			if err := scanEach(ctx, tx, `SELECT person_id, grade, category, from_date, to_date FROM disabilities
				WHERE county = ? AND person_id IN (`+idList(ids)+`)`, []any{opts.County}, func(rows *sql.Rows) error {
				var id int64
				var d registry.Disability
				if err := rows.Scan(&id, &d.Grade, &d.Category, &d.From, &d.To); err != nil {
					return err
				}
				c.disab[id] = append(c.disab[id], d)
				return nil
			}); err != nil {
				return err
			}
		}
		certScan := func(rows *sql.Rows) error {
			var id int64
			var x registry.Certificate
			if err := rows.Scan(&id, &x.Kind, &x.Issued, &x.Cancelled); err != nil {
				return err
			}
			c.certs[id] = append(c.certs[id], x)
			return nil
		}
		if err := scanEach(ctx, tx, `SELECT holder_id, kind, issued, cancelled FROM certificates
			WHERE county = ? AND holder_id BETWEEN ? AND ?`, []any{opts.County, lo, hi}, certScan); err != nil {
			return err
		}
		for _, ids := range chunkIDs(outsideSpouses) {
			if err := scanEach(ctx, tx, `SELECT holder_id, kind, issued, cancelled FROM certificates
				WHERE county = ? AND holder_id IN (`+idList(ids)+`)`, []any{opts.County}, certScan); err != nil {
				return err
			}
		}
		if err := scanEach(ctx, tx, `SELECT person_id, grade, from_date, to_date FROM complications
			WHERE county = ? AND person_id BETWEEN ? AND ?`, []any{opts.County, lo, hi}, func(rows *sql.Rows) error {
			var id int64
			var x registry.Complication
			if err := rows.Scan(&id, &x.Grade, &x.From, &x.To); err != nil {
				return err
			}
			c.comps[id] = append(c.comps[id], x)
			return nil
		}); err != nil {
			return err
		}
		if err := scanEach(ctx, tx, `SELECT person_id, date, employer FROM retirements
			WHERE county = ? AND person_id BETWEEN ? AND ?`, []any{opts.County, lo, hi}, func(rows *sql.Rows) error {
			var id int64
			var x registry.Retirement
			if err := rows.Scan(&id, &x.Date, &x.Employer); err != nil {
				return err
			}
			c.rets[id] = append(c.rets[id], x)
			return nil
		}); err != nil {
			return err
		}
		// Contraceptive operations and birth permissions of subjects and
		// spouses (the couple's); pension enrolments of subjects; university
		// admissions of children.
		opScan := func(rows *sql.Rows) error {
			var id int64
			var x registry.Contraception
			if err := rows.Scan(&id, &x.Method, &x.Date); err != nil {
				return err
			}
			c.ops[id] = append(c.ops[id], x)
			return nil
		}
		permScan := func(rows *sql.Rows) error {
			var id int64
			var x registry.BirthPermission
			if err := rows.Scan(&id, &x.Kind, &x.Issued); err != nil {
				return err
			}
			c.perms[id] = append(c.perms[id], x)
			return nil
		}
		if err := scanEach(ctx, tx, `SELECT person_id, method, op_date FROM contraception
			WHERE county = ? AND person_id BETWEEN ? AND ?`, []any{opts.County, lo, hi}, opScan); err != nil {
			return err
		}
		if err := scanEach(ctx, tx, `SELECT holder_id, kind, issued FROM birth_permissions
			WHERE county = ? AND holder_id BETWEEN ? AND ?`, []any{opts.County, lo, hi}, permScan); err != nil {
			return err
		}
		for _, ids := range chunkIDs(outsideSpouses) {
			if err := scanEach(ctx, tx, `SELECT person_id, method, op_date FROM contraception
				WHERE county = ? AND person_id IN (`+idList(ids)+`)`, []any{opts.County}, opScan); err != nil {
				return err
			}
			if err := scanEach(ctx, tx, `SELECT holder_id, kind, issued FROM birth_permissions
				WHERE county = ? AND holder_id IN (`+idList(ids)+`)`, []any{opts.County}, permScan); err != nil {
				return err
			}
		}
		if err := scanEach(ctx, tx, `SELECT person_id, scheme, enrolled, ended, drawing, region FROM pensions
			WHERE county = ? AND person_id BETWEEN ? AND ?`, []any{opts.County, lo, hi}, func(rows *sql.Rows) error {
			var id int64
			var x registry.Pension
			if err := rows.Scan(&id, &x.Scheme, &x.Enrolled, &x.Ended, &x.Drawing, &x.Region); err != nil {
				return err
			}
			c.pens[id] = append(c.pens[id], x)
			return nil
		}); err != nil {
			return err
		}
		for _, ids := range chunkIDs(kids) {
			if err := scanEach(ctx, tx, `SELECT person_id, admitted, level FROM admissions
				WHERE county = ? AND person_id IN (`+idList(ids)+`)`, []any{opts.County}, func(rows *sql.Rows) error {
				var id int64
				var x registry.Admission
				if err := rows.Scan(&id, &x.Date, &x.Level); err != nil {
					return err
				}
				c.adms[id] = append(c.adms[id], x)
				return nil
			}); err != nil {
				return err
			}
		}
		// Confirmations on the roll: no back pay before the confirmation
		// year, and special assistance accrues from it.
		if err := scanEach(ctx, tx, `SELECT person_id, program, confirmed FROM recipients
			WHERE county = ? AND person_id BETWEEN ? AND ?`, []any{opts.County, lo, hi}, func(rows *sql.Rows) error {
			var id int64
			var x registry.Confirmation
			if err := rows.Scan(&id, &x.Program, &x.Confirmed); err != nil {
				return err
			}
			c.confs[id] = append(c.confs[id], x)
			return nil
		}); err != nil {
			return err
		}
		ch = c
		return nil
	})
	return ch, err
}

// scanPersons reads person rows into c; ids, when not nil, collects them
// in order. A person's hukou starts as one spell of the current type,
// replaced by the history when there is one.
func scanPersons(ctx context.Context, tx *Tx, q string, args []any, c *evalChunk, kind map[int64]string, ids *[]int64) error {
	return scanEach(ctx, tx, q, args, func(rows *sql.Rows) error {
		var id int64
		p := &registry.Person{}
		var hukou string
		if err := rows.Scan(&id, &p.Sex, &p.Birth, &p.Death, &p.Region, &p.Pension, &hukou); err != nil {
			return err
		}
		p.Ref = strconv.FormatInt(id, 10)
		p.Hukou = []registry.HukouSpell{{Type: hukou}}
		kind[id] = "current"
		c.persons[id] = p
		if ids != nil {
			*ids = append(*ids, id)
		}
		return nil
	})
}

func scanEach(ctx context.Context, tx *Tx, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.Query(ctx, q, args...)
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

// evaluate builds each subject's family and evaluates it, keeping the
// eligible decisions.
func (c *evalChunk) evaluate(ev *policy.Evaluator, opts EvalOptions) ([]determination, error) {
	var out []determination
	err := c.families(opts, func(id int64, cs *policy.Case) error {
		res, err := ev.Evaluate(cs)
		if err != nil {
			return fmt.Errorf("person %d: %w", id, err)
		}
		for _, d := range res.Decisions {
			if d.Status == policy.StatusReview {
				// Not payable until staff decide (design §5): counted only.
				out = append(out, determination{person: id, d: policy.Decision{Program: d.Program}, review: true})
				continue
			}
			if !d.Eligible {
				continue
			}
			det := determination{person: id, d: d}
			if opts.Explain {
				b, _ := json.Marshal(d.Clauses)
				det.explain = string(b)
			}
			d.Clauses = nil
			out = append(out, det)
		}
		return nil
	})
	return out, err
}

// families builds each subject's family as a case whose one subject is
// the person, and calls fn with it. The case is reused from one call to
// the next.
func (c *evalChunk) families(opts EvalOptions, fn func(id int64, cs *policy.Case) error) error {
	byParent := map[int64][]int{}
	for i, t := range c.ties {
		byParent[t.parent] = append(byParent[t.parent], i)
	}
	bySubject := map[int64][]int{}
	for i, m := range c.marr {
		bySubject[m.a] = append(bySubject[m.a], i)
		if m.b != m.a {
			bySubject[m.b] = append(bySubject[m.b], i)
		}
	}
	var f registry.Family
	cs := policy.Case{Year: opts.Year, Region: opts.County}
	inFam := map[int64]bool{}
	for _, id := range c.subjects {
		f.Persons, f.Marriages, f.Children = f.Persons[:0], f.Marriages[:0], f.Children[:0]
		f.Disabilities, f.Certificates, f.Complications, f.Retirements = f.Disabilities[:0], f.Certificates[:0], f.Complications[:0], f.Retirements[:0]
		f.Contraception, f.Permissions, f.Pensions, f.Admissions = f.Contraception[:0], f.Permissions[:0], f.Pensions[:0], f.Admissions[:0]
		clear(inFam)
		add := func(pid int64) {
			if inFam[pid] {
				return
			}
			if p := c.persons[pid]; p != nil {
				inFam[pid] = true
				f.Persons = append(f.Persons, *p)
			}
		}
		add(id)
		parents := []int64{id}
		for _, mi := range bySubject[id] {
			m := c.marr[mi]
			x := m.m
			x.A, x.B = strconv.FormatInt(m.a, 10), strconv.FormatInt(m.b, 10)
			f.Marriages = append(f.Marriages, x)
			add(m.a)
			add(m.b)
			other := m.b
			if other == id {
				other = m.a
			}
			parents = append(parents, other)
		}
		for _, par := range parents {
			for _, ti := range byParent[par] {
				t := c.ties[ti]
				x := t.t
				x.Parent, x.Child = strconv.FormatInt(t.parent, 10), strconv.FormatInt(t.child, 10)
				f.Children = append(f.Children, x)
				add(t.child)
				for _, d := range c.disab[t.child] {
					d.Person = x.Child
					f.Disabilities = append(f.Disabilities, d)
				}
				for _, a := range c.adms[t.child] {
					a.Person = x.Child
					f.Admissions = append(f.Admissions, a)
				}
			}
			pref := strconv.FormatInt(par, 10)
			for _, x := range c.certs[par] {
				x.Holder = pref
				f.Certificates = append(f.Certificates, x)
			}
			for _, x := range c.ops[par] {
				x.Person = pref
				f.Contraception = append(f.Contraception, x)
			}
			for _, x := range c.perms[par] {
				x.Holder = pref
				f.Permissions = append(f.Permissions, x)
			}
		}
		ref := strconv.FormatInt(id, 10)
		for _, x := range c.comps[id] {
			x.Person = ref
			f.Complications = append(f.Complications, x)
		}
		for _, x := range c.rets[id] {
			x.Person = ref
			f.Retirements = append(f.Retirements, x)
		}
		for _, x := range c.pens[id] {
			x.Person = ref
			f.Pensions = append(f.Pensions, x)
		}
		f.Confirmations = f.Confirmations[:0]
		for _, x := range c.confs[id] {
			x.Person = ref
			f.Confirmations = append(f.Confirmations, x)
		}
		// Ties whose child is missing (outside the county) are dropped:
		// the rules need the child's dates.
		kept := f.Children[:0]
		for _, t := range f.Children {
			cid, _ := strconv.ParseInt(t.Child, 10, 64)
			if inFam[cid] {
				kept = append(kept, t)
			}
		}
		f.Children = kept
		cs.Family = f
		cs.Subjects = append(cs.Subjects[:0], ref)
		if err := fn(id, &cs); err != nil {
			return err
		}
	}
	return nil
}

// PolicyStamp returns a short text that changes whenever the stored rule
// layers change, so that compiled rules can be reused until then.
func (tx *Tx) PolicyStamp(ctx context.Context) (string, error) {
	var n int
	var last sql.NullString
	err := tx.QueryRow(ctx, `SELECT COUNT(*), MAX(created_at) FROM policy_layers`).Scan(&n, &last)
	if err != nil {
		return "", fmt.Errorf("policy stamp: %w", err)
	}
	return strconv.Itoa(n) + "/" + last.String, nil
}
