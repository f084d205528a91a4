package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

var _ registry.RosterStore = (*Tx)(nil)

// idChunk bounds the placeholders of one IN list (SQLite allows 32766,
// PostgreSQL 65535).
const idChunk = 500

// IDNumbersTaken returns those of numbers that are registered anywhere,
// whatever the scope: an ID number is unique nationally. It takes no
// lock: RegisterPersons checks again under the locks.
func (tx *Tx) IDNumbersTaken(ctx context.Context, numbers []string) (map[string]bool, error) {
	taken := map[string]bool{}
	if tx.db.keys == nil {
		return nil, errNoKeys
	}
	byHash := map[string]string{}
	var hashes []string
	for _, n := range numbers {
		for _, h := range tx.db.keys.Hashes(hashIDNumber, n) {
			byHash[h] = n
			hashes = append(hashes, h)
		}
	}
	for len(hashes) > 0 {
		chunk := hashes[:min(idChunk, len(hashes))]
		hashes = hashes[len(chunk):]
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		marks := strings.Repeat(", ?", len(chunk))[2:]
		rows, err := tx.Query(ctx, `SELECT DISTINCT id_hash FROM persons WHERE id_hash IN (`+marks+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return nil, err
			}
			taken[byHash[h]] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return taken, nil
}

// EachPerson calls fn for every person within scope, in the order of
// county, division and id, reading row by row so that a county of any
// size streams through in constant memory. It stops at fn's first error.
func (tx *Tx) EachPerson(ctx context.Context, scope region.Code, fn func(*registry.Record) error) error {
	if _, ok := scope.Prefix(); !ok {
		return apperr.Invalidf("region", "区划代码 %s 无效", "invalid division code %s", scope)
	}
	where, args := scopeClause("", scope)
	return tx.each(ctx, `SELECT `+personColumns+` FROM persons WHERE `+where+` ORDER BY county, region, id`, args,
		func(r recordRow) error {
			rec, err := tx.personRecord(r)
			if err != nil {
				return err
			}
			return fn(&rec)
		})
}

// PersonIDRange returns the least and the greatest person id of county,
// both 0 when it has no person.
func (tx *Tx) PersonIDRange(ctx context.Context, county string) (lo, hi int64, err error) {
	err = tx.QueryRow(ctx, `SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM persons WHERE county = ?`, county).Scan(&lo, &hi)
	return lo, hi, err
}

// NumberedPersonFrom returns the person of county with the least id not
// below id among those that have an ID number (NotFound when none has).
func (tx *Tx) NumberedPersonFrom(ctx context.Context, county string, id int64) (*registry.Record, error) {
	return tx.person(ctx, `SELECT `+personColumns+` FROM persons WHERE county = ? AND id >= ? AND id_number IS NOT NULL
		ORDER BY id LIMIT 1`, county, id)
}

var _ registry.BulkStore = (*Tx)(nil)

// RegisterPersons writes persons (ids reserved), their opening hukou
// spells and their audit entries in multi-row statements, for an import.
// It locks the chains of the counties concerned, then the buckets of the
// ID numbers (the order every writer keeps), and checks the numbers again
// under those locks: a number registered since the import checked it
// makes the whole import a Conflict.
func (tx *Tx) RegisterPersons(ctx context.Context, persons []*registry.Record, spells []registry.HukouSpell, entries []audit.Entry) error {
	if tx.db.keys == nil {
		return errNoKeys
	}
	var counties []string
	var numbers []string
	var hashes []any
	for _, p := range persons {
		counties = append(counties, p.County)
		if p.IDNumber != "" {
			numbers = append(numbers, p.IDNumber)
			for _, h := range tx.db.keys.Hashes(hashIDNumber, p.IDNumber) {
				hashes = append(hashes, h)
			}
		}
	}
	slices.Sort(counties)
	for _, c := range slices.Compact(counties) {
		if err := tx.LockChain(ctx, c); err != nil {
			return err
		}
	}
	if err := tx.lockIDNumbers(ctx, hashes); err != nil {
		return err
	}
	taken, err := tx.IDNumbersTaken(ctx, numbers)
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		return &apperr.Error{Kind: apperr.Conflict, Field: "id_number", ZH: "导入期间有身份证号被他人登记，请重新导入",
			EN: "an ID number of the import was registered meanwhile: import again"}
	}
	cols := personColumns + `, ` + idDerivedColumns + `, name_initials`
	const nc = 23
	err = insertMany(ctx, tx, `INSERT INTO persons (`+cols+`) VALUES `, nc, len(persons), func(i int, args []any) []any {
		r := persons[i]
		f := tx.idFields(r.County, r.ID, r.IDNumber)
		return append(args, r.County, r.ID, f.sealed, r.Name, r.Sex, r.Birth, r.Death, r.DeathSource, r.Region, r.HukouType,
			r.Pension, r.Marital, r.Ethnic, r.Address, r.Phone, r.Version, ts(r.CreatedAt), ts(r.UpdatedAt), f.hash, f.tail, f.tail6, f.division,
			matching.Initials(r.Name))
	})
	if IsUniqueViolation(err) {
		return &apperr.Error{Kind: apperr.Conflict, Field: "id_number", ZH: "该身份证号已登记", EN: "this ID number is already registered", Err: err}
	}
	if err != nil {
		return fmt.Errorf("insert persons: %w", err)
	}
	first, err := tx.NextIDs(ctx, "hukou_spell", len(spells))
	if err != nil {
		return err
	}
	err = insertMany(ctx, tx, `INSERT INTO hukou_spells (county, id, person_id, type, region, from_date, to_date, reason) VALUES `, 8, len(spells),
		func(i int, args []any) []any {
			h := spells[i]
			return append(args, persons[i].County, first+int64(i), persons[i].ID, h.Type, h.Region, h.From, h.To, h.Reason)
		})
	if err != nil {
		return fmt.Errorf("insert hukou spells: %w", err)
	}
	return tx.AuditMany(ctx, entries)
}

// insertMany inserts n rows of nc columns with multi-row INSERTs that
// begin with head ("INSERT INTO t (…) VALUES "), row appending row i's
// values to args.
func insertMany(ctx context.Context, tx *Tx, head string, nc, n int, row func(i int, args []any) []any) error {
	per := min(1000, sqliteMaxArgs/nc)
	one := "(" + placeholders(nc) + ")"
	for start := 0; start < n; start += per {
		m := min(per, n-start)
		var q strings.Builder
		q.WriteString(head)
		args := make([]any, 0, m*nc)
		for i := 0; i < m; i++ {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(one)
			args = row(start+i, args)
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
