package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/special"
)

var _ special.Store = (*Tx)(nil)

const serialFamilyCert = "family_certificate"

// SpecialCandidates returns the persons of county within scope who may
// head a special family: the parents (by birth or adoption) of a child
// who died or holds a disability certificate, and the holders of a roll
// row of programs that has not ended.
func (tx *Tx) SpecialCandidates(ctx context.Context, scope region.Code, county string, programs []string) ([]int64, error) {
	where, args := scopeClause("p.", scope)
	q := `SELECT DISTINCT pc.parent_id FROM parent_child pc
		JOIN persons c ON c.county = pc.county AND c.id = pc.child_id
		JOIN persons p ON p.county = pc.county AND p.id = pc.parent_id
		WHERE pc.county = ? AND pc.kind <> 'step' AND p.death IS NULL AND ` + where + ` AND (c.death IS NOT NULL
			OR EXISTS (SELECT 1 FROM disabilities d WHERE d.county = c.county AND d.person_id = c.id))`
	all := append([]any{county}, args...)
	if len(programs) > 0 {
		w2, a2 := scopeClause("r.", scope)
		q += ` UNION SELECT r.person_id FROM recipients r WHERE r.county = ? AND r.status <> 'exited' AND ` + w2 +
			` AND r.program IN (` + placeholders(len(programs)) + `)`
		all = append(all, county)
		all = append(all, a2...)
		for _, p := range programs {
			all = append(all, p)
		}
	}
	rows, err := tx.Query(ctx, `SELECT parent_id FROM (`+q+`) x ORDER BY parent_id`, all...)
	if err != nil {
		return nil, fmt.Errorf("special candidates: %w", err)
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

const specialFamilyColumns = `county, id, anchor_id, spouse_id, child_id, region, category, source, reason, note, since, status, closed,
	close_reason, signed, doctor, doctor_tcm, green, green_hospital, insured, insurer, last_visit, next_visit, created_by, version,
	created_at, updated_at`

func scanSpecialFamily(s scanner) (*special.Family, error) {
	var f special.Family
	var spouse, child sql.NullInt64
	var created, updated any
	err := s.Scan(&f.County, &f.ID, &f.Anchor, &spouse, &child, &f.Region, &f.Category, &f.Source, &f.Reason, &f.Note, &f.Since,
		&f.Status, &f.Closed, &f.CloseReason, &f.Signed, &f.Doctor, &f.DoctorTCM, &f.Green, &f.GreenHospital, &f.Insured, &f.Insurer,
		&f.LastVisit, &f.NextVisit, &f.CreatedBy, &f.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	f.Spouse, f.Child = spouse.Int64, child.Int64
	f.CreatedAt, _ = timeValue(created)
	f.UpdatedAt, _ = timeValue(updated)
	return &f, nil
}

func specialFamilyArgs(f *special.Family) []any {
	return []any{f.County, f.ID, f.Anchor, nullID(f.Spouse), nullID(f.Child), f.Region, f.Category, f.Source, f.Reason, f.Note, f.Since,
		f.Status, f.Closed, f.CloseReason, f.Signed, f.Doctor, f.DoctorTCM, f.Green, f.GreenHospital, f.Insured, f.Insurer,
		f.LastVisit, f.NextVisit, f.CreatedBy, f.Version, ts(f.CreatedAt), ts(f.UpdatedAt)}
}

// InsertSpecialFamily writes a new family of the register.
func (tx *Tx) InsertSpecialFamily(ctx context.Context, f *special.Family) error {
	args := specialFamilyArgs(f)
	if _, err := tx.Exec(ctx, `INSERT INTO special_families (`+specialFamilyColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		if IsUniqueViolation(err) {
			return apperr.Conflictf("该家庭已在册", "the family is already on the register")
		}
		return fmt.Errorf("insert special family: %w", err)
	}
	return nil
}

// UpdateSpecialFamily writes f over the stored version f.Version-1.
func (tx *Tx) UpdateSpecialFamily(ctx context.Context, f *special.Family) error {
	args := specialFamilyArgs(f)
	var sets []string
	for _, c := range strings.Split(specialFamilyColumns, ",")[2:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE special_families SET `+strings.Join(sets, ", ")+` WHERE county = ? AND id = ? AND version = ?`,
		append(args[2:], f.County, f.ID, f.Version-1)...)
	if err != nil {
		return fmt.Errorf("update special family: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该家庭档案已被他人修改，请刷新后重试", "the family's file was changed by someone else; reload and try again")
	}
	return nil
}

var errSpecialNotFound = apperr.NotFoundf("未找到该家庭，或不在您的管辖范围内", "no such family in your scope")

// SpecialFamily returns family id of county if its region lies within
// scope.
func (tx *Tx) SpecialFamily(ctx context.Context, scope region.Code, county string, id int64) (*special.Family, error) {
	where, args := scopeClause("", scope)
	f, err := scanSpecialFamily(tx.QueryRow(ctx, `SELECT `+specialFamilyColumns+` FROM special_families WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSpecialNotFound
	}
	return f, err
}

// SpecialFamiliesOf returns the families whose head or spouse is among
// persons.
func (tx *Tx) SpecialFamiliesOf(ctx context.Context, county string, persons []int64) ([]special.Family, error) {
	out := []special.Family{}
	for _, chunk := range chunkIDs(persons) {
		in, args := tx.oneOf(chunk)
		fs, err := tx.specialFamilies(ctx, `SELECT `+specialFamilyColumns+` FROM special_families WHERE county = ? AND (anchor_id `+in+
			` OR spouse_id `+in+`) ORDER BY id`, slices.Concat([]any{county}, args, args)...)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

func (tx *Tx) specialFamilies(ctx context.Context, q string, args ...any) ([]special.Family, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("special families: %w", err)
	}
	defer rows.Close()
	out := []special.Family{}
	for rows.Next() {
		f, err := scanSpecialFamily(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

func specialWhere(scope region.Code, county string, q special.Query) (string, []any) {
	where, args := scopeClause("", scope)
	conds := []string{where, "county = ?"}
	args = append(args, county)
	if q.Region != "" {
		w, a := scopeClause("", region.Code(q.Region))
		conds, args = append(conds, w), append(args, a...)
	}
	if q.Status != "" {
		conds, args = append(conds, "status = ?"), append(args, q.Status)
	}
	if q.Category != "" {
		conds, args = append(conds, "category = ?"), append(args, q.Category)
	}
	if q.Contact != 0 {
		conds = append(conds, `id IN (SELECT family_id FROM special_contacts WHERE county = ? AND user_id = ? AND to_date IS NULL)`)
		args = append(args, county, q.Contact)
	}
	return strings.Join(conds, " AND "), args
}

// SpecialFamilies lists the families within scope that q selects, by
// region and id.
func (tx *Tx) SpecialFamilies(ctx context.Context, scope region.Code, county string, q special.Query) ([]special.Family, error) {
	where, args := specialWhere(scope, county, q)
	tail := ` ORDER BY region, id`
	if q.Limit > 0 {
		tail += ` LIMIT ` + strconv.Itoa(q.Limit) + ` OFFSET ` + strconv.Itoa(max(q.Offset, 0))
	}
	return tx.specialFamilies(ctx, `SELECT `+specialFamilyColumns+` FROM special_families WHERE `+where+tail, args...)
}

// CountSpecialFamilies counts the families within scope that q selects.
func (tx *Tx) CountSpecialFamilies(ctx context.Context, scope region.Code, county string, q special.Query) (int, error) {
	where, args := specialWhere(scope, county, q)
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM special_families WHERE `+where, args...).Scan(&n)
	return n, err
}

const specialChangeColumns = `county, id, family_id, region, kind, detail, found, status, decided, decided_by, note, created_at`

func scanSpecialChange(s scanner) (*special.Change, error) {
	var c special.Change
	var created any
	if err := s.Scan(&c.County, &c.ID, &c.FamilyID, &c.Region, &c.Kind, &c.Detail, &c.Found, &c.Status, &c.Decided, &c.DecidedBy, &c.Note,
		&created); err != nil {
		return nil, err
	}
	c.CreatedAt, _ = timeValue(created)
	return &c, nil
}

// InsertSpecialChange writes a change found for review.
func (tx *Tx) InsertSpecialChange(ctx context.Context, c *special.Change) error {
	_, err := tx.Exec(ctx, `INSERT INTO special_changes (`+specialChangeColumns+`) VALUES (`+placeholders(12)+`)`,
		c.County, c.ID, c.FamilyID, c.Region, c.Kind, c.Detail, c.Found, c.Status, c.Decided, c.DecidedBy, c.Note, ts(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert special change: %w", err)
	}
	return nil
}

// UpdateSpecialChange writes the review of c.
func (tx *Tx) UpdateSpecialChange(ctx context.Context, c *special.Change) error {
	_, err := tx.Exec(ctx, `UPDATE special_changes SET status = ?, decided = ?, decided_by = ?, note = ? WHERE county = ? AND id = ?`,
		c.Status, c.Decided, c.DecidedBy, c.Note, c.County, c.ID)
	return err
}

// SpecialChange returns change id of county if its region lies within
// scope.
func (tx *Tx) SpecialChange(ctx context.Context, scope region.Code, county string, id int64) (*special.Change, error) {
	where, args := scopeClause("", scope)
	c, err := scanSpecialChange(tx.QueryRow(ctx, `SELECT `+specialChangeColumns+` FROM special_changes WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("未找到该变动，或不在您的管辖范围内", "no such change in your scope")
	}
	return c, err
}

// SpecialChanges lists the changes of county within scope with status
// ("" for any) of family (0 for any), oldest first.
func (tx *Tx) SpecialChanges(ctx context.Context, scope region.Code, county, status string, family int64) ([]special.Change, error) {
	where, args := scopeClause("", scope)
	q := `SELECT ` + specialChangeColumns + ` FROM special_changes WHERE county = ? AND ` + where
	args = append([]any{county}, args...)
	if status != "" {
		q, args = q+` AND status = ?`, append(args, status)
	}
	if family != 0 {
		q, args = q+` AND family_id = ?`, append(args, family)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("special changes: %w", err)
	}
	defer rows.Close()
	out := []special.Change{}
	for rows.Next() {
		c, err := scanSpecialChange(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

const specialContactColumns = `county, id, family_id, kind, user_id, name, phone, from_date, to_date, end_reason, created_by, created_at`

func (tx *Tx) specialContacts(ctx context.Context, q string, args ...any) ([]special.Contact, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("special contacts: %w", err)
	}
	defer rows.Close()
	out := []special.Contact{}
	for rows.Next() {
		var c special.Contact
		var user sql.NullInt64
		var created any
		if err := rows.Scan(&c.County, &c.ID, &c.FamilyID, &c.Kind, &user, &c.Name, &c.Phone, &c.From, &c.To, &c.EndReason, &c.CreatedBy,
			&created); err != nil {
			return nil, err
		}
		c.UserID = user.Int64
		c.CreatedAt, _ = timeValue(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsertSpecialContact writes an assignment of a contact.
func (tx *Tx) InsertSpecialContact(ctx context.Context, c *special.Contact) error {
	_, err := tx.Exec(ctx, `INSERT INTO special_contacts (`+specialContactColumns+`) VALUES (`+placeholders(12)+`)`,
		c.County, c.ID, c.FamilyID, c.Kind, nullID(c.UserID), c.Name, c.Phone, c.From, c.To, c.EndReason, c.CreatedBy, ts(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert special contact: %w", err)
	}
	return nil
}

// EndSpecialContact ends assignment id on day to for reason.
func (tx *Tx) EndSpecialContact(ctx context.Context, county string, id int64, to date.Date, reason string) error {
	_, err := tx.Exec(ctx, `UPDATE special_contacts SET to_date = ?, end_reason = ? WHERE county = ? AND id = ? AND to_date IS NULL`,
		to, reason, county, id)
	return err
}

// SpecialContacts returns the assignments of family, current ones first.
func (tx *Tx) SpecialContacts(ctx context.Context, county string, family int64) ([]special.Contact, error) {
	return tx.specialContacts(ctx, `SELECT `+specialContactColumns+` FROM special_contacts WHERE county = ? AND family_id = ?
		ORDER BY CASE WHEN to_date IS NULL THEN 0 ELSE 1 END, id`, county, family)
}

// SpecialContactsIn returns the active assignments of the families of
// county within scope.
func (tx *Tx) SpecialContactsIn(ctx context.Context, scope region.Code, county string) ([]special.Contact, error) {
	where, args := scopeClause("f.", scope)
	return tx.specialContacts(ctx, `SELECT c.county, c.id, c.family_id, c.kind, c.user_id, c.name, c.phone, c.from_date, c.to_date,
		c.end_reason, c.created_by, c.created_at FROM special_contacts c JOIN special_families f ON f.county = c.county AND f.id = c.family_id
		WHERE c.county = ? AND c.to_date IS NULL AND `+where+` ORDER BY c.family_id, c.id`, append([]any{county}, args...)...)
}

// IsSpecialContact reports whether user is an active contact of family.
func (tx *Tx) IsSpecialContact(ctx context.Context, county string, family, user int64) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM special_contacts WHERE county = ? AND family_id = ? AND user_id = ? AND to_date IS NULL`,
		county, family, user).Scan(&n)
	return n > 0, err
}

// InsertSpecialVisit writes a visit.
func (tx *Tx) InsertSpecialVisit(ctx context.Context, v *special.Visit) error {
	_, err := tx.Exec(ctx, `INSERT INTO special_visits (county, id, family_id, region, visited, mode, visitor_id, visitor, found, help,
		requests, next_due, created_at) VALUES (`+placeholders(13)+`)`, v.County, v.ID, v.FamilyID, v.Region, v.Date, v.Mode, v.VisitorID,
		v.Visitor, v.Found, v.Help, v.Requests, v.NextDue, ts(v.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert special visit: %w", err)
	}
	return nil
}

// SpecialVisits returns the visits of family, latest first.
func (tx *Tx) SpecialVisits(ctx context.Context, county string, family int64) ([]special.Visit, error) {
	rows, err := tx.Query(ctx, `SELECT county, id, family_id, region, visited, mode, visitor_id, visitor, found, help, requests, next_due,
		created_at FROM special_visits WHERE county = ? AND family_id = ? ORDER BY visited DESC, id DESC`, county, family)
	if err != nil {
		return nil, fmt.Errorf("special visits: %w", err)
	}
	defer rows.Close()
	out := []special.Visit{}
	for rows.Next() {
		var v special.Visit
		var created any
		if err := rows.Scan(&v.County, &v.ID, &v.FamilyID, &v.Region, &v.Date, &v.Mode, &v.VisitorID, &v.Visitor, &v.Found, &v.Help,
			&v.Requests, &v.NextDue, &created); err != nil {
			return nil, err
		}
		v.CreatedAt, _ = timeValue(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

const specialRequestColumns = `county, id, family_id, region, raised, source, content, handler_id, handler, deadline, status, reply,
	replied, satisfied, escalated, version, created_by, created_at, updated_at`

func scanSpecialRequest(s scanner) (*special.Request, error) {
	var r special.Request
	var created, updated any
	if err := s.Scan(&r.County, &r.ID, &r.FamilyID, &r.Region, &r.Raised, &r.Source, &r.Content, &r.HandlerID, &r.Handler, &r.Deadline,
		&r.Status, &r.Reply, &r.Replied, &r.Satisfied, &r.Escalated, &r.Version, &r.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	r.CreatedAt, _ = timeValue(created)
	r.UpdatedAt, _ = timeValue(updated)
	return &r, nil
}

func specialRequestArgs(r *special.Request) []any {
	return []any{r.County, r.ID, r.FamilyID, r.Region, r.Raised, r.Source, r.Content, r.HandlerID, r.Handler, r.Deadline, r.Status, r.Reply,
		r.Replied, r.Satisfied, r.Escalated, r.Version, r.CreatedBy, ts(r.CreatedAt), ts(r.UpdatedAt)}
}

// InsertSpecialRequest writes a request.
func (tx *Tx) InsertSpecialRequest(ctx context.Context, r *special.Request) error {
	args := specialRequestArgs(r)
	if _, err := tx.Exec(ctx, `INSERT INTO special_requests (`+specialRequestColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		return fmt.Errorf("insert special request: %w", err)
	}
	return nil
}

// UpdateSpecialRequest writes r over the stored version r.Version-1.
func (tx *Tx) UpdateSpecialRequest(ctx context.Context, r *special.Request) error {
	args := specialRequestArgs(r)
	var sets []string
	for _, c := range strings.Split(specialRequestColumns, ",")[2:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE special_requests SET `+strings.Join(sets, ", ")+` WHERE county = ? AND id = ? AND version = ?`,
		append(args[2:], r.County, r.ID, r.Version-1)...)
	if err != nil {
		return fmt.Errorf("update special request: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该诉求已被他人修改，请刷新后重试", "the request was changed by someone else; reload and try again")
	}
	return nil
}

// SpecialRequest returns request id of county if its region lies within
// scope.
func (tx *Tx) SpecialRequest(ctx context.Context, scope region.Code, county string, id int64) (*special.Request, error) {
	where, args := scopeClause("", scope)
	r, err := scanSpecialRequest(tx.QueryRow(ctx, `SELECT `+specialRequestColumns+` FROM special_requests WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("未找到该诉求，或不在您的管辖范围内", "no such request in your scope")
	}
	return r, err
}

// SpecialRequests lists the requests of county within scope of family (0
// for any) with status ("" for any), by deadline.
func (tx *Tx) SpecialRequests(ctx context.Context, scope region.Code, county string, family int64, status string) ([]special.Request, error) {
	where, args := scopeClause("", scope)
	q := `SELECT ` + specialRequestColumns + ` FROM special_requests WHERE county = ? AND ` + where
	args = append([]any{county}, args...)
	if family != 0 {
		q, args = q+` AND family_id = ?`, append(args, family)
	}
	if status != "" {
		q, args = q+` AND status = ?`, append(args, status)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY deadline, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("special requests: %w", err)
	}
	defer rows.Close()
	out := []special.Request{}
	for rows.Next() {
		r, err := scanSpecialRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// NextFamilyCertSerial returns the next number of the county's family
// certificates of year.
func (tx *Tx) NextFamilyCertSerial(ctx context.Context, county string, year int) (int, error) {
	return tx.nextSerial(ctx, county, serialFamilyCert, year)
}

// InsertFamilyCert writes an issued certificate.
func (tx *Tx) InsertFamilyCert(ctx context.Context, c *special.Certificate) error {
	cats, err := json.Marshal(c.Categories)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO family_certificates (county, id, serial, code, person_id, region, categories, as_of, issued,
		issued_by, created_at) VALUES (`+placeholders(11)+`)`, c.County, c.ID, c.Serial, c.Code, c.PersonID, c.Region, string(cats), c.AsOf,
		c.Issued, c.IssuedBy, ts(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert family certificate: %w", err)
	}
	return nil
}

// FamilyCertBySerial returns the certificate of a serial number.
func (tx *Tx) FamilyCertBySerial(ctx context.Context, serial string) (*special.Certificate, error) {
	var c special.Certificate
	var cats string
	var created any
	err := tx.QueryRow(ctx, `SELECT county, id, serial, code, person_id, region, categories, as_of, issued, issued_by, created_at
		FROM family_certificates WHERE serial = ?`, serial).Scan(&c.County, &c.ID, &c.Serial, &c.Code, &c.PersonID, &c.Region, &cats,
		&c.AsOf, &c.Issued, &c.IssuedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("未找到该证明", "no such certificate")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(cats), &c.Categories); err != nil {
		return nil, err
	}
	c.CreatedAt, _ = timeValue(created)
	return &c, nil
}

const helpListColumns = `county, id, program, period, amount_fen, families, note, status, created_by, approved_by, approved, cycle_id,
	version, created_at, updated_at`

func helpListArgs(l *special.HelpList) ([]any, error) {
	fams, err := json.Marshal(l.Families)
	if err != nil {
		return nil, err
	}
	return []any{l.County, l.ID, l.Program, l.Period, int64(l.Amount), string(fams), l.Note, l.Status, l.CreatedBy, l.ApprovedBy,
		l.Approved, nullID(l.CycleID), l.Version, ts(l.CreatedAt), ts(l.UpdatedAt)}, nil
}

func scanHelpList(s scanner) (*special.HelpList, error) {
	var l special.HelpList
	var fams string
	var amount int64
	var cycle sql.NullInt64
	var created, updated any
	if err := s.Scan(&l.County, &l.ID, &l.Program, &l.Period, &amount, &fams, &l.Note, &l.Status, &l.CreatedBy, &l.ApprovedBy, &l.Approved,
		&cycle, &l.Version, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(fams), &l.Families); err != nil {
		return nil, err
	}
	l.Amount, l.CycleID = money.Fen(amount), cycle.Int64
	l.CreatedAt, _ = timeValue(created)
	l.UpdatedAt, _ = timeValue(updated)
	return &l, nil
}

// InsertHelpList writes a new list of help.
func (tx *Tx) InsertHelpList(ctx context.Context, l *special.HelpList) error {
	args, err := helpListArgs(l)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO special_help_lists (`+helpListColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		return fmt.Errorf("insert help list: %w", err)
	}
	return nil
}

// UpdateHelpList writes l over the stored version l.Version-1.
func (tx *Tx) UpdateHelpList(ctx context.Context, l *special.HelpList) error {
	args, err := helpListArgs(l)
	if err != nil {
		return err
	}
	var sets []string
	for _, c := range strings.Split(helpListColumns, ",")[2:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE special_help_lists SET `+strings.Join(sets, ", ")+` WHERE county = ? AND id = ? AND version = ?`,
		append(args[2:], l.County, l.ID, l.Version-1)...)
	if err != nil {
		return fmt.Errorf("update help list: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该名单已被他人修改，请刷新后重试", "the list was changed by someone else; reload and try again")
	}
	return nil
}

// HelpList returns list id of county.
func (tx *Tx) HelpList(ctx context.Context, county string, id int64) (*special.HelpList, error) {
	l, err := scanHelpList(tx.QueryRow(ctx, `SELECT `+helpListColumns+` FROM special_help_lists WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("未找到该名单", "no such list")
	}
	return l, err
}

// HelpLists returns the lists of county, newest first.
func (tx *Tx) HelpLists(ctx context.Context, county string) ([]special.HelpList, error) {
	rows, err := tx.Query(ctx, `SELECT `+helpListColumns+` FROM special_help_lists WHERE county = ? ORDER BY id DESC`, county)
	if err != nil {
		return nil, fmt.Errorf("help lists: %w", err)
	}
	defer rows.Close()
	out := []special.HelpList{}
	for rows.Next() {
		l, err := scanHelpList(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *l)
	}
	return out, rows.Err()
}
