package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
)

// PolicyLayers returns the rule layers regions have added and not
// withdrawn, in region and version order.
func (tx *Tx) PolicyLayers(ctx context.Context) ([]policy.Layer, error) {
	rows, err := tx.Query(ctx, `SELECT region, version, body FROM policy_layers WHERE withdrawn_at IS NULL ORDER BY region, version`)
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

// InsertPolicyLayer stores layer l, added by actor, with the audit entry
// of its creation. A version must be new for its region (else Conflict).
// Who may add which layer, and whether it fits the rules in force, is
// decided before (policy.CanEditLayer, policy.ValidateRuleSet).
func (tx *Tx) InsertPolicyLayer(ctx context.Context, actor auth.Actor, l *policy.Layer) error {
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
		return fmt.Errorf("insert policy layer: %w", err)
	}
	county := ""
	if len(l.Region) == 6 {
		county = l.Region
	}
	return tx.Audit(ctx, audit.Entry{County: county, UserID: actor.UserID, Username: actor.Username,
		Action: "policy.layer.create", Entity: "policy_layer", EntityID: l.Region + "@" + strconv.Itoa(l.Version),
		Region: l.Region, After: string(body)})
}

// ClearDeterminations deletes the year's determinations of the persons of
// county, or of those whose region starts with scope when it is set.
func (tx *Tx) ClearDeterminations(ctx context.Context, county, scope string, year int) error {
	var err error
	if scope == "" {
		_, err = tx.Exec(ctx, `DELETE FROM determinations WHERE county = ? AND year = ?`, county, year)
	} else {
		_, err = tx.Exec(ctx, `DELETE FROM determinations WHERE county = ? AND year = ? AND person_id IN
			(SELECT id FROM persons WHERE county = ? AND region LIKE ?)`, county, year, county, scope+"%")
	}
	if err != nil {
		return fmt.Errorf("clear determinations: %w", err)
	}
	return nil
}

const detCols = 14

// The statement that stores determinations, both ways: its columns (before
// the rows) and what replaces a determination already stored for the same
// person, program and year (after them).
const (
	detInsert = `INSERT INTO determinations (county, year, program, person_id, eligible, amount_fen, months,
			central_fen, province_fen, city_fen, county_fen, rule_version, evaluated_at, explanation) `
	detReplace = ` ON CONFLICT (county, year, program, person_id) DO UPDATE SET eligible = excluded.eligible,
			amount_fen = excluded.amount_fen, months = excluded.months, central_fen = excluded.central_fen,
			province_fen = excluded.province_fen, city_fen = excluded.city_fen, county_fen = excluded.county_fen,
			rule_version = excluded.rule_version, evaluated_at = excluded.evaluated_at, explanation = excluded.explanation`
)

// InsertDeterminations writes ds, stamped with the transaction's time, in
// multi-row statements of 1,000 rows (on PostgreSQL, columns of arrays:
// insertDeterminationsPG); a determination already stored for the same
// person, program and year is replaced.
func (tx *Tx) InsertDeterminations(ctx context.Context, ds []policy.Determination) error {
	if tx.db.Engine == Postgres {
		return tx.insertDeterminationsPG(ctx, ds)
	}
	const per = 1000 // rows per statement: 14,000 parameters
	now := ts(tx.now)
	args := make([]any, 0, min(per, len(ds))*detCols)
	var b strings.Builder
	for len(ds) > 0 {
		n := min(per, len(ds))
		b.Reset()
		b.WriteString(detInsert + `VALUES `)
		args = args[:0]
		for i, d := range ds[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			var ex any
			if d.Explanation != "" {
				ex = d.Explanation
			}
			args = append(args, d.County, d.Year, d.Program, d.PersonID, d.Eligible, d.AmountFen, d.Months,
				d.Funding[0], d.Funding[1], d.Funding[2], d.Funding[3], d.RuleVersion, now, ex)
		}
		b.WriteString(detReplace)
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert determinations: %w", err)
		}
		ds = ds[n:]
	}
	return nil
}

