package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// BulkSink loads synthetic batches into the registry tables. Each batch is
// one transaction: it reserves id ranges with the same sequences normal
// registration uses (so later ids never collide), shifts the batch into
// them and writes every row — with COPY on PostgreSQL and multi-row
// INSERTs on SQLite's single writer connection. A failed batch rolls back.
type BulkSink struct {
	DB *DB
	// Progress, if set, is called after each committed batch with the
	// number of persons written so far.
	Progress func(done int)

	done int
}

// Write implements synth.Sink.
func (s *BulkSink) Write(ctx context.Context, b *synth.Batch) error {
	if s.DB.keys == nil {
		return errNoKeys
	}
	var err error
	if s.DB.Engine == Postgres {
		err = s.writePostgres(ctx, b)
	} else {
		err = s.writeSQLite(ctx, b)
	}
	if err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	s.done += len(b.Persons)
	if s.Progress != nil {
		s.Progress(s.done)
	}
	return nil
}

// bulkTable describes one registry table: its name, columns and the rows
// of a batch as values.
type bulkTable struct {
	name string
	cols []string
	n    int
	row  func(i int, now any, out []any)
}

// pgDate passes a date to COPY; sqliteDate stores it as ISO text, as
// date.Date.Value does.
func pgDate(d date.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Time()
}

