package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/stats"
)

// The statistics' facts (package stats): what the monthly report of a
// region is computed from, read for the region and the month, and the
// approvals with their snapshots and revisions. Each fact query reads one
// table (with the persons it names) in one statement; the money is summed
// in SQL by program and unit, the rest is counted in stats.Compute so that
// a figure and the list of persons behind it are the same selection.

var _ stats.Store = (*Tx)(nil)

// countyClause limits alias p's county column to scope's counties.
func countyClause(p string, scope region.Code) (string, []any) {
	prefix, ok := scope.Prefix()
	if !ok || prefix == "" {
		return "1=1", nil
	}
	if len(prefix) >= 6 {
		return p + "county = ?", []any{prefix[:6]}
	}
	return p + "county LIKE ?", []any{prefix + "%"}
}

// statScope limits alias p's county and region columns to reg, as
// scopeClause does, but writes the region's prefix as a range, which
// both engines read from an index on (county, region) (SQLite does not
// for LIKE, which it compares without case).
func statScope(p string, reg region.Code) (string, []any) {
	prefix, ok := reg.Prefix()
	if !ok || len(prefix) <= 6 {
		return scopeClause(p, reg)
	}
	return p + "county = ? AND " + p + "region >= ? AND " + p + "region < ?", []any{prefix[:6], prefix, prefix + ":"}
}

// unitDigits is how many leading digits of a division name the units of
// reg's report: the townships of a county (9), the villages of a township
// or a village (12), the counties of a city (6), the cities of a province
// (4), the provinces of the country (2).
func unitDigits(reg region.Code) int {
	switch reg.Level() {
	case region.Country:
		return 2
	case region.Province:
		return 4
	case region.Prefecture:
		return 6
	case region.County:
		return 9
	}
	return 12
}

// unitCode pads a unit prefix of n digits to a division code.
func unitCode(p string) string {
	switch len(p) {
	case 2, 4:
		return p + strings.Repeat("0", 6-len(p))
	case 9:
		return p + "000"
	}
	return p
}

