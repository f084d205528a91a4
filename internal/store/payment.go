package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
)

var _ payment.Store = (*Tx)(nil)

// inChunk bounds the ids inlined in one IN list.
const inChunk = 5000

// chunks splits ids into slices of at most inChunk.
func chunks(ids []int64) [][]int64 {
	var out [][]int64
	for len(ids) > 0 {
		n := min(len(ids), inChunk)
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	return out
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func timePtr(v any) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	t, err := timeValue(v)
	if err != nil || t.IsZero() {
		return nil, err
	}
	return &t, nil
}

// PaymentParams returns the county's stored payment parameters.
func (tx *Tx) PaymentParams(ctx context.Context, county string) (map[string]string, error) {
	rows, err := tx.Query(ctx, `SELECT name, value FROM payment_params WHERE county = ?`, county)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SavePaymentParams stores the values for the county.
func (tx *Tx) SavePaymentParams(ctx context.Context, county string, values map[string]string, by int64) error {
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		_, err := tx.Exec(ctx, `INSERT INTO payment_params (county, name, value, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (county, name) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			county, k, values[k], by, ts(tx.now))
		if err != nil {
			return fmt.Errorf("save payment parameter %s: %w", k, err)
		}
	}
	return nil
}

const accountColumns = `county, person_id, bank, kind, account_no, holder, version, updated_by, created_at, updated_at`

func (tx *Tx) scanAccount(s scanner) (payment.Account, error) {
	var a payment.Account
	var created, updated any
	err := s.Scan(&a.County, &a.PersonID, &a.Bank, &a.Kind, &a.Number, &a.Holder, &a.Version, &a.UpdatedBy, &created, &updated)
	if err != nil {
		return a, err
	}
	if a.Number, err = tx.open(a.Number, accountAAD(a.County, a.PersonID)); err != nil {
		return a, err
	}
	if a.CreatedAt, err = timeValue(created); err != nil {
		return a, err
	}
	a.UpdatedAt, err = timeValue(updated)
	return a, err
}

// BankAccount returns the person's payment account.
func (tx *Tx) BankAccount(ctx context.Context, county string, personID int64) (*payment.Account, error) {
	a, err := tx.scanAccount(tx.QueryRow(ctx, `SELECT `+accountColumns+` FROM bank_accounts WHERE county = ? AND person_id = ?`, county, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("此人尚未登记发放账户", "the person has no payment account")
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// SaveBankAccount inserts a (Version 1) or updates it over Version-1. The
// account number is stored encrypted.
func (tx *Tx) SaveBankAccount(ctx context.Context, a *payment.Account) error {
	if tx.db.keys == nil {
		return errNoKeys
	}
	number := tx.db.keys.Seal(a.Number, accountAAD(a.County, a.PersonID))
	if a.Version == 1 {
		_, err := tx.Exec(ctx, `INSERT INTO bank_accounts (`+accountColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.County, a.PersonID, a.Bank, a.Kind, number, a.Holder, a.Version, a.UpdatedBy, ts(a.CreatedAt), ts(a.UpdatedAt))
		if IsUniqueViolation(err) {
			return apperr.Conflictf("账户已被他人登记，请刷新后重试", "the account was registered by someone else; reload and try again")
		}
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE bank_accounts SET bank = ?, kind = ?, account_no = ?, holder = ?, version = ?, updated_by = ?,
		updated_at = ? WHERE county = ? AND person_id = ? AND version = ?`,
		a.Bank, a.Kind, number, a.Holder, a.Version, a.UpdatedBy, ts(a.UpdatedAt), a.County, a.PersonID, a.Version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("账户已被他人修改，请刷新后重试", "the account was changed by someone else; reload and try again")
	}
	return nil
}

// BankAccounts returns the accounts of those of personIDs that have one.
func (tx *Tx) BankAccounts(ctx context.Context, county string, personIDs []int64) (map[int64]payment.Account, error) {
	out := map[int64]payment.Account{}
	for _, ids := range chunks(personIDs) {
		in, args := tx.oneOf(ids)
		rows, err := tx.Query(ctx, `SELECT `+accountColumns+` FROM bank_accounts WHERE county = ? AND person_id `+in, append([]any{county}, args...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			a, err := tx.scanAccount(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[a.PersonID] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PaymentPersonStates returns name, ID number, death and payment hold of persons.
func (tx *Tx) PaymentPersonStates(ctx context.Context, county string, personIDs []int64) (map[int64]payment.PersonState, error) {
	out := map[int64]payment.PersonState{}
	for _, ids := range chunks(personIDs) {
		in, args := tx.oneOf(ids)
		rows, err := tx.Query(ctx, `SELECT p.id, p.name, p.id_number, p.death, p.death_source, h.reason
			FROM persons p LEFT JOIN payment_holds h ON h.county = p.county AND h.person_id = p.id
			WHERE p.county = ? AND p.id `+in, append([]any{county}, args...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var st payment.PersonState
			var idn, hold sql.NullString
			if err := rows.Scan(&id, &st.Name, &idn, &st.Death, &st.DeathSource, &hold); err != nil {
				rows.Close()
				return nil, err
			}
			if st.IDNumber, err = tx.openIDNumber(county, id, idn.String); err != nil {
				rows.Close()
				return nil, err
			}
			st.Hold = hold.String
			out[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetPaymentHold raises or replaces the payment hold on a person.
func (tx *Tx) SetPaymentHold(ctx context.Context, county string, personID int64, reason string, by int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO payment_holds (county, person_id, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (county, person_id) DO UPDATE SET reason = excluded.reason, created_by = excluded.created_by, created_at = excluded.created_at`,
		county, personID, reason, by, ts(tx.now))
	return err
}

// ClearPaymentHold lifts the payment hold on a person, if any.
func (tx *Tx) ClearPaymentHold(ctx context.Context, county string, personID int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM payment_holds WHERE county = ? AND person_id = ?`, county, personID)
	return err
}

const cycleColumns = `county, id, program, period, line_count, total_fen, created_by, created_by_name, created_at`

func scanCycle(s scanner) (payment.Cycle, error) {
	var c payment.Cycle
	var period string
	var total int64
	var created any
	if err := s.Scan(&c.County, &c.ID, &c.Program, &period, &c.Lines, &total, &c.CreatedBy, &c.CreatedByName, &created); err != nil {
		return c, err
	}
	p, err := payment.ParsePeriod(period)
	if err != nil {
		return c, fmt.Errorf("cycle %d: %w", c.ID, err)
	}
	c.Period, c.Total = p, money.Fen(total)
	c.CreatedAt, err = timeValue(created)
	return c, err
}

// PaymentCycles returns the county's cycles matching f, in id order.
func (tx *Tx) PaymentCycles(ctx context.Context, county string, f payment.CycleFilter) ([]payment.Cycle, error) {
	where, args := []string{"county = ?"}, []any{county}
	if f.Program != "" {
		where, args = append(where, "program = ?"), append(args, f.Program)
	}
	if f.Year != 0 {
		where, args = append(where, "period LIKE ?"), append(args, fmt.Sprintf("%04d%%", f.Year))
	}
	rows, err := tx.Query(ctx, `SELECT `+cycleColumns+` FROM payment_cycles WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payment.Cycle
	for rows.Next() {
		c, err := scanCycle(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PaymentCycle returns one cycle.
func (tx *Tx) PaymentCycle(ctx context.Context, county string, id int64) (*payment.Cycle, error) {
	c, err := scanCycle(tx.QueryRow(ctx, `SELECT `+cycleColumns+` FROM payment_cycles WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("发放周期 %d 不存在", "no payment cycle %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// InsertPaymentCycle writes a new cycle. A second cycle for the same county,
// program and period is a Conflict.
func (tx *Tx) InsertPaymentCycle(ctx context.Context, c *payment.Cycle) error {
	_, err := tx.Exec(ctx, `INSERT INTO payment_cycles (`+cycleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.County, c.ID, c.Program, c.Period.String(), c.Lines, int64(c.Total), c.CreatedBy, c.CreatedByName, ts(c.CreatedAt))
	if IsUniqueViolation(err) {
		return &apperr.Error{Kind: apperr.Conflict, ZH: fmt.Sprintf("%s %s 已生成发放周期", c.Program, c.Period),
			EN: fmt.Sprintf("a payment cycle for %s %s already exists", c.Program, c.Period), Err: err}
	}
	return err
}

// AddToPaymentCycle adds lines lines and total fen to a cycle's counts.
func (tx *Tx) AddToPaymentCycle(ctx context.Context, county string, id int64, lines int, total money.Fen) error {
	res, err := tx.Exec(ctx, `UPDATE payment_cycles SET line_count = line_count + ?, total_fen = total_fen + ? WHERE county = ? AND id = ?`,
		lines, int64(total), county, id)
	if err != nil {
		return fmt.Errorf("add to payment cycle: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.NotFoundf("发放周期 %d 不存在", "no payment cycle %d", id)
	}
	return nil
}

// PaymentRoll returns the program's recipients in the county, any status, with
// the person's name, ID number, death and payment hold.
func (tx *Tx) PaymentRoll(ctx context.Context, county, program string) ([]payment.Recipient, error) {
	rows, err := tx.Query(ctx, `SELECT r.id, r.person_id, r.program, r.tier, r.region, r.confirmed, r.start_year, r.start_month,
			r.status, r.exit_date, r.last_month, r.carried_months, p.name, p.id_number, p.death, p.death_source, h.reason
		FROM recipients r
		JOIN persons p ON p.county = r.county AND p.id = r.person_id
		LEFT JOIN payment_holds h ON h.county = r.county AND h.person_id = r.person_id
		WHERE r.county = ? AND r.program = ?
		ORDER BY r.region, r.person_id`, county, program)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payment.Recipient
	for rows.Next() {
		var r payment.Recipient
		var last sql.NullInt64
		var idn, hold sql.NullString
		if err := rows.Scan(&r.ID, &r.PersonID, &r.Program, &r.Tier, &r.Region, &r.Confirmed, &r.StartYear, &r.StartMonth,
			&r.Status, &r.ExitDate, &last, &r.Carried, &r.Name, &idn, &r.Death, &r.DeathSource, &hold); err != nil {
			return nil, err
		}
		r.LastMonth = -1
		if last.Valid {
			r.LastMonth = int(last.Int64)
		}
		var err error
		if r.IDNumber, err = tx.openIDNumber(county, r.PersonID, idn.String); err != nil {
			return nil, err
		}
		r.Hold = hold.String
		out = append(out, r)
	}
	return out, rows.Err()
}

const lineColumns = `county, id, cycle_id, person_id, recipient_id, program, period, revision, kind, tier, region, months,
	amount_fen, central_fen, province_fen, city_fen, county_fen, note, status, hold_reason, batch_id, paid_on, fail_reason, updated_at`

const lineColumnCount = 24

func scanLine(s scanner) (payment.Line, error) {
	var l payment.Line
	var period, kind, status string
	var amt int64
	var lv [4]int64
	var batch sql.NullInt64
	var updated any
	err := s.Scan(&l.County, &l.ID, &l.CycleID, &l.PersonID, &l.RecipientID, &l.Program, &period, &l.Revision, &kind, &l.Tier,
		&l.Region, &l.Months, &amt, &lv[0], &lv[1], &lv[2], &lv[3], &l.Note, &status, &l.HoldReason, &batch, &l.PaidOn,
		&l.FailReason, &updated)
	if err != nil {
		return l, err
	}
	if l.Period, err = payment.ParsePeriod(period); err != nil {
		return l, fmt.Errorf("line %d: %w", l.ID, err)
	}
	l.Kind, l.Status, l.Amount, l.BatchID = payment.LineKind(kind), payment.Status(status), money.Fen(amt), batch.Int64
	for i, v := range lv {
		l.Split[i] = money.Fen(v)
	}
	l.UpdatedAt, err = timeValue(updated)
	return l, err
}

// PaymentLines returns the county's lines matching f, in the order of
// f.Sort (one of payment.LineSortKeys; "" for region) then region, person,
// period, revision and id.
func (tx *Tx) PaymentLines(ctx context.Context, county string, f payment.LineFilter) ([]payment.Line, error) {
	order, err := lineSorts.orderBy(tx.Engine(), f.Sort, f.Desc)
	if err != nil {
		return nil, err
	}
	where, args := lineWhere("l.", county, f)
	from := ` FROM payment_lines l`
	if f.Sort == payment.LineSortName {
		from += ` JOIN persons p ON p.county = l.county AND p.id = l.person_id`
	}
	q := `SELECT ` + prefixed("l.", lineColumns) + from + ` WHERE ` + where + order
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payment.Line
	for rows.Next() {
		l, err := scanLine(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// lineWhere returns the condition selecting the county's lines that match
// f (its order, Limit and Offset aside) on payment_lines aliased a ("l."
// or ""), and its arguments.
func lineWhere(a, county string, f payment.LineFilter) (string, []any) {
	where, args := []string{a + "county = ?"}, []any{county}
	if f.CycleID != 0 {
		where, args = append(where, a+"cycle_id = ?"), append(args, f.CycleID)
	}
	if f.BatchID != 0 {
		where, args = append(where, a+"batch_id = ?"), append(args, f.BatchID)
	}
	if f.PersonID != 0 {
		where, args = append(where, a+"person_id = ?"), append(args, f.PersonID)
	}
	if f.Program != "" {
		where, args = append(where, a+"program = ?"), append(args, f.Program)
	}
	if f.Region != "" {
		where, args = append(where, a+"region LIKE ?"), append(args, f.Region+"%")
	}
	if len(f.Periods) > 0 {
		where = append(where, a+"period IN ("+placeholders(len(f.Periods))+")")
		for _, p := range f.Periods {
			args = append(args, p)
		}
	}
	if len(f.Statuses) > 0 {
		where = append(where, a+"status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if len(f.Kinds) > 0 {
		where = append(where, a+"kind IN ("+placeholders(len(f.Kinds))+")")
		for _, k := range f.Kinds {
			args = append(args, string(k))
		}
	}
	return strings.Join(where, " AND "), args
}

// LineCount is how many lines of a status and kind there are.
type LineCount = payment.LineCount

// PaymentLineCounts counts the county's lines matching f (its Limit and
// Offset aside) by status and kind, in status and kind order.
func (tx *Tx) PaymentLineCounts(ctx context.Context, county string, f payment.LineFilter) ([]LineCount, error) {
	where, args := lineWhere("", county, f)
	rows, err := tx.Query(ctx, `SELECT status, kind, COUNT(*), COALESCE(SUM(amount_fen), 0) FROM payment_lines WHERE `+where+
		` GROUP BY status, kind ORDER BY status, kind`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LineCount
	for rows.Next() {
		var c LineCount
		var status, kind string
		var amount int64
		if err := rows.Scan(&status, &kind, &c.Lines, &amount); err != nil {
			return nil, err
		}
		c.Status, c.Kind, c.Amount = payment.Status(status), payment.LineKind(kind), money.Fen(amount)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PaymentLine returns one line.
func (tx *Tx) PaymentLine(ctx context.Context, county string, id int64) (*payment.Line, error) {
	l, err := scanLine(tx.QueryRow(ctx, `SELECT `+lineColumns+` FROM payment_lines WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("发放明细 %d 不存在", "no payment line %d", id)
	}
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// InsertPaymentLines writes new lines in multi-row statements. A second payment
// of the same person, program and period (or a second correction with
// the same revision) is a Conflict: the database refuses it.
func (tx *Tx) InsertPaymentLines(ctx context.Context, lines []payment.Line) error {
	const per = 500
	for len(lines) > 0 {
		n := min(per, len(lines))
		var b strings.Builder
		b.WriteString(`INSERT INTO payment_lines (` + lineColumns + `) VALUES `)
		row := "(" + placeholders(lineColumnCount) + ")"
		args := make([]any, 0, n*lineColumnCount)
		for i, l := range lines[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(row)
			args = append(args, l.County, l.ID, l.CycleID, l.PersonID, l.RecipientID, l.Program, l.Period.String(), l.Revision,
				string(l.Kind), l.Tier, l.Region, l.Months, int64(l.Amount), int64(l.Split[0]), int64(l.Split[1]),
				int64(l.Split[2]), int64(l.Split[3]), l.Note, string(l.Status), l.HoldReason, nullID(l.BatchID), l.PaidOn,
				l.FailReason, ts(l.UpdatedAt))
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			if IsUniqueViolation(err) {
				return &apperr.Error{Kind: apperr.Conflict, ZH: "有人员在该项目该期间已有发放明细，不得重复发放",
					EN: "a person already has a payment line for this program and period: nobody is paid twice", Err: err}
			}
			return fmt.Errorf("insert payment lines: %w", err)
		}
		lines = lines[n:]
	}
	return nil
}

// UpdatePaymentLines sets the state of those of the lines ids whose status
// is one of from, and returns how many it set.
func (tx *Tx) UpdatePaymentLines(ctx context.Context, county string, ids []int64, from []payment.Status, u payment.LineUpdate) (int, error) {
	if len(from) == 0 {
		return 0, nil
	}
	states := make([]any, len(from))
	for i, s := range from {
		states[i] = string(s)
	}
	n := 0
	for _, part := range chunks(ids) {
		in, idArgs := tx.oneOf(part)
		args := slices.Concat([]any{string(u.Status), u.HoldReason, nullID(u.BatchID), u.PaidOn, u.FailReason, ts(u.At), county}, states, idArgs)
		res, err := tx.Exec(ctx, `UPDATE payment_lines SET status = ?, hold_reason = ?, batch_id = ?, paid_on = ?, fail_reason = ?,
			updated_at = ? WHERE county = ? AND status IN (`+placeholders(len(states))+`) AND id `+in, args...)
		if err != nil {
			return n, fmt.Errorf("update payment lines: %w", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, fmt.Errorf("update payment lines: %w", err)
		}
		n += int(k)
	}
	return n, nil
}

const batchColumns = `county, id, kind, cycle_id, bank, status, item_count, total_fen, created_by, created_by_name, created_at,
	approved_by, approved_by_name, approved_at, reconciled_at, recalled_by, recalled_by_name, recalled_at, recall_reason`

func scanBatch(s scanner) (payment.Batch, error) {
	var b payment.Batch
	var cycle, approvedBy, recalledBy sql.NullInt64
	var total int64
	var created, approved, reconciled, recalled any
	err := s.Scan(&b.County, &b.ID, &b.Kind, &cycle, &b.Bank, &b.Status, &b.Count, &total, &b.CreatedBy, &b.CreatedByName,
		&created, &approvedBy, &b.ApprovedByName, &approved, &reconciled, &recalledBy, &b.RecalledByName, &recalled, &b.RecallReason)
	if err != nil {
		return b, err
	}
	b.CycleID, b.ApprovedBy, b.RecalledBy, b.Total = cycle.Int64, approvedBy.Int64, recalledBy.Int64, money.Fen(total)
	if b.RecalledAt, err = timePtr(recalled); err != nil {
		return b, err
	}
	if b.CreatedAt, err = timeValue(created); err != nil {
		return b, err
	}
	if b.ApprovedAt, err = timePtr(approved); err != nil {
		return b, err
	}
	b.ReconciledAt, err = timePtr(reconciled)
	return b, err
}

const itemColumns = `seq, line_id, person_id, name, id_number, bank, account_no, amount_fen, program, period, result, reason, paid_on, result_at`

// PaymentBatch returns a batch with its items in sequence order.
func (tx *Tx) PaymentBatch(ctx context.Context, county string, id int64) (*payment.Batch, error) {
	b, err := scanBatch(tx.QueryRow(ctx, `SELECT `+batchColumns+` FROM payment_batches WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("批次 %d 不存在", "no batch %d", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT `+itemColumns+` FROM payment_batch_items WHERE county = ? AND batch_id = ? ORDER BY seq`, county, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		it, err := tx.scanItem(rows, county, id)
		if err != nil {
			return nil, err
		}
		b.Items = append(b.Items, it)
	}
	return &b, rows.Err()
}

// itemAAD binds an item's encrypted column to its batch and place.
func itemAAD(column, county string, batch int64, seq int) string {
	return fmt.Sprintf("payment_batch_items.%s %s/%d/%d", column, county, batch, seq)
}

// scanItem reads an item of batch (0: the batch is the first column
// scanned, into pre's first destination, an *int64) of county.
func (tx *Tx) scanItem(s scanner, county string, batch int64, pre ...any) (payment.Item, error) {
	var it payment.Item
	var amt int64
	var at any
	dest := append(pre, &it.Seq, &it.LineID, &it.PersonID, &it.Name, &it.IDNumber, &it.Bank, &it.Account, &amt, &it.Program,
		&it.Period, &it.Result, &it.Reason, &it.PaidOn, &at)
	if err := s.Scan(dest...); err != nil {
		return it, err
	}
	if batch == 0 {
		batch = *pre[0].(*int64)
	}
	var err error
	if it.IDNumber, err = tx.open(it.IDNumber, itemAAD("id_number", county, batch, it.Seq)); err != nil {
		return it, err
	}
	if it.Account, err = tx.open(it.Account, itemAAD("account_no", county, batch, it.Seq)); err != nil {
		return it, err
	}
	it.Amount = money.Fen(amt)
	t, err := timeValue(at)
	it.ResultAt = t
	return it, err
}

// PaymentBatches returns the county's batches matching f, without items, newest
// first.
func (tx *Tx) PaymentBatches(ctx context.Context, county string, f payment.BatchFilter) ([]payment.Batch, error) {
	where, args := []string{"county = ?"}, []any{county}
	if f.CycleID != 0 {
		where, args = append(where, "cycle_id = ?"), append(args, f.CycleID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	rows, err := tx.Query(ctx, `SELECT `+batchColumns+` FROM payment_batches WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payment.Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// InsertPaymentBatch writes a batch and its items.
func (tx *Tx) InsertPaymentBatch(ctx context.Context, b *payment.Batch) error {
	_, err := tx.Exec(ctx, `INSERT INTO payment_batches (`+batchColumns+`) VALUES (`+placeholders(19)+`)`,
		b.County, b.ID, b.Kind, nullID(b.CycleID), b.Bank, b.Status, b.Count, int64(b.Total), b.CreatedBy, b.CreatedByName,
		ts(b.CreatedAt), nullID(b.ApprovedBy), b.ApprovedByName, nullTime(b.ApprovedAt), nullTime(b.ReconciledAt),
		nullID(b.RecalledBy), b.RecalledByName, nullTime(b.RecalledAt), b.RecallReason)
	if err != nil {
		return fmt.Errorf("insert batch: %w", err)
	}
	if tx.db.keys == nil {
		return errNoKeys
	}
	const per, cols = 1000, 15
	items := b.Items
	for len(items) > 0 {
		n := min(per, len(items))
		var q strings.Builder
		q.WriteString(`INSERT INTO payment_batch_items (county, batch_id, seq, line_id, person_id, name, id_number, bank, account_no,
			amount_fen, program, period, result, reason, paid_on) VALUES `)
		args := make([]any, 0, n*cols)
		for i, it := range items[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(" + placeholders(cols) + ")")
			args = append(args, b.County, b.ID, it.Seq, it.LineID, it.PersonID, it.Name,
				tx.db.keys.Seal(it.IDNumber, itemAAD("id_number", b.County, b.ID, it.Seq)), it.Bank,
				tx.db.keys.Seal(it.Account, itemAAD("account_no", b.County, b.ID, it.Seq)),
				int64(it.Amount), it.Program, it.Period, it.Result, it.Reason, it.PaidOn)
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert batch items: %w", err)
		}
		items = items[n:]
	}
	return nil
}

// UpdatePaymentBatch writes the status, approval, reconciliation and
// recall fields of a batch still in status from.
func (tx *Tx) UpdatePaymentBatch(ctx context.Context, b *payment.Batch, from string) error {
	res, err := tx.Exec(ctx, `UPDATE payment_batches SET status = ?, approved_by = ?, approved_by_name = ?, approved_at = ?,
		reconciled_at = ?, recalled_by = ?, recalled_by_name = ?, recalled_at = ?, recall_reason = ? WHERE county = ? AND id = ? AND status = ?`,
		b.Status, nullID(b.ApprovedBy), b.ApprovedByName, nullTime(b.ApprovedAt), nullTime(b.ReconciledAt),
		nullID(b.RecalledBy), b.RecalledByName, nullTime(b.RecalledAt), b.RecallReason, b.County, b.ID, from)
	if err != nil {
		return fmt.Errorf("update payment batch: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("批次 %d 不存在或状态已被他人改变，请刷新后重试", "batch %d does not exist or changed status meanwhile; reload and try again", b.ID)
	}
	return nil
}

// SetBatchItemResults records the bank's results for items of a batch, one
// statement per distinct result.
func (tx *Tx) SetBatchItemResults(ctx context.Context, county string, batchID int64, rs []payment.ItemResult) error {
	type key struct {
		result, reason string
		paid           date.Date
		at             time.Time
	}
	groups := map[key][]int64{}
	var order []key
	for _, r := range rs {
		k := key{r.Result, r.Reason, r.PaidOn, r.At}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], int64(r.Seq))
	}
	for _, k := range order {
		for _, part := range chunks(groups[k]) {
			in, seqs := tx.oneOf(part)
			_, err := tx.Exec(ctx, `UPDATE payment_batch_items SET result = ?, reason = ?, paid_on = ?, result_at = ?
				WHERE county = ? AND batch_id = ? AND seq `+in, append([]any{k.result, k.reason, k.paid, ts(k.at), county, batchID}, seqs...)...)
			if err != nil {
				return fmt.Errorf("record bank results: %w", err)
			}
		}
	}
	return nil
}

// LastBatchItems returns, for each line, its item in the latest batch that
// carried it; a recalled batch carried nothing.
func (tx *Tx) LastBatchItems(ctx context.Context, county string, lineIDs []int64) (map[int64]payment.Item, error) {
	out := map[int64]payment.Item{}
	for _, ids := range chunks(lineIDs) {
		in, args := tx.oneOf(ids)
		rows, err := tx.Query(ctx, `SELECT i.batch_id, `+prefixed("i.", itemColumns)+` FROM payment_batch_items i
			JOIN payment_batches b ON b.county = i.county AND b.id = i.batch_id
			WHERE i.county = ? AND i.line_id `+in+` AND b.status <> 'recalled' ORDER BY i.line_id, i.batch_id`, append([]any{county}, args...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var batch int64
			it, err := tx.scanItem(rows, county, 0, &batch)
			if err != nil {
				rows.Close()
				return nil, err
			}
			it.BatchID = batch
			out[it.LineID] = it
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PaymentLedgerRows returns the paid lines in scope that the bank paid in year,
// summed per person, program and region.
func (tx *Tx) PaymentLedgerRows(ctx context.Context, scope region.Code, year int, program string) ([]payment.LedgerRow, error) {
	where, args := scopeClause("", scope)
	conds := []string{where, "status = ?", "paid_on >= ?", "paid_on <= ?"}
	args = append(args, string(payment.Paid), date.Of(year, 1, 1), date.Of(year, 12, 31))
	return tx.ledgerRows(ctx, conds, args, program)
}

// PaymentRecoveryRows returns the recovery lines in scope of the cycles of
// year, summed per person, program and region.
func (tx *Tx) PaymentRecoveryRows(ctx context.Context, scope region.Code, year int, program string) ([]payment.LedgerRow, error) {
	where, args := scopeClause("", scope)
	conds := []string{where, "status = ?", "cycle_id IN (SELECT c.id FROM payment_cycles c WHERE c.county = payment_lines.county AND c.period LIKE ?)"}
	args = append(args, string(payment.Recovery), fmt.Sprintf("%04d%%", year))
	return tx.ledgerRows(ctx, conds, args, program)
}

func (tx *Tx) ledgerRows(ctx context.Context, conds []string, args []any, program string) ([]payment.LedgerRow, error) {
	if program != "" {
		conds, args = append(conds, "program = ?"), append(args, program)
	}
	rows, err := tx.Query(ctx, `SELECT person_id, program, region, SUM(amount_fen), SUM(central_fen), SUM(province_fen),
		SUM(city_fen), SUM(county_fen) FROM payment_lines WHERE `+strings.Join(conds, " AND ")+`
		GROUP BY county, person_id, program, region ORDER BY county, region, person_id, program`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payment.LedgerRow
	for rows.Next() {
		var r payment.LedgerRow
		var v [5]int64
		if err := rows.Scan(&r.PersonID, &r.Program, &r.Region, &v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
			return nil, err
		}
		r.Amount = money.Fen(v[0])
		for i := range r.Split {
			r.Split[i] = money.Fen(v[i+1])
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReplaceBatchItems rewrites the items, count and total of a draft batch;
// a batch left without items is deleted.
func (tx *Tx) ReplaceBatchItems(ctx context.Context, b *payment.Batch) error {
	if _, err := tx.Exec(ctx, `DELETE FROM payment_batch_items WHERE county = ? AND batch_id = ?`, b.County, b.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM payment_batches WHERE county = ? AND id = ? AND status = 'draft'`, b.County, b.ID); err != nil {
		return err
	}
	if len(b.Items) == 0 {
		return nil
	}
	return tx.InsertPaymentBatch(ctx, b)
}

// UnseenAtReview returns those of persons who were active on the
// county's roll, confirmed before year, and have no record of the
// face-to-face review of year or a later year.
func (tx *Tx) UnseenAtReview(ctx context.Context, county string, personIDs []int64, year int) (map[int64]bool, error) {
	out := map[int64]bool{}
	start := date.Of(year, time.January, 1)
	for _, ids := range chunks(personIDs) {
		in, args := tx.oneOf(ids)
		rows, err := tx.Query(ctx, `SELECT DISTINCT r.person_id FROM recipients r
			WHERE r.county = ? AND r.person_id `+in+` AND r.status = 'active' AND r.confirmed < ?
			AND NOT EXISTS (SELECT 1 FROM inperson_reviews v WHERE v.county = r.county AND v.person_id = r.person_id AND v.year >= ?)`,
			slices.Concat([]any{county}, args, []any{start, year})...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