func sqliteDate(d date.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func boolArg(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// bulkTables describes the tables of b. The ID numbers of persons are
// encrypted with tx's keys as rows are produced (tx may be nil when only
// the row counts are wanted).
func bulkTables(b *synth.Batch, dateArg func(date.Date) any, tx *Tx) []bulkTable {
	c := b.County
	return []bulkTable{
		{"persons", []string{"county", "id", "id_number", "name", "sex", "birth", "death", "death_source", "region", "hukou_type", "pension", "marital", "created_at", "updated_at", "id_hash", "id_tail", "id_tail6", "id_division", "name_initials", "residence"},
			len(b.Persons), func(i int, now any, o []any) {
				p := &b.Persons[i]
				src := ""
				if !p.Death.IsZero() {
					src = "synthetic"
				}
				f := tx.idFields(c, p.ID, p.IDNumber)
				o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9], o[10], o[11], o[12], o[13], o[14], o[15], o[16], o[17], o[18], o[19] =
					c, p.ID, f.sealed, p.Name, p.Sex, dateArg(p.Birth), dateArg(p.Death), src, p.Region, p.HukouType, p.Pension, p.Marital, now, now,
					f.hash, f.tail, f.tail6, f.division, matching.Initials(p.Name), p.Residence
			}},
		{"hukou_spells", []string{"county", "id", "person_id", "type", "region", "from_date", "to_date", "reason"},
			len(b.Hukou), func(i int, _ any, o []any) {
				h := &b.Hukou[i]
				o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = c, h.ID, h.PersonID, h.Type, h.Region, dateArg(h.From), dateArg(h.To), h.Reason
			}},
		{"marriages", []string{"county", "id", "a_id", "b_id", "from_date", "to_date", "end_reason"},
			len(b.Marriages), func(i int, _ any, o []any) {
				m := &b.Marriages[i]
				o[0], o[1], o[2], o[3], o[4], o[5], o[6] = c, m.ID, m.A, m.B, dateArg(m.From), dateArg(m.To), m.End
			}},
		{"parent_child", []string{"county", "id", "parent_id", "child_id", "kind", "from_date", "in_policy"},
			len(b.Children), func(i int, _ any, o []any) {
				x := &b.Children[i]
				o[0], o[1], o[2], o[3], o[4], o[5], o[6] = c, x.ID, x.Parent, x.Child, x.Kind, dateArg(x.From), boolArg(x.InPolicy)
			}},
		{"disabilities", []string{"county", "id", "person_id", "grade", "category", "from_date", "to_date"},
			len(b.Disabilities), func(i int, _ any, o []any) {
				d := &b.Disabilities[i]
				o[0], o[1], o[2], o[3], o[4], o[5], o[6] = c, d.ID, d.PersonID, d.Grade, d.Category, dateArg(d.From), dateArg(d.To)
			}},
		{"certificates", []string{"county", "id", "holder_id", "kind", "number", "issued", "cancelled", "cancel_reason"},
			len(b.Certificates), func(i int, _ any, o []any) {
				x := &b.Certificates[i]
				o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = c, x.ID, x.Holder, x.Kind, x.Number, dateArg(x.Issued), dateArg(x.Cancelled), x.CancelReason
			}},
		{"complications", []string{"county", "id", "person_id", "grade", "from_date"},
			len(b.Complications), func(i int, _ any, o []any) {
				x := &b.Complications[i]
				o[0], o[1], o[2], o[3], o[4] = c, x.ID, x.PersonID, x.Grade, dateArg(x.From)
			}},
		{"retirements", []string{"county", "id", "person_id", "date", "employer"},
			len(b.Retirements), func(i int, _ any, o []any) {
				x := &b.Retirements[i]
				o[0], o[1], o[2], o[3], o[4] = c, x.ID, x.PersonID, dateArg(x.Date), x.Employer
			}},
		{"contraception", []string{"county", "id", "person_id", "method", "op_date"},
			len(b.Contraception), func(i int, _ any, o []any) {
				x := &b.Contraception[i]
				o[0], o[1], o[2], o[3], o[4] = c, x.ID, x.PersonID, x.Method, dateArg(x.Date)
			}},
		{"birth_permissions", []string{"county", "id", "holder_id", "kind", "number", "issued"},
			len(b.Permissions), func(i int, _ any, o []any) {
				x := &b.Permissions[i]
				o[0], o[1], o[2], o[3], o[4], o[5] = c, x.ID, x.Holder, x.Kind, x.Number, dateArg(x.Issued)
			}},
		{"pensions", []string{"county", "id", "person_id", "scheme", "enrolled", "ended", "drawing", "region"},
			len(b.Pensions), func(i int, _ any, o []any) {
				x := &b.Pensions[i]
				o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = c, x.ID, x.PersonID, x.Scheme, dateArg(x.Enrolled), nil, dateArg(x.Drawing), x.Region
			}},
		{"admissions", []string{"county", "id", "person_id", "admitted", "level"},
			len(b.Admissions), func(i int, _ any, o []any) {
				x := &b.Admissions[i]
				o[0], o[1], o[2], o[3], o[4] = c, x.ID, x.PersonID, dateArg(x.Date), x.Level
			}},
		{"birth_registrations", []string{"county", "id", "serial", "code", "region", "mother_id", "father_id", "applicant_id", "channel",
			"registered", "expected", "expecting", "parity", "statistical", "policy_status", "in_policy", "decision", "status", "born",
			"hospital", "cert_no", "hospital_birth", "source", "children", "cancel_reason", "cancelled", "created_at", "updated_at"},
			len(b.Registrations), func(i int, now any, o []any) {
				x := &b.Registrations[i]
				decision, children, source := synthDecision(x), "", ""
				if x.Child != 0 {
					children, source = "["+strconv.FormatInt(x.Child, 10)+"]", birth.SourceTyped
				}
				o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8] = c, x.ID, birth.Serial(c, x.Registered.Year(), x.Seq), x.Code, x.Region,
					nullInt(x.Mother), nullInt(x.Father), x.Applicant, x.Channel
				o[9], o[10], o[11], o[12], o[13], o[14], o[15], o[16], o[17], o[18] = dateArg(x.Registered), dateArg(x.Expected), 1, x.Parity,
					x.Statistical, x.PolicyStatus, x.InPolicy, decision, x.Status, dateArg(x.Born)
				o[19], o[20], o[21], o[22], o[23], o[24], o[25], o[26], o[27] = x.Hospital, x.CertNo, x.Hospital != "", source, children,
					x.CancelReason, dateArg(x.Cancelled), now, now
			}},
		{"subsidy_claims", []string{"county", "id", "child_id", "applicant_id", "relation", "region", "year", "filed", "channel", "status",
			"engine", "checked", "decided", "recipient_id", "created_at", "updated_at"},
			len(b.Claims), func(i int, now any, o []any) {
				x := &b.Claims[i]
				engine := fmt.Sprintf(`{"year":%d,"status":"%s","eligible":true,"amount_fen":%d,"months":%d,"clauses":[],"rule_version":"synthetic"}`,
					x.Year, policy.StatusEligible, x.AmountFen, x.Months)
				o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9] = c, x.ID, x.Child, x.Applicant, x.Relation, x.Region, x.Year,
					dateArg(x.Filed), x.Channel, x.Status
				o[10], o[11], o[12], o[13], o[14], o[15] = engine, dateArg(x.Checked), dateArg(x.Decided), nullInt(x.RecipientID), now, now
			}},
		{"recipients", []string{"county", "id", "person_id", "program", "region", "confirmed", "start_year", "start_month", "status",
			"created_at", "updated_at"},
			len(b.Recipients), func(i int, now any, o []any) {
				x := &b.Recipients[i]
				o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9], o[10] = c, x.ID, x.PersonID, x.Program, x.Region,
					dateArg(x.Confirmed), x.StartYear, 1, "active", now, now
			}},
		{"childcare_institutions", []string{"county", "id", "filing_no", "name", "credit_code", "operator", "reg_type", "type", "inclusive",
			"places", "places_infant", "places_toddler", "places_older", "region", "address", "area", "outdoor_area", "fire_safety",
			"fire_doc", "fire_date", "staff", "filed", "phone", "status", "closed", "close_reason", "last_inspection", "created_at", "updated_at"},
			len(b.Institutions), func(i int, now any, o []any) {
				x := &b.Institutions[i]
				staff, _ := jsonText(x.Staff)
				status, reason := childcare.StatusFiled, ""
				if !x.Closed.IsZero() {
					status, reason = childcare.StatusClosed, "举办者申请停办"
				}
				o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9] = c, x.ID, childcare.FilingNo(c, x.Filed.Year(), x.Seq), x.Name,
					x.CreditCode, x.Operator, x.RegType, x.Type, x.Inclusive, x.Places
				o[10], o[11], o[12], o[13], o[14], o[15], o[16], o[17], o[18], o[19] = x.Infant, x.Toddler, x.Older, x.Region, x.Address,
					x.Area, x.Outdoor, x.FireSafety, x.FireDoc, dateArg(x.FireDate)
				o[20], o[21], o[22], o[23], o[24], o[25], o[26], o[27], o[28] = staff, dateArg(x.Filed), x.Phone, status, dateArg(x.Closed),
					reason, dateArg(x.LastCheck), now, now
			}},
		{"childcare_inspections", []string{"county", "id", "institution_id", "region", "inspected", "kind", "inspectors", "findings", "grade",
			"rectify", "requirement", "deadline", "checked_on", "checkers", "check_passed", "check_note", "status", "created_at", "updated_at"},
			len(b.Inspections), func(i int, now any, o []any) {
				x := &b.Inspections[i]
				inspectors, _ := jsonText(x.Inspectors)
				checkers := "[]"
				if len(x.Checkers) > 0 {
					checkers, _ = jsonText(x.Checkers)
				}
				o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9] = c, x.ID, x.InstitutionID, x.Region, dateArg(x.Date), x.Kind,
					inspectors, x.Findings, x.Grade, x.Rectify
				o[10], o[11], o[12], o[13], o[14], o[15], o[16], o[17], o[18] = x.Requirement, dateArg(x.Deadline), dateArg(x.CheckedOn),
					checkers, x.CheckPassed, x.CheckNote, x.Status, now, now
			}},
	}
}

