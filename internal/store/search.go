package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Finding a person in a list (registry.ParseWho): by the beginning of the
// name, by the beginning of its pinyin initials (persons.name_initials,
// computed with matching.Initials whenever a person is written), by the
// end of the ID number, or by the whole number. The end of a number is
// found through id_tail and id_tail6, the keyed hashes of its last four
// and last six characters (see idFields and suffixCond): a hash needs the
// key file to be computed, so the columns reveal no digits, only which
// persons share their last four or six.

// migrationSteps are steps in Go that run in the transaction of the
// migration of their number, after its SQL.
var migrationSteps = map[int]func(context.Context, *Tx) error{
	16: fillNameInitials,
	31: fillIDTail6,
}

// fillNameInitials computes the initials of the names of the persons
// registered before persons.name_initials existed: each distinct name
// once, then one UPDATE joining them.
func fillNameInitials(ctx context.Context, tx *Tx) error {
	rows, err := tx.Query(ctx, `SELECT DISTINCT name FROM persons WHERE name_initials IS NULL`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(names) == 0 {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE name_initials_fill (name TEXT PRIMARY KEY, initials TEXT NOT NULL)`); err != nil {
		return err
	}
	if err := insertMany(ctx, tx, `INSERT INTO name_initials_fill (name, initials) VALUES `, 2, len(names), func(i int, args []any) []any {
		return append(args, names[i], matching.Initials(names[i]))
	}); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE persons SET name_initials = (SELECT f.initials FROM name_initials_fill f WHERE f.name = persons.name)
		WHERE name_initials IS NULL`); err != nil {
		return fmt.Errorf("fill name initials: %w", err)
	}
	_, err = tx.Exec(ctx, `DROP TABLE name_initials_fill`)
	return err
}

// fillIDTail6 computes the keyed hash of the last six characters of the
// ID numbers registered before persons.id_tail6 existed: the numbers are
// read and decrypted a batch at a time (on every core), their hashes
// gathered in a temporary table, then written by one UPDATE joining it.
func fillIDTail6(ctx context.Context, tx *Tx) error {
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE id_tail6_fill (county TEXT NOT NULL, id BIGINT NOT NULL, h TEXT NOT NULL,
		PRIMARY KEY (county, id))`); err != nil {
		return err
	}
	const batch = 20000
	type row struct {
		county, sealed, hash string
		id                   int64
	}
	var cursor []any
	filled := 0
	for {
		q, args := `SELECT county, id, id_number FROM persons WHERE id_number IS NOT NULL AND id_tail6 IS NULL`, []any(nil)
		if cursor != nil {
			q, args = q+` AND (county, id) > (?, ?)`, cursor
		}
		var work []row
		if err := scanEach(ctx, tx, q+` ORDER BY county, id LIMIT `+strconv.Itoa(batch), args, func(rows *sql.Rows) error {
			var r row
			err := rows.Scan(&r.county, &r.id, &r.sealed)
			work = append(work, r)
			return err
		}); err != nil {
			return err
		}
		if len(work) == 0 {
			break
		}
		if tx.db.keys == nil {
			return errNoKeys
		}
		cursor = []any{work[len(work)-1].county, work[len(work)-1].id}
		errs := make([]error, runtime.NumCPU())
		var wg sync.WaitGroup
		for w := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(work); i += len(errs) {
					n, err := tx.openIDNumber(work[i].county, work[i].id, work[i].sealed)
					if err != nil {
						errs[w] = err
						return
					}
					if len(n) >= 6 {
						work[i].hash = idTail6(tx.db.keys, n)
					}
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		full := len(work) == batch
		work = slices.DeleteFunc(work, func(r row) bool { return r.hash == "" })
		if err := insertMany(ctx, tx, `INSERT INTO id_tail6_fill (county, id, h) VALUES `, 3, len(work), func(i int, args []any) []any {
			return append(args, work[i].county, work[i].id, work[i].hash)
		}); err != nil {
			return err
		}
		filled += len(work)
		if !full {
			break
		}
	}
	if filled > 0 {
		if _, err := tx.Exec(ctx, `UPDATE persons SET id_tail6 = f.h FROM id_tail6_fill f
			WHERE f.county = persons.county AND f.id = persons.id`); err != nil {
			return fmt.Errorf("fill id_tail6: %w", err)
		}
	}
	_, err := tx.Exec(ctx, `DROP TABLE id_tail6_fill`)
	return err
}

// whoCond returns the condition that selects the persons (aliased p,
// e.g. "p.") matching w within scope, and its arguments. A search by five
// or six characters is resolved here to the keyed hashes of the whole
// numbers that end so.
func (tx *Tx) whoCond(ctx context.Context, p string, scope region.Code, w registry.Who) (string, []any, error) {
	switch w.Kind {
	case registry.WhoAny:
		return "1=1", nil, nil
	case registry.WhoName:
		c, a := tx.namePrefix(p, w.Text)
		return c, a, nil
	case registry.WhoInitials:
		// A range of initials in byte order, with the bounds as
		// arguments: PostgreSQL plans a prepared statement generically
		// after a few runs, and a generic plan can search an index on
		// a range of arguments (it cannot on LIKE $1).
		t := initialsText(w.Text)
		if t == "" {
			return "1=1", nil, nil
		}
		col := p + initialsColumn(tx.Engine())
		return col + " >= ? AND " + col + " < ?", []any{t, successor(t)}, nil
	case registry.WhoIDNumber:
		in, args, err := tx.idHashes(w.Text)
		return p + "id_hash " + in, args, err
	case registry.WhoIDSuffix:
		return tx.suffixCond(p, w.Text)
	}
	return "", nil, fmt.Errorf("whoCond: unknown kind %d", w.Kind)
}

// initialsText returns the initials searched for: the Latin letters (in
// lower case) and digits of text, as name_initials holds them.
func initialsText(text string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(text))
}

// initialsColumn is name_initials compared in the order of the indexes on
// it, byte order: "C" on PostgreSQL whatever the database's collation,
// NOCASE on SQLite (initials are in lower case, so NOCASE is byte order).
func initialsColumn(e Engine) string {
	if e == Postgres {
		return `name_initials COLLATE "C"`
	}
	return "name_initials COLLATE NOCASE"
}

// successor returns the least string above every string that begins with
// t (t is Latin letters and digits): t with its last byte raised by one.
func successor(t string) string {
	return t[:len(t)-1] + string(t[len(t)-1]+1)
}

// suffixCond returns the condition that selects the persons (aliased p)
// whose ID number ends in suffix (four to six characters, in upper case),
// and its arguments: the keyed hashes of that ending (suffixHashes). Each
// is one probe of an index; no number is decrypted.
func (tx *Tx) suffixCond(p, suffix string) (string, []any, error) {
	col, hs, err := tx.suffixHashes(suffix)
	if err != nil {
		return "", nil, err
	}
	in, args, _ := hashCond(hs)
	return p + col + " " + in, args, nil
}

// suffixHashes returns the column that holds the keyed hashes of the end
// of a number that suffix (four to six characters, in upper case) is, and
// the hashes to look for there, under every key generation in use: of the
// last four characters (id_tail) for four, of the last six (id_tail6) for
// six, and for five the hashes of the six-character endings that end so.
// The character before the last five of a number is the tens of the day
// of birth, 0 to 3 in every number registered (idcard.Parse takes only
// real dates): five characters are four endings of six.
func (tx *Tx) suffixHashes(suffix string) (col string, hashes []string, err error) {
	if tx.db.keys == nil {
		return "", nil, errNoKeys
	}
	switch len(suffix) {
	case 4:
		return "id_tail", tx.db.keys.Hashes(hashIDTail, suffix), nil
	case 5:
		for d := '0'; d <= '3'; d++ {
			hashes = append(hashes, tx.db.keys.Hashes(hashIDTail6, string(d)+suffix)...)
		}
		return "id_tail6", hashes, nil
	case 6:
		return "id_tail6", tx.db.keys.Hashes(hashIDTail6, suffix), nil
	}
	return "", nil, fmt.Errorf("suffixHashes: %q is not 4 to 6 characters", suffix)
}

// personsOf returns the condition that selects the rows (aliased p, with
// county and person_id columns) of the persons matching w within scope.
func (tx *Tx) personsOf(ctx context.Context, p string, scope region.Code, w registry.Who) (string, []any, error) {
	if w.Kind == registry.WhoAny {
		return "1=1", nil, nil
	}
	cond, args, err := tx.whoCond(ctx, "", scope, w)
	if err != nil {
		return "", nil, err
	}
	where, sargs := searchScope(scope)
	return "(" + p + "county, " + p + "person_id) IN (SELECT county, id FROM persons WHERE " + where + " AND " + cond + ")",
		append(sargs, args...), nil
}
