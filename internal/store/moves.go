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
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// People who move (package move): residence, transfers between counties
// and the copying of a person's rows to the new county's key.

// Residence returns where person k lives ("" at the hukou's place) and
// the county they moved to ("" while the row is the live one).
func (tx *Tx) Residence(ctx context.Context, k registry.Key) (residence, movedTo string, err error) {
	err = tx.QueryRow(ctx, `SELECT residence, moved_to FROM persons WHERE county = ? AND id = ?`, k.County, k.ID).Scan(&residence, &movedTo)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errPersonNotFound
	}
	return residence, movedTo, err
}

// SetResidence writes person k's residence over version-1 and moves the
// person's version on.
func (tx *Tx) SetResidence(ctx context.Context, k registry.Key, residence string, version int) error {
	res, err := tx.Exec(ctx, `UPDATE persons SET residence = ?, version = version + 1, updated_at = ?
		WHERE county = ? AND id = ? AND version = ? AND moved_to = ''`, residence, ts(tx.now), k.County, k.ID, version-1)
	if err != nil {
		return fmt.Errorf("set residence: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该人员信息已被他人修改或已迁出，请刷新后重试", "the person was changed by someone else or moved away; reload and try again")
	}
	return nil
}

// Migrants returns the living persons whose residence lies within region
// (any county holding their hukou) and whose hukou lies in another
// township, with the programs they are paid for, by residence and name;
// at most limit of them.
func (tx *Tx) Migrants(ctx context.Context, within region.Code, limit int) ([]move.Migrant, error) {
	p, ok := within.Prefix()
	if !ok || p == "" {
		return nil, apperr.Invalidf("region", "请选择县、乡镇或村", "choose a county, township or village")
	}
	hi, _ := strconv.ParseInt(p, 10, 64)
	rows, err := tx.Query(ctx, `SELECT county, id, id_number, name, sex, birth, region, residence, phone FROM persons
		WHERE residence >= ? AND residence < ? AND moved_to = '' AND death IS NULL
		  AND substr(residence, 1, 9) <> substr(region, 1, 9)
		ORDER BY residence, name, county, id LIMIT ?`, p, fmt.Sprintf("%0*d", len(p), hi+1), limit)
	if err != nil {
		return nil, fmt.Errorf("migrants: %w", err)
	}
	defer rows.Close()
	var out []move.Migrant
	for rows.Next() {
		var m move.Migrant
		var idn sql.NullString
		if err := rows.Scan(&m.County, &m.PersonID, &idn, &m.Name, &m.Sex, &m.Birth, &m.Hukou, &m.Residence, &m.Phone); err != nil {
			return nil, err
		}
		n, err := tx.openIDNumber(m.County, m.PersonID, idn.String)
		if err != nil {
			return nil, err
		}
		if n != "" {
			m.IDMasked = idcard.Number(n).Masked()
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, tx.migrantPrograms(ctx, out)
}

// migrantPrograms fills in the programs each migrant is on the roll for.
func (tx *Tx) migrantPrograms(ctx context.Context, ms []move.Migrant) error {
	byCounty := map[string][]int64{}
	for _, m := range ms {
		byCounty[m.County] = append(byCounty[m.County], m.PersonID)
	}
	progs := map[registry.Key][]string{}
	for county, ids := range byCounty {
		for _, chunk := range chunkIDs(ids) {
			in, args := tx.oneOf(chunk)
			err := scanEach(ctx, tx, `SELECT person_id, program FROM recipients WHERE county = ? AND status <> 'exited' AND person_id `+
				in+` ORDER BY program`, append([]any{county}, args...), func(rows *sql.Rows) error {
				var id int64
				var prog string
				if err := rows.Scan(&id, &prog); err != nil {
					return err
				}
				k := registry.Key{County: county, ID: id}
				progs[k] = append(progs[k], prog)
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	for i := range ms {
		ms[i].OnRoll = strings.Join(progs[registry.Key{County: ms[i].County, ID: ms[i].PersonID}], ",")
	}
	return nil
}

const transferColumns = `county, id, side, from_county, to_county, person_id, new_person_id, name, id_masked, sex, birth, from_region,
	to_region, moved_on, source, source_ref, note, programs, state, started_by, started_by_name, started_at, decided_by,
	decided_by_name, decided_at, refuse_reason, handover, version`

// InsertTransfer writes one county's row of a transfer; a second open
// transfer of the same person is a Conflict.
func (tx *Tx) InsertTransfer(ctx context.Context, t *move.Transfer) error {
	hand, err := handoverText(t.Handover)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO transfers (`+transferColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.County, t.ID, t.Side, t.FromCounty, t.ToCounty, t.PersonID, nullInt(t.NewPersonID), t.Name, t.IDMasked, t.Sex, t.Birth,
		t.FromRegion, t.ToRegion, t.MovedOn, t.Source, t.SourceRef, t.Note, t.Programs, t.State, t.StartedBy, t.StartedByName,
		ts(t.StartedAt), nullInt(t.DecidedBy), t.DecidedByName, nullInstant(t.DecidedAt), t.RefuseReason, hand, t.Version)
	if IsUniqueViolation(err) {
		return &apperr.Error{Kind: apperr.Conflict, Field: "person_id", ZH: "此人已有一项待接收的迁移", EN: "the person already has an open transfer", Err: err}
	}
	if err != nil {
		return fmt.Errorf("insert transfer: %w", err)
	}
	return nil
}

// UpdateTransfer writes the decision of t over version t.Version-1.
func (tx *Tx) UpdateTransfer(ctx context.Context, t *move.Transfer) error {
	hand, err := handoverText(t.Handover)
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE transfers SET new_person_id = ?, to_region = ?, state = ?, decided_by = ?, decided_by_name = ?,
		decided_at = ?, refuse_reason = ?, handover = ?, version = ? WHERE county = ? AND id = ? AND version = ?`,
		nullInt(t.NewPersonID), t.ToRegion, t.State, nullInt(t.DecidedBy), t.DecidedByName, nullInstant(t.DecidedAt), t.RefuseReason, hand,
		t.Version, t.County, t.ID, t.Version-1)
	if err != nil {
		return fmt.Errorf("update transfer: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该迁移已被他人办理，请刷新后重试", "the transfer was changed by someone else; reload and try again")
	}
	return nil
}

func handoverText(h *move.Handover) (string, error) {
	if h == nil {
		return "", nil
	}
	b, err := json.Marshal(h)
	return string(b), err
}

func nullInstant(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

func (tx *Tx) scanTransfer(s scanner) (*move.Transfer, error) {
	var t move.Transfer
	var newID, decidedBy sql.NullInt64
	var started, decided any
	var hand string
	err := s.Scan(&t.County, &t.ID, &t.Side, &t.FromCounty, &t.ToCounty, &t.PersonID, &newID, &t.Name, &t.IDMasked, &t.Sex, &t.Birth,
		&t.FromRegion, &t.ToRegion, &t.MovedOn, &t.Source, &t.SourceRef, &t.Note, &t.Programs, &t.State, &t.StartedBy, &t.StartedByName,
		&started, &decidedBy, &t.DecidedByName, &decided, &t.RefuseReason, &hand, &t.Version)
	if err != nil {
		return nil, err
	}
	t.NewPersonID, t.DecidedBy = newID.Int64, decidedBy.Int64
	if t.StartedAt, err = timeValue(started); err != nil {
		return nil, err
	}
	if decided != nil {
		if t.DecidedAt, err = timeValue(decided); err != nil {
			return nil, err
		}
	}
	if hand != "" {
		t.Handover = &move.Handover{}
		if err := json.Unmarshal([]byte(hand), t.Handover); err != nil {
			return nil, fmt.Errorf("transfer %d: handover: %w", t.ID, err)
		}
	}
	return &t, nil
}

// Transfer returns county's row of transfer id.
func (tx *Tx) Transfer(ctx context.Context, county string, id int64) (*move.Transfer, error) {
	t, err := tx.scanTransfer(tx.QueryRow(ctx, `SELECT `+transferColumns+` FROM transfers WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("迁移记录不存在", "no such transfer")
	}
	return t, err
}

// Transfers lists county's rows of one side, open ones first, newest
// first; at most limit.
func (tx *Tx) Transfers(ctx context.Context, county, side string, limit int) ([]move.Transfer, error) {
	return tx.transfersWhere(ctx, "transfers", `county = ? AND side = ?
		ORDER BY CASE WHEN state = 'started' THEN 0 ELSE 1 END, started_at DESC, id DESC LIMIT ?`, county, side, limit)
}

// TransfersOf lists the transfers of person k (side out), newest first.
func (tx *Tx) TransfersOf(ctx context.Context, k registry.Key) ([]move.Transfer, error) {
	return tx.transfersWhere(ctx, "transfers of person", `county = ? AND side = 'out' AND person_id = ?
		ORDER BY id DESC`, k.County, k.ID)
}

// transfersWhere lists the transfers the condition (and order) where
// selects; what names the list in an error.
func (tx *Tx) transfersWhere(ctx context.Context, what, where string, args ...any) ([]move.Transfer, error) {
	out := []move.Transfer{}
	err := scanEach(ctx, tx, `SELECT `+transferColumns+` FROM transfers WHERE `+where, args, func(rows *sql.Rows) error {
		t, err := tx.scanTransfer(rows)
		if err == nil {
			out = append(out, *t)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// factTables are the tables of facts about one person that move with
// them, with the column naming the person and the id sequence.
var factTables = []struct{ table, person, seq string }{
	{"hukou_spells", "person_id", "hukou_spell"},
	{"disabilities", "person_id", "disability"},
	{"certificates", "holder_id", "certificate"},
	{"complications", "person_id", "complication"},
	{"retirements", "person_id", "retirement"},
	{"contraception", "person_id", "contraception"},
	{"birth_permissions", "holder_id", "birth_permission"},
	{"pensions", "person_id", "pension"},
	{"admissions", "person_id", "admission"},
}

// columnsOf returns the columns of table in their order.
func (tx *Tx) columnsOf(ctx context.Context, table string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

// copyRows copies the rows of table whose column col equals from.ID in
// from.County to to.County with col set to to.ID and fresh ids of seq,
// in id order, and returns how many it copied. Every other column is
// copied as it is.
func (tx *Tx) copyRows(ctx context.Context, table, col, seq string, from, to registry.Key) (int, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE county = ? AND `+col+` = ?`, from.County, from.ID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	if n == 0 {
		return 0, nil
	}
	first, err := tx.NextIDs(ctx, seq, n)
	if err != nil {
		return 0, err
	}
	cols, err := tx.columnsOf(ctx, table)
	if err != nil {
		return 0, err
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		switch c {
		case "county":
			sel[i] = "?"
		case "id":
			sel[i] = "? + ROW_NUMBER() OVER (ORDER BY id) - 1"
		case col:
			sel[i] = "?"
		default:
			sel[i] = c
		}
	}
	// The placeholders come in column order: county, id, then the person.
	var args []any
	for _, c := range cols {
		switch c {
		case "county":
			args = append(args, to.County)
		case "id":
			args = append(args, first)
		case col:
			args = append(args, to.ID)
		}
	}
	args = append(args, from.County, from.ID)
	if _, err := tx.Exec(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) SELECT `+strings.Join(sel, ", ")+` FROM `+table+
		` WHERE county = ? AND `+col+` = ?`, args...); err != nil {
		return 0, fmt.Errorf("copy %s: %w", table, err)
	}
	return n, nil
}

// CopyPerson writes person rec (read in the old county) as a new person
// to.ID of to.County, living in division at, with the facts about them
// (hukou history, disabilities, certificates and the rest); the hukou
// spell open in the old county is closed on the day of the move and a
// new one opened at the new place. The old row is marked moved to the
// new county.
func (tx *Tx) CopyPerson(ctx context.Context, rec *registry.Record, to registry.Key, at string, moved date.Date) error {
	from := registry.Key{County: rec.County, ID: rec.ID}
	n := *rec
	n.County, n.ID, n.Region, n.Version, n.CreatedAt, n.UpdatedAt = to.County, to.ID, at, 1, tx.now, tx.now
	if err := tx.InsertPerson(ctx, &n); err != nil {
		return fmt.Errorf("copy person: %w", err)
	}
	for _, f := range factTables {
		if _, err := tx.copyRows(ctx, f.table, f.person, f.seq, from, to); err != nil {
			return err
		}
	}
	if err := tx.CloseHukouSpell(ctx, to.County, to.ID, moved); err != nil {
		return err
	}
	if err := tx.InsertHukouSpell(ctx, to.County, to.ID, registry.HukouSpell{Type: rec.HukouType, Region: at, From: moved, Reason: "moved_in"}); err != nil {
		return err
	}
	if err := tx.CloseHukouSpell(ctx, from.County, from.ID, moved); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE persons SET moved_to = ?, residence = '', version = version + 1, updated_at = ?
		WHERE county = ? AND id = ? AND moved_to = ''`, to.County, ts(tx.now), from.County, from.ID)
	if err != nil {
		return fmt.Errorf("close moved person: %w", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return apperr.Conflictf("此人已迁出", "the person has already moved away")
	}
	return nil
}

// CopyDeterminations copies the eligibility determinations of person
// from of the years from year on to person to, so that the new county
// pays the rest of the year on the decision the old county reached.
func (tx *Tx) CopyDeterminations(ctx context.Context, from, to registry.Key, year int) error {
	cols, err := tx.columnsOf(ctx, "determinations")
	if err != nil {
		return err
	}
	sel := make([]string, len(cols))
	var args []any
	for i, c := range cols {
		switch c {
		case "county":
			sel[i], args = "?", append(args, to.County)
		case "person_id":
			sel[i], args = "?", append(args, to.ID)
		default:
			sel[i] = c
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO determinations (`+strings.Join(cols, ", ")+`) SELECT `+strings.Join(sel, ", ")+
		` FROM determinations WHERE county = ? AND person_id = ? AND year >= ?`, append(args, from.County, from.ID, year)...)
	if err != nil {
		return fmt.Errorf("copy determinations: %w", err)
	}
	return nil
}

// LastPaidMonth returns the last month (year*12+month-1) of the periods
// of program already due to person k in the county's payment lines (any
// line not cancelled), or -1.
func (tx *Tx) LastPaidMonth(ctx context.Context, k registry.Key, program string) (int, error) {
	last := -1
	err := scanEach(ctx, tx, `SELECT DISTINCT period FROM payment_lines WHERE county = ? AND person_id = ? AND program = ?
		AND revision = 0 AND status <> 'cancelled'`, []any{k.County, k.ID, program}, func(rows *sql.Rows) error {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		p, err := payment.ParsePeriod(s)
		if err != nil {
			return err
		}
		_, l := p.Months()
		last = max(last, l)
		return nil
	})
	return last, err
}

// CopyCase writes open case c of the old county as case newID of county
// to, of person personID in division at, with its signed steps.
func (tx *Tx) CopyCase(ctx context.Context, c workflow.Case, to registry.Key, newID int64, at string) error {
	from := c.County
	n := c
	n.County, n.ID, n.PersonID, n.Region, n.SpouseID, n.RecipientID, n.Version, n.CreatedAt, n.UpdatedAt =
		to.County, newID, to.ID, at, 0, 0, 1, tx.now, tx.now
	if err := tx.InsertCase(ctx, &n); err != nil {
		return fmt.Errorf("copy case: %w", err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO case_steps (county, case_id, seq, step, from_state, to_state, user_id, username, signer, role,
		signed_at, detail) SELECT ?, ?, seq, step, from_state, to_state, user_id, username, signer, role, signed_at, detail
		FROM case_steps WHERE county = ? AND case_id = ?`, to.County, newID, from, c.ID)
	if err != nil {
		return fmt.Errorf("copy case steps: %w", err)
	}
	return nil
}

// TiesOf returns the marriages and parent–child ties of person k.
func (tx *Tx) TiesOf(ctx context.Context, k registry.Key) ([]move.Tie, error) {
	var out []move.Tie
	err := scanEach(ctx, tx, `SELECT CASE WHEN a_id = ? THEN b_id ELSE a_id END, from_date, to_date FROM marriages
		WHERE county = ? AND (a_id = ? OR b_id = ?) ORDER BY id`, []any{k.ID, k.County, k.ID, k.ID}, func(rows *sql.Rows) error {
		t := move.Tie{Kind: move.TieSpouse}
		if err := rows.Scan(&t.Other, &t.From, &t.To); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = scanEach(ctx, tx, `SELECT parent_id, child_id, kind, from_date FROM parent_child WHERE county = ? AND (parent_id = ? OR child_id = ?)
		ORDER BY id`, []any{k.County, k.ID, k.ID}, func(rows *sql.Rows) error {
		var parent, child int64
		var t move.Tie
		if err := rows.Scan(&parent, &child, &t.TieKind, &t.From); err != nil {
			return err
		}
		t.Kind, t.Other = move.TieChild, child
		if child == k.ID {
			t.Kind, t.Other = move.TieParent, parent
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// InsertRemoteTie records a tie that spans two counties on county's side.
func (tx *Tx) InsertRemoteTie(ctx context.Context, t move.RemoteTie) error {
	_, err := tx.insertWithID(ctx, "remote_tie", `INSERT INTO remote_ties (county, id, person_id, kind, tie_kind, other_county, other_id,
		from_date, to_date, transfer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.County, t.PersonID, t.Kind, t.TieKind, t.OtherCounty, t.OtherID, t.From, t.To, t.TransferID)
	if err != nil {
		return fmt.Errorf("insert remote tie: %w", err)
	}
	return nil
}

// RemoteTies returns person k's ties to relatives in other counties, with
// each relative's name and region (the live row: a relative who moved on
// again is followed to where they are now).
func (tx *Tx) RemoteTies(ctx context.Context, k registry.Key) ([]move.RemoteTie, error) {
	var out []move.RemoteTie
	err := scanEach(ctx, tx, `SELECT t.county, t.person_id, t.kind, t.tie_kind, t.other_county, t.other_id, t.from_date, t.to_date,
			t.transfer_id, COALESCE(p.name, ''), COALESCE(p.region, '')
		FROM remote_ties t LEFT JOIN persons p ON p.county = t.other_county AND p.id = t.other_id
		WHERE t.county = ? AND t.person_id = ? ORDER BY t.id`, []any{k.County, k.ID}, func(rows *sql.Rows) error {
		var t move.RemoteTie
		if err := rows.Scan(&t.County, &t.PersonID, &t.Kind, &t.TieKind, &t.OtherCounty, &t.OtherID, &t.From, &t.To, &t.TransferID,
			&t.Name, &t.Region); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// Origins returns, for those of ids (persons of county) who moved in and
// left relatives behind, where they came from: their old county and id
// and the relatives there.
// A nil ids reads every such person of county, in one query.
func (tx *Tx) Origins(ctx context.Context, county string, ids []int64) (map[int64]*move.Origin, error) {
	out := map[int64]*move.Origin{}
	type part struct {
		cond string
		args []any
	}
	parts := []part{{args: []any{county}}}
	if ids != nil {
		parts = parts[:0]
		for _, chunk := range chunkIDs(ids) {
			in, args := tx.oneOf(chunk)
			parts = append(parts, part{` AND r.person_id ` + in, append([]any{county}, args...)})
		}
	}
	for _, p := range parts {
		err := scanEach(ctx, tx, `SELECT r.person_id, r.other_county, r.other_id, t.from_county, t.person_id
			FROM remote_ties r JOIN transfers t ON t.county = r.county AND t.id = r.transfer_id
			WHERE r.county = ? AND t.new_person_id = r.person_id AND r.other_county = t.from_county`+p.cond+`
			ORDER BY r.person_id, r.id`, p.args, func(rows *sql.Rows) error {
			var id, other, oldID int64
			var otherCounty, from string
			if err := rows.Scan(&id, &otherCounty, &other, &from, &oldID); err != nil {
				return err
			}
			o := out[id]
			if o == nil {
				o = &move.Origin{County: from, OldID: oldID}
				out[id] = o
			}
			o.Relatives = append(o.Relatives, other)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("origins: %w", err)
		}
	}
	return out, nil
}

// SetCarried records on recipient id of county the months of its start
// year's schedule another county paid before handing it over.
func (tx *Tx) SetCarried(ctx context.Context, county string, id int64, months int) error {
	if _, err := tx.Exec(ctx, `UPDATE recipients SET carried_months = ? WHERE county = ? AND id = ?`, months, county, id); err != nil {
		return fmt.Errorf("set carried months: %w", err)
	}
	return nil
}

// WidenFamilies adds to the family of each person among fams who moved
// in from another county the relatives left there (registry.Widener,
// move.Widen).
func (tx *Tx) WidenFamilies(ctx context.Context, county string, fams map[int64]*registry.Family) error {
	ids := make([]int64, 0, len(fams))
	for id := range fams {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	origins, err := tx.Origins(ctx, county, ids)
	if err != nil || len(origins) == 0 {
		return err
	}
	for _, id := range ids {
		o, f := origins[id], fams[id]
		if o == nil || f == nil {
			continue
		}
		old, err := tx.FamilyFacts(ctx, o.County, append([]int64{o.OldID}, o.Relatives...))
		if err != nil {
			return err
		}
		move.Widen(f, strconv.FormatInt(id, 10), old, strconv.FormatInt(o.OldID, 10), o.County)
	}
	return nil
}

// countyWidener returns, for a batch read of county's families, the
// function that adds to the family of each person who moved in the
// relatives they left in the old county (registry.Families.Widen,
// move.Widen), exactly as WidenFamilies does for a few persons: one query
// finds the county's persons who moved in with ties left behind, and one
// read per old county the facts of all their relatives there. nil when
// nobody did.
func (tx *Tx) countyWidener(ctx context.Context, county string) (func(int64, *registry.Family), error) {
	origins, err := tx.Origins(ctx, county, nil)
	if err != nil || len(origins) == 0 {
		return nil, err
	}
	byCounty := map[string][]int64{}
	for _, o := range origins {
		byCounty[o.County] = append(append(byCounty[o.County], o.OldID), o.Relatives...)
	}
	olds := map[string]*registry.Family{}
	for c, ids := range byCounty {
		slices.Sort(ids)
		if olds[c], err = tx.FamilyFacts(ctx, c, slices.Compact(ids)); err != nil {
			return nil, err
		}
	}
	// Each person's part of the old county's family: themselves and their
	// relatives there.
	parts := make(map[int64]*registry.Family, len(origins))
	for id, o := range origins {
		old := olds[o.County]
		keep := map[string]bool{strconv.FormatInt(o.OldID, 10): true}
		for _, r := range o.Relatives {
			keep[strconv.FormatInt(r, 10)] = true
		}
		part := *old
		part.Persons = nil
		for _, p := range old.Persons {
			if keep[p.Ref] {
				part.Persons = append(part.Persons, p)
			}
		}
		parts[id] = &part
	}
	return func(id int64, f *registry.Family) {
		if o, part := origins[id], parts[id]; o != nil && part != nil {
			move.Widen(f, strconv.FormatInt(id, 10), part, strconv.FormatInt(o.OldID, 10), o.County)
		}
	}, nil
}