// serialNext is the next number of a county's sequence of a year after a
// batch: one more than the batch's highest.
type serialNext struct {
	kind       string
	year, next int
}

// batchSerials returns the sequences b numbers, in a fixed order, so that
// the registrations and filings made later continue them.
func batchSerials(b *synth.Batch) []serialNext {
	hi := map[[2]int]int{} // kind (0 registration, 1 filing), year
	for _, r := range b.Registrations {
		k := [2]int{0, r.Registered.Year()}
		hi[k] = max(hi[k], r.Seq)
	}
	for _, x := range b.Institutions {
		k := [2]int{1, x.Filed.Year()}
		hi[k] = max(hi[k], x.Seq)
	}
	var out []serialNext
	for k, v := range hi {
		out = append(out, serialNext{kind: []string{serialBirth, serialChildcare}[k[0]], year: k[1], next: v + 1})
	}
	slices.SortFunc(out, func(a, b serialNext) int {
		if a.kind != b.kind {
			return strings.Compare(a.kind, b.kind)
		}
		return a.year - b.year
	})
	return out
}

// synthDecision is the parity decision a synthetic registration keeps:
// the parity, the children counted and the status, without clauses.
func synthDecision(x *synth.BirthRegistration) string {
	counted := make([]string, len(x.Counted))
	for i, id := range x.Counted {
		counted[i] = strconv.FormatInt(id, 10)
	}
	d := policy.ParityDecision{Parity: x.Parity, Statistical: x.Statistical, Counted: counted, NotCounted: []string{}, Limit: 3,
		Status: x.PolicyStatus, InPolicy: x.InPolicy, Clauses: []policy.ClauseResult{}, Version: "synthetic"}
	s, _ := jsonText(d)
	return s
}

