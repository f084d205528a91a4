package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Cross-department matching (migration 0015): the registry as the
// matcher's candidates, imports with their rows and results, the facts
// already imported, column mappings, the worklist and the exchange log.

// MatchCandidates streams the persons of county as the matcher's
// candidates, with the ids of their parents (by birth or adoption), a
// chunk at a time in id order, each chunk in a read-only transaction of
// its own. ID numbers are decrypted here.
func (db *DB) MatchCandidates(ctx context.Context, county string) iter.Seq2[matching.Candidate, error] {
	const chunk = 20000
	return func(yield func(matching.Candidate, error) bool) {
		var after int64
		for {
			var cs []matching.Candidate
			err := db.View(ctx, func(tx *Tx) (err error) {
				cs, err = tx.matchCandidates(ctx, county, after, chunk)
				return err
			})
			if err != nil {
				yield(matching.Candidate{}, err)
				return
			}
			if len(cs) == 0 {
				return
			}
			for _, c := range cs {
				if !yield(c, nil) {
					return
				}
			}
			after = cs[len(cs)-1].Key.ID
		}
	}
}

func (tx *Tx) matchCandidates(ctx context.Context, county string, after int64, n int) ([]matching.Candidate, error) {
	var cs []matching.Candidate
	err := scanEach(ctx, tx, `SELECT id, id_number, name, sex, birth, region FROM persons WHERE county = ? AND id > ? ORDER BY id LIMIT ?`,
		[]any{county, after, n}, func(rows *sql.Rows) error {
			var c matching.Candidate
			var idn sql.NullString
			if err := rows.Scan(&c.Key.ID, &idn, &c.Name, &c.Sex, &c.Birth, &c.Region); err != nil {
				return err
			}
			c.Key.County = county
			var err error
			if c.IDNumber, err = tx.openIDNumber(county, c.Key.ID, idn.String); err != nil {
				return err
			}
			cs = append(cs, c)
			return nil
		})
	if err != nil || len(cs) == 0 {
		return cs, err
	}
	at := map[int64]int{}
	for i, c := range cs {
		at[c.Key.ID] = i
	}
	err = scanEach(ctx, tx, `SELECT t.child_id, t.parent_id, p.sex FROM parent_child t
		JOIN persons p ON p.county = t.county AND p.id = t.parent_id
		WHERE t.county = ? AND t.child_id BETWEEN ? AND ? AND t.kind IN ('birth', 'adoption')`,
		[]any{county, cs[0].Key.ID, cs[len(cs)-1].Key.ID}, func(rows *sql.Rows) error {
			var child, parent int64
			var sex string
			if err := rows.Scan(&child, &parent, &sex); err != nil {
				return err
			}
			if i, ok := at[child]; ok {
				if sex == registry.Female {
					cs[i].Mother = parent
				} else {
					cs[i].Father = parent
				}
			}
			return nil
		})
	return cs, err
}