// insertDeterminationsPG is InsertDeterminations on PostgreSQL: each
// column is sent as one array and the rows are unnested from them, a few
// thousand a statement. The server binds fourteen values a statement, not
// fourteen a row, which cost it more than storing the rows.
func (tx *Tx) insertDeterminationsPG(ctx context.Context, ds []policy.Determination) error {
	const per = 5000
	var (
		county, program, version []string
		year, months             []int32
		person, amount           []int64
		funding                  [4][]int64
		eligible                 []bool
		explanation              []*string
	)
	for len(ds) > 0 {
		n := min(per, len(ds))
		county, program, version = county[:0], program[:0], version[:0]
		year, months, person, amount = year[:0], months[:0], person[:0], amount[:0]
		eligible, explanation = eligible[:0], explanation[:0]
		for i := range funding {
			funding[i] = funding[i][:0]
		}
		for i := range ds[:n] {
			d := &ds[i]
			county, program, version = append(county, d.County), append(program, d.Program), append(version, d.RuleVersion)
			year, months = append(year, int32(d.Year)), append(months, int32(d.Months))
			person, amount, eligible = append(person, d.PersonID), append(amount, d.AmountFen), append(eligible, d.Eligible)
			for l := range funding {
				funding[l] = append(funding[l], d.Funding[l])
			}
			var ex *string
			if d.Explanation != "" {
				ex = &d.Explanation
			}
			explanation = append(explanation, ex)
		}
		if _, err := tx.Exec(ctx, detInsert+`SELECT c, y, p, id, e, a, m, f0, f1, f2, f3, v, ?::timestamptz, x
			FROM unnest(?::text[], ?::integer[], ?::text[], ?::bigint[], ?::boolean[], ?::bigint[], ?::integer[],
				?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[]) AS r(c, y, p, id, e, a, m, f0, f1, f2, f3, v, x)`+detReplace,
			ts(tx.now), county, year, program, person, eligible, amount, months,
			funding[0], funding[1], funding[2], funding[3], version, explanation); err != nil {
			return fmt.Errorf("insert determinations: %w", err)
		}
		ds = ds[n:]
	}
	return nil
}

// Determinations returns the stored determinations of a person.
func (tx *Tx) Determinations(ctx context.Context, county string, personID int64, year int) ([]policy.Determination, error) {
	rows, err := tx.Query(ctx, `SELECT county, year, program, person_id, eligible, amount_fen, months, central_fen, province_fen,
		city_fen, county_fen, rule_version, explanation FROM determinations WHERE county = ? AND person_id = ? AND year = ? ORDER BY program`,
		county, personID, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []policy.Determination
	for rows.Next() {
		var d policy.Determination
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

// PersonCounties returns the counties that have persons in the registry.
func (tx *Tx) PersonCounties(ctx context.Context) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT county FROM persons ORDER BY county`)
	if err != nil {
		return nil, fmt.Errorf("person counties: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PolicyStamp returns a short text that changes whenever the stored rule
// layers change (one is added or withdrawn), so that compiled rules can be reused until then.
func (tx *Tx) PolicyStamp(ctx context.Context) (string, error) {
	var n, w int
	var last, lastW sql.NullString
	err := tx.QueryRow(ctx, `SELECT COUNT(*), MAX(created_at), COUNT(withdrawn_at), MAX(withdrawn_at) FROM policy_layers`).Scan(&n, &last, &w, &lastW)
	if err != nil {
		return "", fmt.Errorf("policy stamp: %w", err)
	}
	return strconv.Itoa(n) + "/" + last.String + "/" + strconv.Itoa(w) + "/" + lastW.String, nil
}

// WithdrawPolicyLayer takes the stored layer region@version out of force,
// recording who withdrew it, when and why, and the version that
// supersedes it (0 for none), with the audit entry of the withdrawal in
// the same transaction. A layer not stored is NotFound; one already
// withdrawn is a Conflict. Who may withdraw it, and whether the rules
// still hold without it, is decided before.
func (tx *Tx) WithdrawPolicyLayer(ctx context.Context, actor auth.Actor, region string, version int, reason string, supersededBy int) error {
	var body string
	var withdrawn sql.NullString
	err := tx.QueryRow(ctx, `SELECT body, withdrawn_at FROM policy_layers WHERE region = ? AND version = ?`, region, version).Scan(&body, &withdrawn)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("没有这一版规则", "there is no stored rule layer %s@%d", region, version)
	}
	if err != nil {
		return fmt.Errorf("policy layer: %w", err)
	}
	if withdrawn.Valid {
		return apperr.Conflictf("这一版规则已经撤回", "rule layer %s@%d has already been withdrawn", region, version)
	}
	var sup any
	if supersededBy > 0 {
		sup = supersededBy
	}
	if _, err := tx.Exec(ctx, `UPDATE policy_layers SET withdrawn_at = ?, withdrawn_by = ?, withdrawn_by_name = ?, withdraw_reason = ?, superseded_by = ?
		WHERE region = ? AND version = ?`, ts(tx.now), actor.UserID, actor.Username, reason, sup, region, version); err != nil {
		return fmt.Errorf("withdraw policy layer: %w", err)
	}
	after, err := json.Marshal(map[string]any{"withdrawn": true, "reason": reason, "superseded_by": supersededBy})
	if err != nil {
		return err
	}
	county := ""
	if len(region) == 6 {
		county = region
	}
	action := "policy.layer.withdraw"
	if supersededBy > 0 {
		action = "policy.layer.supersede"
	}
	return tx.Audit(ctx, audit.Entry{County: county, UserID: actor.UserID, Username: actor.Username,
		Action: action, Entity: "policy_layer", EntityID: region + "@" + strconv.Itoa(version),
		Region: region, Before: body, After: string(after)})
}