// bulkSequences are the id sequences of the tables, in bulkTables order.
var bulkSequences = []string{"person", "hukou_spell", "marriage", "parent_child", "disability", "certificate", "complication", "retirement",
	"contraception", "birth_permission", "pension", "admission", "birth_registration", "subsidy_claim", "recipient",
	"childcare_institution", "childcare_inspection"}

// reserve reserves id ranges for every table of b through next (which
// returns the first id of n reserved ones) and shifts b into them.
func reserve(b *synth.Batch, next func(seq string, n int) (int64, error)) error {
	tables := bulkTables(b, sqliteDate, nil)
	var first [17]int64
	for k, t := range tables {
		if t.n == 0 {
			continue
		}
		f, err := next(bulkSequences[k], t.n)
		if err != nil {
			return err
		}
		first[k] = f - 1
	}
	b.Shift(synth.Offsets{Person: first[0], Hukou: first[1], Marriage: first[2], ParentChild: first[3],
		Disability: first[4], Certificate: first[5], Complication: first[6], Retirement: first[7],
		Contraception: first[8], Permission: first[9], Pension: first[10], Admission: first[11],
		Registration: first[12], Claim: first[13], Recipient: first[14], Institution: first[15], Inspection: first[16]})
	return nil
}

func (s *BulkSink) writePostgres(ctx context.Context, b *synth.Batch) error {
	conn, err := s.DB.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	now := s.DB.Now().UTC().Truncate(time.Microsecond)
	// The ids are reserved before the transaction, outside it: the
	// counters are never locked for the length of a batch.
	if err := reserve(b, func(seq string, n int) (int64, error) { return s.DB.ids.take(ctx, seq, n) }); err != nil {
		return err
	}
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		pc := sc.Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) // no-op after Commit
		for _, t := range bulkTables(b, pgDate, &Tx{db: s.DB}) {
			if t.n == 0 {
				continue
			}
			buf := make([]any, len(t.cols))
			i := 0
			src := pgx.CopyFromFunc(func() ([]any, error) {
				if i >= t.n {
					return nil, nil
				}
				t.row(i, now, buf)
				i++
				return buf, nil
			})
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, src); err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
		}
		for _, x := range batchSerials(b) {
			if _, err := tx.Exec(ctx, `INSERT INTO serials (county, kind, year, next) VALUES ($1, $2, $3, $4)
				ON CONFLICT (county, kind, year) DO UPDATE SET next = GREATEST(serials.next, excluded.next)`, b.County, x.kind, x.year, x.next); err != nil {
				return fmt.Errorf("serials: %w", err)
			}
		}
		return tx.Commit(ctx)
	})
}

// sqliteMaxArgs keeps a multi-row INSERT under SQLite's bound-parameter
// limit (32,766 since 3.32).
const sqliteMaxArgs = 30000