// MatchPersonStates returns what the worklist needs of persons ids of
// county; ids not registered are left out.
func (tx *Tx) MatchPersonStates(ctx context.Context, county string, ids []int64) (map[int64]matching.PersonState, error) {
	out := map[int64]matching.PersonState{}
	for _, part := range chunkIDs(ids) {
		in, args := tx.oneOf(part)
		err := scanEach(ctx, tx, `SELECT id, name, region, death, hukou_type FROM persons WHERE county = ? AND id `+in,
			append([]any{county}, args...), func(rows *sql.Rows) error {
				var p matching.PersonState
				if err := rows.Scan(&p.Key.ID, &p.Name, &p.Region, &p.Death, &p.HukouType); err != nil {
					return err
				}
				p.Key.County = county
				out[p.Key.ID] = p
				return nil
			})
		if err != nil {
			return nil, err
		}
		set := func(q string, fn func(p *matching.PersonState, rows *sql.Rows) error) error {
			return scanEach(ctx, tx, strings.Replace(q, "{ids}", in, 1), append([]any{county}, args...), func(rows *sql.Rows) error {
				var id int64
				var p matching.PersonState
				if err := fn(&p, rows); err != nil {
					return err
				}
				id = p.Key.ID
				cur, ok := out[id]
				if !ok {
					return nil
				}
				cur.OnRoll = cur.OnRoll || p.OnRoll
				cur.Retired = cur.Retired || p.Retired
				cur.Spouses = append(cur.Spouses, p.Spouses...)
				if p.Grade > 0 && (cur.Grade == 0 || p.Grade < cur.Grade) {
					cur.Grade = p.Grade
				}
				out[id] = cur
				return nil
			})
		}
		if err := set(`SELECT DISTINCT person_id FROM recipients WHERE county = ? AND person_id {ids} AND status IN ('active', 'suspended')`,
			func(p *matching.PersonState, rows *sql.Rows) error { p.OnRoll = true; return rows.Scan(&p.Key.ID) }); err != nil {
			return nil, err
		}
		if err := set(`SELECT DISTINCT person_id FROM retirements WHERE county = ? AND person_id {ids}`,
			func(p *matching.PersonState, rows *sql.Rows) error { p.Retired = true; return rows.Scan(&p.Key.ID) }); err != nil {
			return nil, err
		}
		if err := set(`SELECT person_id, grade FROM disabilities WHERE county = ? AND person_id {ids} AND to_date IS NULL`,
			func(p *matching.PersonState, rows *sql.Rows) error { return rows.Scan(&p.Key.ID, &p.Grade) }); err != nil {
			return nil, err
		}
		for _, q := range []string{
			`SELECT a_id, b_id FROM marriages WHERE county = ? AND a_id {ids} AND to_date IS NULL`,
			`SELECT b_id, a_id FROM marriages WHERE county = ? AND b_id {ids} AND to_date IS NULL`,
		} {
			if err := set(q, func(p *matching.PersonState, rows *sql.Rows) error {
				var other int64
				err := rows.Scan(&p.Key.ID, &other)
				p.Spouses = []int64{other}
				return err
			}); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// The purposes of the keyed hashes of matching: a row's fact key and
// fingerprint are digests of what it says, ID numbers included, so they
// are stored as keyed hashes (like persons' id_hash), which reveal nothing
// to someone without the key file.
const (
	hashMatchFact = "match_fact"
	hashMatchRow  = "match_row"
)

// KnownFacts returns which of the fact keys of county were imported
// before. The stored keys are keyed hashes, under whichever key
// generation was current when they were stored.
func (tx *Tx) KnownFacts(ctx context.Context, county string, keys []string) (map[string]bool, error) {
	if tx.db.keys == nil {
		return nil, errNoKeys
	}
	out := map[string]bool{}
	byHash := map[string]string{}
	var hashes []string
	for _, k := range keys {
		for _, h := range tx.db.keys.Hashes(hashMatchFact, k) {
			byHash[h] = k
			hashes = append(hashes, h)
		}
	}
	for len(hashes) > 0 {
		// On PostgreSQL the keys go as one array: a list of hundreds of
		// parameters, once the statement is planned generically, is
		// compared element by element with every fact of the county
		// (seconds an import once the county holds a few imports).
		n, q, args := min(500, len(hashes)), "", []any{county}
		if tx.db.Engine == Postgres {
			n = min(5000, len(hashes))
			q, args = `SELECT fact_key FROM match_facts WHERE county = ? AND fact_key = ANY(?)`, append(args, hashes[:n])
		} else {
			q = `SELECT fact_key FROM match_facts WHERE county = ? AND fact_key IN (` + placeholders(n) + `)`
			for _, h := range hashes[:n] {
				args = append(args, h)
			}
		}
		if err := scanEach(ctx, tx, q, args,
			func(rows *sql.Rows) error {
				var h string
				if err := rows.Scan(&h); err != nil {
					return err
				}
				out[byHash[h]] = true
				return nil
			}); err != nil {
			return nil, err
		}
		hashes = hashes[n:]
	}
	return out, nil
}

// AnalyzeMatching refreshes the planner's statistics of the facts
// imported (match_facts) after an import on PostgreSQL, which otherwise
// plans the next import's look-ups of them for the table as it was before
// (autovacuum analyses it only later): by county alone, reading every
// fact of the county. SQLite needs nothing.
func (db *DB) AnalyzeMatching(ctx context.Context) error {
	if db.Engine != Postgres {
		return nil
	}
	_, err := db.w.ExecContext(ctx, `ANALYZE match_facts`)
	return err
}

// insertMany inserts rows of values into table's columns, a few hundred
// rows a statement.
func (tx *Tx) insertMany(ctx context.Context, table, columns string, width int, rows [][]any) error {
	per := max(1, 30000/width/2)
	row := "(" + placeholders(width) + ")"
	for len(rows) > 0 {
		n := min(per, len(rows))
		args := make([]any, 0, n*width)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := `INSERT INTO ` + table + ` (` + columns + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+",", n), ",")
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// InsertMatchImport stores an import.
func (tx *Tx) InsertMatchImport(ctx context.Context, m *matching.Import) error {
	h, err := json.Marshal(m.Header)
	if err != nil {
		return err
	}
	mp := ""
	if len(m.Mapping) > 0 {
		b, err := json.Marshal(m.Mapping)
		if err != nil {
			return err
		}
		mp = string(b)
	}
	_, err = tx.Exec(ctx, `INSERT INTO match_imports (`+importColumns+`) VALUES (`+placeholders(23)+`)`,
		m.County, m.ID, string(m.Kind), m.Source, m.FileName, m.FileHash, m.Format, m.Encoding, string(h), mp,
		m.Rows, m.New, m.Repeated, m.Errors, m.Matched, m.Review, m.Unmatched, m.Tasks, m.Held, m.Seconds,
		m.CreatedBy, m.CreatedByName, ts(m.CreatedAt))
	return err
}

const importColumns = `county, id, kind, source, file_name, file_hash, format, encoding, header, mapping, rows_total, rows_new, rows_repeated,
	rows_error, matched, review, unmatched, tasks, held, seconds, created_by, created_by_name, created_at`

func scanImport(s scanner) (*matching.Import, error) {
	var m matching.Import
	var kind, header, mp string
	var created any
	if err := s.Scan(&m.County, &m.ID, &kind, &m.Source, &m.FileName, &m.FileHash, &m.Format, &m.Encoding, &header, &mp,
		&m.Rows, &m.New, &m.Repeated, &m.Errors, &m.Matched, &m.Review, &m.Unmatched, &m.Tasks, &m.Held, &m.Seconds,
		&m.CreatedBy, &m.CreatedByName, &created); err != nil {
		return nil, err
	}
	m.Kind = matching.Kind(kind)
	m.CreatedAt, _ = timeValue(created)
	if mp != "" {
		if err := json.Unmarshal([]byte(mp), &m.Mapping); err != nil {
			return nil, err
		}
	}
	return &m, json.Unmarshal([]byte(header), &m.Header)
}

// MatchImport returns import id of county.
func (tx *Tx) MatchImport(ctx context.Context, county string, id int64) (*matching.Import, error) {
	m, err := scanImport(tx.QueryRow(ctx, `SELECT `+importColumns+` FROM match_imports WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "未找到该比对导入", "no such import")
	}
	return m, err
}

// MatchImports returns the imports of county, newest first, at most limit.
func (tx *Tx) MatchImports(ctx context.Context, county string, limit int) ([]matching.Import, error) {
	var out []matching.Import
	err := scanEach(ctx, tx, `SELECT `+importColumns+` FROM match_imports WHERE county = ? ORDER BY id DESC LIMIT ?`,
		[]any{county, limit}, func(rows *sql.Rows) error {
			m, err := scanImport(rows)
			if err == nil {
				out = append(out, *m)
			}
			return err
		})
	return out, err
}

func rowAAD(county string, importID int64, row int) string {
	return "match_rows.cells " + county + "/" + strconv.FormatInt(importID, 10) + "/" + strconv.Itoa(row)
}

// ImportRow is a stored row of an import with its results.
type ImportRow = matching.ImportRow

// InsertMatchRows stores the rows of import id of county, their status
// (matching.RowNew, RowRepeated, RowError) by row number, their results,
// and the new facts.
func (tx *Tx) InsertMatchRows(ctx context.Context, county string, id int64, rows []matching.Row, status map[int]string, results []matching.Result) error {
	if tx.db.keys == nil {
		return errNoKeys
	}
	vals := make([][]any, 0, len(rows))
	var facts [][]any
	for i := range rows {
		r := &rows[i]
		cells, err := json.Marshal(r.Cells)
		if err != nil {
			return err
		}
		probs := ""
		if len(r.Problems) > 0 {
			b, err := json.Marshal(r.Problems)
			if err != nil {
				return err
			}
			probs = string(b)
		}
		var ev any
		if !r.Event.Date.IsZero() {
			ev = r.Event.Date.Date
		}
		st := status[r.Row]
		fact := tx.db.keys.Hash(hashMatchFact, r.FactKey)
		vals = append(vals, []any{county, id, r.Row, r.Line, st, tx.db.keys.Hash(hashMatchRow, r.Fingerprint), fact,
			tx.db.keys.Seal(string(cells), rowAAD(county, id, r.Row)), probs, ev})
		if st == matching.RowNew {
			facts = append(facts, []any{county, fact, id, r.Row})
		}
	}
	if err := tx.insertMany(ctx, "match_rows", `county, import_id, row_no, line_no, status, fingerprint, fact_key, cells, problems, event_date`, 10, vals); err != nil {
		return err
	}
	if err := tx.insertMany(ctx, "match_facts", `county, fact_key, import_id, row_no`, 4, facts); err != nil {
		return err
	}
	vals = vals[:0]
	for i := range results {
		r := &results[i]
		var person any
		if r.Person.ID != 0 {
			person = r.Person.ID
		}
		cands := ""
		if len(r.Candidates) > 0 {
			cs := make([]storedCandidate, len(r.Candidates))
			for j, c := range r.Candidates {
				cs[j] = storedCandidate{Person: c.Person.ID, Score: c.Score, Evidence: c.Evidence}
			}
			b, err := json.Marshal(cs)
			if err != nil {
				return err
			}
			cands = string(b)
		}
		vals = append(vals, []any{county, id, r.Row, string(r.Role), string(r.Outcome), person, r.Score, r.Reason, cands})
	}
	return tx.insertMany(ctx, "match_results", `county, import_id, row_no, role, outcome, person_id, score, reason, candidates`, 9, vals)
}

// storedCandidate is a candidate as match_results keeps it: no ID number.
type storedCandidate struct {
	Person   int64             `json:"p"`
	Score    float64           `json:"s"`
	Evidence matching.Evidence `json:"e"`
}

// MatchRows returns rows of import id of county — those numbered in
// rowNos, or every row when rowNos is empty — with their results, in row
// order.
func (tx *Tx) MatchRows(ctx context.Context, county string, id int64, rowNos []int) ([]matching.ImportRow, error) {
	cond, args := "", []any{county, id}
	if len(rowNos) > 0 {
		ps := make([]string, len(rowNos))
		for i, n := range rowNos {
			ps[i] = strconv.Itoa(n)
		}
		cond = ` AND row_no IN (` + strings.Join(ps, ",") + `)`
	}
	var out []matching.ImportRow
	at := map[int]int{}
	err := scanEach(ctx, tx, `SELECT row_no, line_no, status, fact_key, cells, problems FROM match_rows
		WHERE county = ? AND import_id = ?`+cond+` ORDER BY row_no`, args, func(rows *sql.Rows) error {
		var r matching.ImportRow
		var cells, probs string
		if err := rows.Scan(&r.Row, &r.Line, &r.Status, &r.FactKey, &cells, &probs); err != nil {
			return err
		}
		plain, err := tx.open(cells, rowAAD(county, id, r.Row))
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(plain), &r.Cells); err != nil {
			return err
		}
		if probs != "" {
			if err := json.Unmarshal([]byte(probs), &r.Problems); err != nil {
				return err
			}
		}
		at[r.Row] = len(out)
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scanEach(ctx, tx, `SELECT row_no, role, outcome, person_id, score, reason, candidates FROM match_results
		WHERE county = ? AND import_id = ?`+cond+` ORDER BY row_no, role`, args, func(rows *sql.Rows) error {
		var r matching.Result
		var role, outcome, cands string
		var person sql.NullInt64
		if err := rows.Scan(&r.Row, &role, &outcome, &person, &r.Score, &r.Reason, &cands); err != nil {
			return err
		}
		r.Role, r.Outcome = matching.Role(role), matching.Outcome(outcome)
		if person.Valid {
			r.Person = registry.Key{County: county, ID: person.Int64}
		}
		if cands != "" {
			var cs []storedCandidate
			if err := json.Unmarshal([]byte(cands), &cs); err != nil {
				return err
			}
			for _, c := range cs {
				r.Candidates = append(r.Candidates, matching.Scored{Person: registry.Key{County: county, ID: c.Person}, Score: c.Score, Evidence: c.Evidence})
			}
		}
		if i, ok := at[r.Row]; ok {
			out[i].Results = append(out[i].Results, r)
		}
		return nil
	})
	return out, err
}

// SetMatchResult records the decision of a review: role of row of import
// id now links to person (0: nobody in the registry).
func (tx *Tx) SetMatchResult(ctx context.Context, county string, id int64, row int, role matching.Role, person int64, reason string) error {
	outcome, p := string(matching.Unmatched), any(nil)
	if person != 0 {
		outcome, p = string(matching.Matched), person
	}
	_, err := tx.Exec(ctx, `UPDATE match_results SET outcome = ?, person_id = ?, reason = ? WHERE county = ? AND import_id = ? AND row_no = ? AND role = ?`,
		outcome, p, reason, county, id, row, string(role))
	return err
}

const taskColumns = `county, id, import_id, row_no, role, kind, reason, person_id, other_id, region, level, status, event_date, deadline,
	on_roll, held, note, decided_by, decided_by_name, decided_at, decision, version, created_at`

func taskArgs(t *matching.Task) []any {
	null := func(id int64) any {
		if id == 0 {
			return nil
		}
		return id
	}
	var ev, at any
	if !t.Event.IsZero() {
		ev = t.Event
	}
	if !t.DecidedAt.IsZero() {
		at = ts(t.DecidedAt)
	}
	return []any{t.County, t.ID, t.ImportID, t.Row, string(t.Role), string(t.Kind), t.Reason, null(t.Person.ID), null(t.Other.ID),
		t.Region, t.Level, t.Status, ev, t.Deadline, t.OnRoll, t.Held, t.Note, null(t.DecidedBy), t.DecidedByName, at, t.Decision,
		t.Version, ts(t.CreatedAt)}
}

func scanTask(s scanner) (*matching.Task, error) {
	var t matching.Task
	var role, kind string
	var person, other, by sql.NullInt64
	var at, created any
	var ev date.Date
	if err := s.Scan(&t.County, &t.ID, &t.ImportID, &t.Row, &role, &kind, &t.Reason, &person, &other, &t.Region, &t.Level, &t.Status,
		&ev, &t.Deadline, &t.OnRoll, &t.Held, &t.Note, &by, &t.DecidedByName, &at, &t.Decision, &t.Version, &created); err != nil {
		return nil, err
	}
	t.Role, t.Kind, t.Event = matching.Role(role), matching.Kind(kind), ev
	if person.Valid {
		t.Person = registry.Key{County: t.County, ID: person.Int64}
	}
	if other.Valid {
		t.Other = registry.Key{County: t.County, ID: other.Int64}
	}
	t.DecidedBy = by.Int64
	t.DecidedAt, _ = timeValue(at)
	t.CreatedAt, _ = timeValue(created)
	return &t, nil
}

// InsertMatchTasks stores new tasks.
func (tx *Tx) InsertMatchTasks(ctx context.Context, ts []matching.Task) error {
	vals := make([][]any, len(ts))
	for i := range ts {
		vals[i] = taskArgs(&ts[i])
	}
	return tx.insertMany(ctx, "match_tasks", taskColumns, 23, vals)
}

// MatchTask returns task id of county within scope.
func (tx *Tx) MatchTask(ctx context.Context, scope region.Code, county string, id int64) (*matching.Task, error) {
	where, args := scopeClause("", scope)
	t, err := scanTask(tx.QueryRow(ctx, `SELECT `+taskColumns+` FROM match_tasks WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "未找到该核查任务，或不在您的管辖范围内", "no such task in your scope")
	}
	return t, err
}

// UpdateMatchTask writes t over the stored version t.Version-1.
func (tx *Tx) UpdateMatchTask(ctx context.Context, t *matching.Task) error {
	args := taskArgs(t)
	cols := strings.Split(taskColumns, ",")
	var sets []string
	for _, c := range cols[2:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE match_tasks SET `+strings.Join(sets, ", ")+` WHERE county = ? AND id = ? AND version = ?`,
		append(args[2:], t.County, t.ID, t.Version-1)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该任务已被他人处理，请刷新后重试", "the task was changed by someone else; reload and try again")
	}
	return nil
}

// TaskQuery selects tasks of the worklist.
type TaskQuery = matching.TaskQuery

// MatchTasks returns the tasks of county within scope that q selects,
// oldest deadline first, and how many it selects.
func (tx *Tx) MatchTasks(ctx context.Context, scope region.Code, county string, q matching.TaskQuery) ([]matching.Task, int, error) {
	where, args := scopeClause("", scope)
	conds := []string{"county = ?", where}
	args = append([]any{county}, args...)
	if q.Region != "" {
		w, a := scopeClause("", region.Code(q.Region))
		conds, args = append(conds, w), append(args, a...)
	}
	if q.Status != "" {
		conds, args = append(conds, "status = ?"), append(args, q.Status)
	}
	if q.Level != "" {
		conds, args = append(conds, "level = ?"), append(args, q.Level)
	}
	if q.Reason != "" {
		conds, args = append(conds, "reason = ?"), append(args, q.Reason)
	}
	if q.ImportID != 0 {
		conds, args = append(conds, "import_id = ?"), append(args, q.ImportID)
	}
	if q.PersonID != 0 {
		conds, args = append(conds, "person_id = ?"), append(args, q.PersonID)
	}
	if !q.OverdueOn.IsZero() {
		conds, args = append(conds, "status = 'open' AND deadline < ?"), append(args, q.OverdueOn)
	}
	w := strings.Join(conds, " AND ")
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM match_tasks WHERE `+w, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	var out []matching.Task
	err := scanEach(ctx, tx, `SELECT `+taskColumns+` FROM match_tasks WHERE `+w+` ORDER BY deadline, id LIMIT ? OFFSET ?`,
		append(args, limit, q.Offset), func(rows *sql.Rows) error {
			t, err := scanTask(rows)
			if err == nil {
				out = append(out, *t)
			}
			return err
		})
	return out, n, err
}

// CountOverdueTasks counts the open tasks within scope whose deadline is
// before day.
func (tx *Tx) CountOverdueTasks(ctx context.Context, scope region.Code, day date.Date) (int, error) {
	where, args := scopeClause("", scope)
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM match_tasks WHERE status = 'open' AND deadline < ? AND `+where,
		append([]any{day}, args...)...).Scan(&n)
	return n, err
}

// MatchMapping returns the column mapping saved for source's files of
// kind in county (nil when none).
func (tx *Tx) MatchMapping(ctx context.Context, county, source string, kind matching.Kind) (map[string]string, error) {
	var s string
	err := tx.QueryRow(ctx, `SELECT mapping FROM match_mappings WHERE county = ? AND source = ? AND kind = ?`, county, source, string(kind)).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	return m, json.Unmarshal([]byte(s), &m)
}

// SaveMatchMapping saves the column mapping of source's files of kind.
func (tx *Tx) SaveMatchMapping(ctx context.Context, county, source string, kind matching.Kind, m map[string]string, by string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM match_mappings WHERE county = ? AND source = ? AND kind = ?`, county, source, string(kind)); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO match_mappings (county, source, kind, mapping, updated_by_name, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		county, source, string(kind), string(b), by, ts(tx.Now()))
	return err
}

// InsertExchange records an exchange.
func (tx *Tx) InsertExchange(ctx context.Context, e *matching.Exchange) error {
	_, err := tx.Exec(ctx, `INSERT INTO match_exchanges (county, id, month, direction, source, kind, import_id, rows_count, by_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.County, e.ID, e.Month, e.Direction, e.Source, string(e.Kind), e.ImportID, e.Rows, e.By, ts(e.At))
	return err
}

// Exchanges returns the exchanges of county from month from to month to
// (YYYY-MM, inclusive; empty for no bound), by month and source.
func (tx *Tx) Exchanges(ctx context.Context, county, from, to string) ([]matching.Exchange, error) {
	conds, args := []string{"county = ?"}, []any{county}
	if from != "" {
		conds, args = append(conds, "month >= ?"), append(args, from)
	}
	if to != "" {
		conds, args = append(conds, "month <= ?"), append(args, to)
	}
	var out []matching.Exchange
	err := scanEach(ctx, tx, `SELECT county, id, month, direction, source, kind, import_id, rows_count, by_name, at FROM match_exchanges
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY month, source, id`, args, func(rows *sql.Rows) error {
		var e matching.Exchange
		var kind string
		var at any
		if err := rows.Scan(&e.County, &e.ID, &e.Month, &e.Direction, &e.Source, &kind, &e.ImportID, &e.Rows, &e.By, &at); err != nil {
			return err
		}
		e.At, _ = timeValue(at)
		e.Kind = matching.Kind(kind)
		out = append(out, e)
		return nil
	})
	return out, err
}

// MarriageBetween returns the id of the current marriage of persons a and
// b of county.
func (tx *Tx) MarriageBetween(ctx context.Context, county string, a, b int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM marriages WHERE county = ? AND to_date IS NULL AND ((a_id = ? AND b_id = ?) OR (a_id = ? AND b_id = ?))`,
		county, a, b, b, a).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.New(apperr.NotFound, "人口库中两人没有存续的婚姻", "the two have no current marriage in the registry")
	}
	return id, err
}

// RegistryCounties returns the counties that have persons, in order.
func (tx *Tx) RegistryCounties(ctx context.Context) ([]string, error) {
	var out []string
	err := scanEach(ctx, tx, `SELECT DISTINCT county FROM persons ORDER BY county`, nil, func(rows *sql.Rows) error {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// rehashMatchFacts recomputes, with the key file's current generation, the
// keyed hashes of every imported row's fingerprint and fact key (a key
// rotation retires the generation they were hashed with, and a retired
// generation no longer finds them). The keys are not stored: each row is
// read again from its decrypted cells, as its import read it.
func (db *DB) rehashMatchFacts(ctx context.Context) (int, error) {
	type imp struct {
		county string
		id     int64
	}
	var imps []imp
	if err := db.View(ctx, func(tx *Tx) error {
		return scanEach(ctx, tx, `SELECT county, id FROM match_imports ORDER BY county, id`, nil, func(rows *sql.Rows) error {
			var m imp
			if err := rows.Scan(&m.county, &m.id); err != nil {
				return err
			}
			imps = append(imps, m)
			return nil
		})
	}); err != nil {
		return 0, err
	}
	n := 0
	for _, m := range imps {
		err := db.Update(ctx, func(tx *Tx) error {
			x, err := tx.MatchImport(ctx, m.county, m.id)
			if err != nil {
				return err
			}
			rows, err := tx.MatchRows(ctx, m.county, m.id, nil)
			if err != nil {
				return err
			}
			src := &matching.SynthExtract{Kind: x.Kind, Header: x.Header}
			for _, r := range rows {
				src.Rows = append(src.Rows, r.Cells)
			}
			parsed, err := matching.Parse(src, x.Kind, matching.Options{Mapping: x.Mapping})
			if err != nil {
				return err
			}
			if len(parsed.Rows) != len(rows) {
				return fmt.Errorf("import %s/%d: %d rows read again, %d stored", m.county, m.id, len(parsed.Rows), len(rows))
			}
			for i, r := range rows {
				p := &parsed.Rows[i]
				fact, fp := tx.db.keys.Hash(hashMatchFact, p.FactKey), tx.db.keys.Hash(hashMatchRow, p.Fingerprint)
				if _, err := tx.Exec(ctx, `UPDATE match_rows SET fact_key = ?, fingerprint = ? WHERE county = ? AND import_id = ? AND row_no = ?`,
					fact, fp, m.county, m.id, r.Row); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `UPDATE match_facts SET fact_key = ? WHERE county = ? AND import_id = ? AND row_no = ?`,
					fact, m.county, m.id, r.Row); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