// Facts reads the facts of reg's report of month m (stats.Store).
func (tx *Tx) Facts(ctx context.Context, reg region.Code, m stats.Month, population bool) (*stats.Facts, error) {
	f := &stats.Facts{}
	first, last := m.First(), m.Last()
	err := tx.withoutJIT(ctx)
	if err != nil {
		return nil, err
	}
	if f.Births, err = tx.statBirths(ctx, reg, m.Add(1-stats.Window).First(), last); err != nil {
		return nil, fmt.Errorf("births of %s: %w", reg, err)
	}
	where, args := statScope("", reg)
	if f.Deaths, err = tx.statEvents(ctx, `SELECT county, id, region, death, 0 FROM persons WHERE `+where+` AND death >= ? AND death <= ?
		ORDER BY county, id`, append(args, first, last)...); err != nil {
		return nil, fmt.Errorf("deaths of %s: %w", reg, err)
	}
	pw, pargs := statScope("p.", reg)
	marriages := func(day, extra string) ([]stats.Event, error) {
		var q []string
		var all []any
		for _, side := range []string{"a_id", "b_id"} {
			q = append(q, `SELECT p.county, p.id, p.region, m.`+day+`, m.id FROM marriages m JOIN persons p ON p.county = m.county AND p.id = m.`+side+`
				WHERE `+pw+` AND m.`+day+` >= ? AND m.`+day+` <= ?`+extra)
			all = append(all, append(append([]any{}, pargs...), first, last)...)
		}
		return tx.statEvents(ctx, strings.Join(q, " UNION ALL ")+` ORDER BY 5, 2`, all...)
	}
	if f.Marriages, err = marriages("from_date", ""); err != nil {
		return nil, fmt.Errorf("marriages of %s: %w", reg, err)
	}
	if f.Divorces, err = marriages("to_date", " AND m.end_reason = 'divorce'"); err != nil {
		return nil, fmt.Errorf("divorces of %s: %w", reg, err)
	}
	if f.Moves, err = tx.statMoves(ctx, reg, first, last); err != nil {
		return nil, fmt.Errorf("moves of %s: %w", reg, err)
	}
	if f.Registrations, err = tx.statRegistrations(ctx, reg, first, last); err != nil {
		return nil, fmt.Errorf("birth registrations of %s: %w", reg, err)
	}
	if f.Paid, err = tx.statPaid(ctx, reg, first, last); err != nil {
		return nil, fmt.Errorf("payments of %s: %w", reg, err)
	}
	rw, rargs := statScope("r.", reg)
	if f.Aged, err = tx.statEvents(ctx, `SELECT DISTINCT p.county, p.id, p.region, p.birth, 0 FROM recipients r JOIN persons p ON p.county = r.county AND p.id = r.person_id
		WHERE `+rw+` AND r.status = 'active' AND p.death IS NULL AND p.birth <= ? ORDER BY p.county, p.id`,
		append(rargs, last.AddMonths(-12*stats.AgedYears))...); err != nil {
		return nil, fmt.Errorf("aged recipients of %s: %w", reg, err)
	}
	if f.Special, err = tx.statSpecial(ctx, reg, m); err != nil {
		return nil, err
	}
	if population {
		// Grouped by the whole division, which the index persons_alive
		// holds in order, and kept by division (stats resolves the codes
		// of divisions that changed, and sums them to units).
		n := 12
		if f.Population, err = tx.statGroups(ctx, n, `SELECT region, COUNT(*) FROM persons WHERE `+where+`
			AND birth <= ? AND (death IS NULL OR death > ?) AND moved_to = '' GROUP BY region`, append(args, last, last)...); err != nil {
			return nil, fmt.Errorf("population of %s: %w", reg, err)
		}
		if f.Places, err = tx.statGroups(ctx, n, `SELECT region, SUM(places) FROM childcare_institutions WHERE `+where+`
			AND filed <= ? AND (closed IS NULL OR closed > ?) GROUP BY region`, append(args, last, last)...); err != nil {
			return nil, fmt.Errorf("childcare places of %s: %w", reg, err)
		}
	}
	return f, nil
}