func (s *BulkSink) writeSQLite(ctx context.Context, b *synth.Batch) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		if err := reserve(b, func(seq string, n int) (int64, error) { return tx.NextIDs(ctx, seq, n) }); err != nil {
			return err
		}
		now := ts(tx.Now())
		for _, t := range bulkTables(b, sqliteDate, tx) {
			if err := insertRows(ctx, tx.tx, t, now); err != nil {
				return fmt.Errorf("insert %s: %w", t.name, err)
			}
		}
		for _, x := range batchSerials(b) {
			if _, err := tx.Exec(ctx, `INSERT INTO serials (county, kind, year, next) VALUES (?, ?, ?, ?)
				ON CONFLICT (county, kind, year) DO UPDATE SET next = MAX(serials.next, excluded.next)`, b.County, x.kind, x.year, x.next); err != nil {
				return fmt.Errorf("serials: %w", err)
			}
		}
		return nil
	})
}

func insertRows(ctx context.Context, tx queryer, t bulkTable, now string) error {
	nc := len(t.cols)
	per := sqliteMaxArgs / nc
	var stmt *sql.Stmt
	args := make([]any, 0, per*nc)
	for start := 0; start < t.n; start += per {
		n := min(per, t.n-start)
		args = args[:n*nc]
		for i := 0; i < n; i++ {
			t.row(start+i, now, args[i*nc:(i+1)*nc])
		}
		q := insertSQL(t, n)
		if n == per && stmt == nil {
			var err error
			if stmt, err = tx.PrepareContext(ctx, q); err != nil {
				return err
			}
			defer stmt.Close()
		}
		var err error
		if n == per {
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, q, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func insertSQL(t bulkTable, rows int) string {
	var q strings.Builder
	q.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(one)
	}
	return q.String()
}

// LoadSynthetic generates the population described by cfg into db,
// calling progress (if not nil) after each batch with the persons written
// so far. Generation and loading overlap: the generator runs one batch
// ahead of the database.
//
// A load can be run again after it was stopped part-way (killed, or the
// machine lost): generation is deterministic and each batch is written in
// one transaction, so a batch is either wholly in the database or not at
// all. Before writing a batch the loader looks its persons up by ID
// number (batchPresent); a batch found is counted in Stats.Present and
// not written again, so the rerun finishes what the first run began.
func LoadSynthetic(ctx context.Context, db *DB, cfg synth.Config, progress func(done int)) (synth.Stats, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sink := &BulkSink{DB: db, Progress: progress}
	queue := make(chan *synth.Batch, 1)
	free := make(chan *synth.Batch, 2)
	free <- new(synth.Batch)
	free <- new(synth.Batch)
	errc := make(chan error, 1)
	present := 0
	go func() {
		var err error
		for b := range queue {
			if err == nil {
				var found bool
				if found, err = batchPresent(ctx, db, b); err == nil && found {
					present += len(b.Persons)
					sink.done += len(b.Persons)
					if progress != nil {
						progress(sink.done)
					}
				} else if err == nil {
					err = sink.Write(ctx, b)
				}
				if err != nil {
					cancel()
				}
			}
			free <- b
		}
		errc <- err
	}()
	st, genErr := synth.Generate(ctx, cfg, synth.SinkFunc(func(ctx context.Context, b *synth.Batch) error {
		// Hand a copy to the writer so that the generator can go on.
		var c *synth.Batch
		select {
		case c = <-free:
		case <-ctx.Done():
			return ctx.Err()
		}
		copyBatch(c, b)
		queue <- c
		return nil
	}))
	close(queue)
	writeErr := <-errc
	st.Present = present
	if writeErr != nil {
		return st, writeErr
	}
	if genErr != nil {
		return st, genErr
	}
	return st, db.Analyze(ctx)
}

// batchPresent reports whether batch b was written by an earlier load:
// the first, middle and last of its persons with an ID number are all
// registered, with the name and birth date b gives them. When some are
// and some are not, or with other names, the county holds a population
// this load would collide with, and that is an error.
func batchPresent(ctx context.Context, db *DB, b *synth.Batch) (bool, error) {
	var probe []*synth.Person
	for _, i := range []int{0, len(b.Persons) / 2, len(b.Persons) - 1} {
		for j := i; j < len(b.Persons); j++ {
			if b.Persons[j].IDNumber != "" {
				probe = append(probe, &b.Persons[j])
				break
			}
		}
	}
	if len(probe) == 0 {
		return false, nil
	}
	found := 0
	err := db.Read(ctx, func(tx *Tx) error {
		for _, p := range probe {
			r, err := tx.PersonByIDNumber(ctx, "", p.IDNumber)
			if apperr.KindOf(err) == apperr.NotFound {
				continue
			}
			if err != nil {
				return err
			}
			if r.Name != p.Name || r.Birth != p.Birth {
				return fmt.Errorf("bulk load: ID number %s of the population to load is registered to another person: the county holds another population", p.IDNumber[:6]+"…")
			}
			found++
		}
		return nil
	})
	switch {
	case err != nil:
		return false, err
	case found == 0:
		return false, nil
	case found < len(probe):
		return false, fmt.Errorf("bulk load: a batch of the population is partly registered (%d of %d persons probed): the county holds another population", found, len(probe))
	}
	return true, nil
}

// Analyze refreshes the planner's statistics after a bulk load, so that
// the first queries on freshly loaded tables get good plans (PostgreSQL
// does not analyse a table until autovacuum gets round to it). On
// PostgreSQL it also vacuums, which marks the loaded pages all-visible so
// that counts and look-ups can be answered from indexes alone.
//
// Only the tables a load writes are named: a bare VACUUM would visit every
// table of every schema of the database, and wait for any other user's
// lock on any of them.
func (db *DB) Analyze(ctx context.Context) error {
	stmt := "ANALYZE"
	if db.Engine == Postgres {
		var names []string
		for _, t := range bulkTables(&synth.Batch{}, pgDate, nil) {
			names = append(names, t.name)
		}
		stmt = "VACUUM (ANALYZE) " + strings.Join(names, ", ")
	}
	_, err := db.w.ExecContext(ctx, stmt)
	return err
}

func copyBatch(dst, src *synth.Batch) {
	dst.County = src.County
	dst.Persons = append(dst.Persons[:0], src.Persons...)
	dst.Hukou = append(dst.Hukou[:0], src.Hukou...)
	dst.Marriages = append(dst.Marriages[:0], src.Marriages...)
	dst.Children = append(dst.Children[:0], src.Children...)
	dst.Disabilities = append(dst.Disabilities[:0], src.Disabilities...)
	dst.Certificates = append(dst.Certificates[:0], src.Certificates...)
	dst.Complications = append(dst.Complications[:0], src.Complications...)
	dst.Retirements = append(dst.Retirements[:0], src.Retirements...)
	dst.Contraception = append(dst.Contraception[:0], src.Contraception...)
	dst.Permissions = append(dst.Permissions[:0], src.Permissions...)
	dst.Pensions = append(dst.Pensions[:0], src.Pensions...)
	dst.Admissions = append(dst.Admissions[:0], src.Admissions...)
	dst.Registrations = append(dst.Registrations[:0], src.Registrations...)
	for i := range dst.Registrations {
		dst.Registrations[i].Counted = slices.Clone(dst.Registrations[i].Counted)
	}
	dst.Claims = append(dst.Claims[:0], src.Claims...)
	dst.Recipients = append(dst.Recipients[:0], src.Recipients...)
	dst.Institutions = append(dst.Institutions[:0], src.Institutions...)
	for i := range dst.Institutions {
		dst.Institutions[i].Staff = slices.Clone(dst.Institutions[i].Staff)
	}
	dst.Inspections = append(dst.Inspections[:0], src.Inspections...)
	for i := range dst.Inspections {
		dst.Inspections[i].Inspectors = slices.Clone(dst.Inspections[i].Inspectors)
		dst.Inspections[i].Checkers = slices.Clone(dst.Inspections[i].Checkers)
	}
}