// statBirths reads the births within reg between from and to, each with
// the mother's statistical parity: the rank of the birth among her
// children by birth, by day and then id (twins count one after the
// other). The mothers' children are ranked once, in one window.
func (tx *Tx) statBirths(ctx context.Context, reg region.Code, from, to date.Date) ([]stats.Birth, error) {
	where, args := statScope("c.", reg)
	rows, err := tx.Query(ctx, `WITH b AS (
			SELECT c.county, c.id, c.sex, c.region, c.birth, (
				SELECT pc.parent_id FROM parent_child pc JOIN persons mo ON mo.county = pc.county AND mo.id = pc.parent_id
				WHERE pc.county = c.county AND pc.child_id = c.id AND pc.kind = 'birth' AND mo.sex = 'F' ORDER BY pc.parent_id LIMIT 1) AS mother
			FROM persons c WHERE `+where+` AND c.birth >= ? AND c.birth <= ?),
		k AS (
			SELECT o.county, o.parent_id, o.child_id, ROW_NUMBER() OVER (PARTITION BY o.county, o.parent_id ORDER BY s.birth, s.id) AS parity
			FROM parent_child o JOIN persons s ON s.county = o.county AND s.id = o.child_id
			WHERE o.kind = 'birth' AND (o.county, o.parent_id) IN (SELECT county, mother FROM b WHERE mother IS NOT NULL))
		SELECT b.county, b.id, b.sex, b.region, b.birth, COALESCE(k.parity, 0) FROM b
		LEFT JOIN k ON k.county = b.county AND k.parent_id = b.mother AND k.child_id = b.id
		ORDER BY b.birth, b.county, b.id`, append(args, from, to)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.Birth
	for rows.Next() {
		var b stats.Birth
		if err := rows.Scan(&b.County, &b.ID, &b.Sex, &b.Region, &b.Born, &b.Parity); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func (tx *Tx) statEvents(ctx context.Context, q string, args ...any) ([]stats.Event, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.Event
	for rows.Next() {
		var e stats.Event
		if err := rows.Scan(&e.County, &e.ID, &e.Region, &e.Day, &e.Ref); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// statMoves reads the hukou changes of month [first, last] in reg's
// counties from or to a division within reg: a spell opened that month
// right after one closed the day before.
func (tx *Tx) statMoves(ctx context.Context, reg region.Code, first, last date.Date) ([]stats.Move, error) {
	where, args := countyClause("n.", reg)
	rows, err := tx.Query(ctx, `SELECT n.county, n.person_id, o.region, n.region, n.from_date, o.to_date FROM hukou_spells n
		JOIN hukou_spells o ON o.county = n.county AND o.person_id = n.person_id AND o.id <> n.id
		WHERE `+where+` AND n.from_date >= ? AND n.from_date <= ? AND o.to_date >= ? AND o.to_date < ?
		ORDER BY n.from_date, n.county, n.person_id, n.id`, append(args, first, last, first.AddDays(-1), last)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.Move
	for rows.Next() {
		var mv stats.Move
		var to date.Date
		if err := rows.Scan(&mv.County, &mv.ID, &mv.From, &mv.To, &mv.Day, &to); err != nil {
			return nil, err
		}
		if to != mv.Day.AddDays(-1) || mv.From == "" || mv.To == "" || mv.From == mv.To {
			continue
		}
		if reg.Contains(region.Code(mv.From)) || reg.Contains(region.Code(mv.To)) {
			out = append(out, mv)
		}
	}
	return out, rows.Err()
}

func (tx *Tx) statRegistrations(ctx context.Context, reg region.Code, first, last date.Date) ([]stats.Registration, error) {
	where, args := statScope("", reg)
	rows, err := tx.Query(ctx, `SELECT county, id, applicant_id, region, registered, parity FROM birth_registrations
		WHERE `+where+` AND status <> 'cancelled' AND registered >= ? AND registered <= ? ORDER BY registered, county, id`, append(args, first, last)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.Registration
	for rows.Next() {
		var g stats.Registration
		if err := rows.Scan(&g.County, &g.ID, &g.Applicant, &g.Region, &g.Day, &g.Parity); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// statPaid sums the ledger's lines the bank paid in [first, last] within
// reg, by program and unit.
func (tx *Tx) statPaid(ctx context.Context, reg region.Code, first, last date.Date) ([]stats.Paid, error) {
	where, args := statScope("", reg)
	n := fmt.Sprint(paidDigits(reg))
	rows, err := tx.Query(ctx, `SELECT program, substr(region, 1, `+n+`), COUNT(DISTINCT person_id), SUM(amount_fen), SUM(central_fen), SUM(province_fen),
		SUM(city_fen), SUM(county_fen) FROM payment_lines WHERE `+where+` AND status = 'paid' AND paid_on >= ? AND paid_on <= ?
		GROUP BY program, substr(region, 1, `+n+`) ORDER BY 1, 2`, append(args, first, last)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.Paid
	for rows.Next() {
		var p stats.Paid
		var a, c, pr, ci, co int64
		if err := rows.Scan(&p.Program, &p.Region, &p.Persons, &a, &c, &pr, &ci, &co); err != nil {
			return nil, err
		}
		p.Region = unitCode(p.Region)
		p.Amount, p.Split = money.Fen(a), [4]money.Fen{money.Fen(c), money.Fen(pr), money.Fen(ci), money.Fen(co)}
		out = append(out, p)
	}
	return out, rows.Err()
}

// paidDigits is how many digits of the division the money of reg's
// report is summed by: the whole division for a county and below (so that
// stats can resolve the codes of divisions that changed; a person is paid
// in one division), the units' digits above.
func paidDigits(reg region.Code) int {
	if reg.Level() >= region.County {
		return 12
	}
	return unitDigits(reg)
}

// statGroups reads pairs of a division and a count, summed by the
// division's first n digits (a unit's code, padded).
func (tx *Tx) statGroups(ctx context.Context, digits int, q string, args ...any) (map[string]int64, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var v sql.NullInt64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if len(k) > digits {
			k = k[:digits]
		}
		out[unitCode(k)] += v.Int64
	}
	return out, rows.Err()
}

// PaidPersons lists the persons within scope the bank paid for program
// ("all": any) between from and to (stats.Store).
func (tx *Tx) PaidPersons(ctx context.Context, scope region.Code, program string, from, to date.Date) ([]stats.Ref, error) {
	where, args := statScope("", scope)
	if program != "all" {
		where += " AND program = ?"
		args = append(args, program)
	}
	args = append(args, from, to)
	rows, err := tx.Query(ctx, `SELECT DISTINCT county, person_id FROM payment_lines WHERE `+where+` AND status = 'paid'
		AND paid_on >= ? AND paid_on <= ? ORDER BY county, person_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.Ref
	for rows.Next() {
		var r stats.Ref
		if err := rows.Scan(&r.County, &r.ID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PersonsByRefs returns the persons of refs within scope, in refs' order;
// a person outside scope (or gone) is left out.
func (tx *Tx) PersonsByRefs(ctx context.Context, scope region.Code, refs []stats.Ref) ([]registry.Record, error) {
	where, sargs := scopeClause("", scope)
	byCounty := map[string][]any{}
	var counties []string
	for _, r := range refs {
		if _, ok := byCounty[r.County]; !ok {
			counties = append(counties, r.County)
		}
		byCounty[r.County] = append(byCounty[r.County], r.ID)
	}
	got := map[stats.Ref]registry.Record{}
	for _, c := range counties {
		ids := byCounty[c]
		recs, err := tx.persons(ctx, `SELECT `+personColumns+` FROM persons WHERE county = ? AND id IN (`+placeholders(len(ids))+`) AND `+where,
			append(append([]any{c}, ids...), sargs...)...)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			got[stats.Ref{County: r.County, ID: r.ID}] = r
		}
	}
	out := make([]registry.Record, 0, len(refs))
	for _, r := range refs {
		if p, ok := got[r]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

const reportColumns = `county, region, month, status, version, snapshot, submitted_by, submitted_name, submitted_at,
	decided_by, decided_name, decided_at, note`

func scanApproval(s scanner) (*stats.Approval, error) {
	var x stats.Approval
	var snap string
	var sub, dec any
	if err := s.Scan(&x.County, &x.Region, &x.Month, &x.Status, &x.Version, &snap, &x.SubmittedBy, &x.SubmittedName, &sub,
		&x.DecidedBy, &x.DecidedName, &dec, &x.Note); err != nil {
		return nil, err
	}
	var err error
	if x.SubmittedAt, err = timeValue(sub); err != nil {
		return nil, err
	}
	if x.DecidedAt, err = timeValue(dec); err != nil {
		return nil, err
	}
	if snap != "" {
		x.Snapshot = &stats.Report{}
		if err := json.Unmarshal([]byte(snap), x.Snapshot); err != nil {
			return nil, fmt.Errorf("snapshot of %s %s: %w", x.Region, x.Month, err)
		}
	}
	return &x, nil
}

func (tx *Tx) queryApprovals(ctx context.Context, q string, args ...any) ([]stats.Approval, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.Approval
	for rows.Next() {
		x, err := scanApproval(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *x)
	}
	return out, rows.Err()
}

func approvalCounty(reg string) string {
	if len(reg) > 6 {
		return reg[:6]
	}
	return reg
}

// ReportApproval returns the approval of reg's report of m, nil when
// there is none (stats.Store).
func (tx *Tx) ReportApproval(ctx context.Context, reg string, m stats.Month) (*stats.Approval, error) {
	x, err := scanApproval(tx.QueryRow(ctx, `SELECT `+reportColumns+` FROM stat_reports WHERE county = ? AND region = ? AND month = ?`,
		approvalCounty(reg), reg, m.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return x, err
}

// ReportApprovals returns the approvals of regs' reports of m, by region
// (stats.Store).
func (tx *Tx) ReportApprovals(ctx context.Context, regs []string, m stats.Month) ([]stats.Approval, error) {
	if len(regs) == 0 {
		return nil, nil
	}
	args := []any{m.String()}
	for _, r := range regs {
		args = append(args, r)
	}
	return tx.queryApprovals(ctx, `SELECT `+reportColumns+` FROM stat_reports WHERE month = ? AND region IN (`+placeholders(len(regs))+`)
		ORDER BY region`, args...)
}

// ReportHistory returns the approvals of reg's reports from month from to
// month to (stats.Store).
func (tx *Tx) ReportHistory(ctx context.Context, reg string, from, to stats.Month) ([]stats.Approval, error) {
	return tx.queryApprovals(ctx, `SELECT `+reportColumns+` FROM stat_reports WHERE county = ? AND region = ? AND month >= ? AND month <= ?
		ORDER BY month`, approvalCounty(reg), reg, from.String(), to.String())
}

// SaveReportApproval writes x: a new row at version 1, else over version
// x.Version-1 (stats.Store).
func (tx *Tx) SaveReportApproval(ctx context.Context, x *stats.Approval) error {
	snap := ""
	if x.Snapshot != nil {
		b, err := json.Marshal(x.Snapshot)
		if err != nil {
			return err
		}
		snap = string(b)
	}
	sub, dec := optTime(x.SubmittedAt), optTime(x.DecidedAt)
	if x.Version == 1 {
		_, err := tx.Exec(ctx, `INSERT INTO stat_reports (`+reportColumns+`) VALUES (`+placeholders(13)+`)`,
			x.County, x.Region, x.Month, x.Status, x.Version, snap, x.SubmittedBy, x.SubmittedName, sub, x.DecidedBy, x.DecidedName, dec, x.Note)
		if IsUniqueViolation(err) {
			return apperr.Conflictf("月报已被他人处理，请刷新后重试", "the report was changed meanwhile: reload it")
		}
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE stat_reports SET status = ?, version = ?, snapshot = ?, submitted_by = ?, submitted_name = ?, submitted_at = ?,
		decided_by = ?, decided_name = ?, decided_at = ?, note = ? WHERE county = ? AND region = ? AND month = ? AND version = ?`,
		x.Status, x.Version, snap, x.SubmittedBy, x.SubmittedName, sub, x.DecidedBy, x.DecidedName, dec, x.Note,
		x.County, x.Region, x.Month, x.Version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("月报已被他人处理，请刷新后重试", "the report was changed meanwhile: reload it")
	}
	return nil
}

// Revisions lists the revisions recorded for reg's months, by month,
// figure and order of finding (stats.Store).
func (tx *Tx) Revisions(ctx context.Context, reg string) ([]stats.Revision, error) {
	rows, err := tx.Query(ctx, `SELECT month, figure, delta, found_in, found_at FROM stat_revisions WHERE county = ? AND region = ?
		ORDER BY month, figure, seq`, approvalCounty(reg), reg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stats.Revision
	for rows.Next() {
		var r stats.Revision
		var at any
		if err := rows.Scan(&r.Month, &r.Figure, &r.Delta, &r.In, &at); err != nil {
			return nil, err
		}
		if r.Found, err = timeValue(at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddRevisions records revisions of reg's months (stats.Store).
func (tx *Tx) AddRevisions(ctx context.Context, county, reg string, rs []stats.Revision) error {
	for _, r := range rs {
		var seq int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM stat_revisions WHERE county = ? AND region = ? AND month = ? AND figure = ?`,
			county, reg, r.Month, r.Figure).Scan(&seq); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO stat_revisions (county, region, month, figure, seq, delta, found_in, found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			county, reg, r.Month, r.Figure, seq, r.Delta, r.In, ts(r.Found)); err != nil {
			return err
		}
	}
	return nil
}

// optTime writes a time that may be zero as NULL.
func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// QualityFacts reads the issues of the registry's checks within reg as of
// day last (stats.Checks), and the living residents by unit then.
func (tx *Tx) QualityFacts(ctx context.Context, reg region.Code, last date.Date) ([]stats.Issue, map[string]int64, error) {
	where, args := statScope("", reg)
	pw, pargs := statScope("p.", reg)
	alive := ` AND birth <= ? AND (death IS NULL OR death > ?) AND moved_to = ''`
	var out []stats.Issue
	add := func(check, q string, a ...any) error {
		rows, err := tx.Query(ctx, q, a...)
		if err != nil {
			return fmt.Errorf("quality check %s: %w", check, err)
		}
		defer rows.Close()
		for rows.Next() {
			is := stats.Issue{Check: check}
			if err := rows.Scan(&is.County, &is.ID, &is.Region); err != nil {
				return err
			}
			out = append(out, is)
		}
		return rows.Err()
	}
	with := func(extra ...any) []any { return append(append(append([]any{}, args...), last, last), extra...) }
	if err := add(stats.CheckNoID, `SELECT county, id, region FROM persons WHERE `+where+alive+` AND id_number IS NULL ORDER BY county, id`, with()...); err != nil {
		return nil, nil, err
	}
	if err := add(stats.CheckNoVillage, `SELECT county, id, region FROM persons WHERE `+where+alive+` AND region LIKE '%000' ORDER BY county, id`, with()...); err != nil {
		return nil, nil, err
	}
	if err := add(stats.CheckOld, `SELECT county, id, region FROM persons WHERE `+where+alive+` AND birth <= ? ORDER BY county, id`,
		with(last.AddMonths(-12*stats.OldYears))...); err != nil {
		return nil, nil, err
	}
	if err := add(stats.CheckStale, `SELECT county, id, region FROM persons WHERE `+where+alive+` AND updated_at < ? ORDER BY county, id`,
		with(ts(last.AddMonths(-12*stats.StaleYears).Time()))...); err != nil {
		return nil, nil, err
	}
	cw, cargs := countyClause("", reg)
	if err := add(stats.CheckDuplicate, `SELECT p.county, p.id, p.region FROM persons p JOIN (SELECT county, name, sex, birth FROM persons WHERE `+cw+`
		GROUP BY county, name, sex, birth HAVING COUNT(*) > 1) d ON d.county = p.county AND d.name = p.name AND d.sex = p.sex AND d.birth = p.birth
		WHERE `+pw+` ORDER BY p.county, p.name, p.id`, append(cargs, pargs...)...); err != nil {
		return nil, nil, err
	}
	rw, rargs := statScope("r.", reg)
	if err := add(stats.CheckDeadOnRoll, `SELECT DISTINCT p.county, p.id, p.region FROM recipients r JOIN persons p ON p.county = r.county AND p.id = r.person_id
		WHERE `+rw+` AND r.status = 'active' AND p.death IS NOT NULL AND p.death <= ? ORDER BY p.county, p.id`, append(rargs, last)...); err != nil {
		return nil, nil, err
	}
	// The birth ties whose dates may be wrong, judged exactly in stats.
	fifteen := `date(par.birth, '+15 years')`
	if tx.db.Engine == Postgres {
		fifteen = `par.birth + INTERVAL '15 years'`
	}
	cw2, c2args := statScope("c.", reg)
	rows, err := tx.Query(ctx, `SELECT c.county, c.id, c.region, c.birth, par.sex, par.birth, par.death FROM parent_child pc
		JOIN persons c ON c.county = pc.county AND c.id = pc.child_id JOIN persons par ON par.county = pc.county AND par.id = pc.parent_id
		WHERE `+cw2+` AND pc.kind = 'birth' AND ((par.sex = 'F' AND c.birth < `+fifteen+`) OR (par.death IS NOT NULL AND c.birth > par.death))
		ORDER BY c.county, c.id`, c2args...)
	if err != nil {
		return nil, nil, fmt.Errorf("quality check of births: %w", err)
	}
	var ps []stats.Parenthood
	for rows.Next() {
		var p stats.Parenthood
		if err := rows.Scan(&p.County, &p.Child, &p.Region, &p.ChildBirth, &p.ParentSex, &p.ParentBirth, &p.ParentDeath); err != nil {
			rows.Close()
			return nil, nil, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	out = append(out, stats.ParentIssues(ps)...)
	pop, err := tx.statGroups(ctx, unitDigits(reg), `SELECT region, COUNT(*) FROM persons WHERE `+where+alive+` GROUP BY region`, with()...)
	if err != nil {
		return nil, nil, err
	}
	return out, pop, nil
}

// ReportYear returns the approvals of regs' reports of the months of
// year, without their snapshots.
func (tx *Tx) ReportYear(ctx context.Context, regs []string, year int) ([]stats.Approval, error) {
	if len(regs) == 0 {
		return nil, nil
	}
	args := []any{fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year)}
	for _, r := range regs {
		args = append(args, r)
	}
	return tx.queryApprovals(ctx, `SELECT county, region, month, status, version, '', submitted_by, submitted_name, submitted_at,
		decided_by, decided_name, decided_at, note FROM stat_reports WHERE month >= ? AND month <= ? AND region IN (`+placeholders(len(regs))+`)
		ORDER BY region, month`, args...)
}

// PaymentProgress counts, by unit of reg, the persons on a roll (active,
// started by year) and those the bank paid for a period of year by day by.
func (tx *Tx) PaymentProgress(ctx context.Context, reg region.Code, year int, by date.Date) (due, paid map[string]int64, err error) {
	where, args := statScope("", reg)
	n := unitDigits(reg)
	if due, err = tx.statGroups(ctx, n, `SELECT region, COUNT(DISTINCT person_id) FROM recipients WHERE `+where+`
		AND status = 'active' AND start_year <= ? GROUP BY region`, append(args, year)...); err != nil {
		return nil, nil, fmt.Errorf("roll of %s: %w", reg, err)
	}
	if paid, err = tx.statGroups(ctx, n, `SELECT region, COUNT(DISTINCT person_id) FROM payment_lines WHERE `+where+`
		AND status = 'paid' AND period LIKE ? AND paid_on <= ? GROUP BY region`, append(args, fmt.Sprintf("%04d%%", year), by)...); err != nil {
		return nil, nil, fmt.Errorf("payments of %s: %w", reg, err)
	}
	return due, paid, nil
}

// AgeSex counts the persons within reg alive on day on by birth day and
// sex (stats.BuildPyramid bands them).
func (tx *Tx) AgeSex(ctx context.Context, reg region.Code, on date.Date) ([]stats.AgeSex, error) {
	where, args := statScope("", reg)
	rows, err := tx.Query(ctx, `SELECT birth, sex, COUNT(*) FROM persons WHERE `+where+` AND birth <= ? AND (death IS NULL OR death > ?) AND moved_to = ''
		GROUP BY birth, sex`, append(args, on, on)...)
	if err != nil {
		return nil, fmt.Errorf("ages of %s: %w", reg, err)
	}
	defer rows.Close()
	var out []stats.AgeSex
	for rows.Next() {
		var r stats.AgeSex
		if err := rows.Scan(&r.Birth, &r.Sex, &r.N); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
