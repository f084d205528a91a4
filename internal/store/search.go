package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Finding a person in a list (registry.ParseWho): by the beginning of the
// name, by the beginning of its pinyin initials (persons.name_initials,
// computed with matching.Initials whenever a person is written), by the
// end of the ID number, or by the whole number. The end of a number is
// found through id_tail, the keyed hash of its last four characters (see
// idFields): a hash needs the key file to be computed, so the column
// reveals no digits, only which persons share their last four. A search
// by five or six characters reads the few persons who share the last
// four, decrypts their numbers and keeps those that end as asked.

// migrationSteps are steps in Go that run in the transaction of the
// migration of their number, after its SQL.
var migrationSteps = map[int]func(context.Context, *Tx) error{
	16: fillNameInitials,
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

// maxSuffixMatches bounds the persons a search by the last five or six
// characters of an ID number may find within the scope.
const maxSuffixMatches = 1000

// whoCond returns the condition that selects the persons (aliased p,
// e.g. "p.") matching w within scope, and its arguments. A search by five
// or six characters is resolved here to the keyed hashes of the whole
// numbers that end so.
func (tx *Tx) whoCond(ctx context.Context, p string, scope region.Code, w registry.Who) (string, []any, error) {
	switch w.Kind {
	case registry.WhoAny:
		return "1=1", nil, nil
	case registry.WhoName:
		return p + "name LIKE ?", []any{escapeLike(w.Text) + "%"}, nil
	case registry.WhoInitials:
		// The prefix is written into the query, not passed as an
		// argument: PostgreSQL plans a prepared statement generically
		// after a few runs, and a generic plan cannot use the index for
		// LIKE $1 (it walked the name index instead, seconds on a county
		// of a million). Initials are Latin letters and digits only.
		prefix := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, strings.ToLower(w.Text))
		return p + "name_initials LIKE '" + prefix + "%'", nil, nil
	case registry.WhoIDNumber:
		in, args, err := tx.idHashes(w.Text)
		return p + "id_hash " + in, args, err
	case registry.WhoIDSuffix:
		if tx.db.keys == nil {
			return "", nil, errNoKeys
		}
		in, args, _ := hashCond(tx.db.keys.Hashes(hashIDTail, w.Text[len(w.Text)-4:]))
		if len(w.Text) == 4 {
			return p + "id_tail " + in, args, nil
		}
		hashes, err := tx.suffixHashes(ctx, scope, w.Text, in, args)
		if err != nil {
			return "", nil, err
		}
		if len(hashes) == 0 {
			return "1=0", nil, nil
		}
		return p + "id_hash IN (?" + strings.Repeat(", ?", len(hashes)-1) + ")", hashes, nil
	}
	return "", nil, fmt.Errorf("whoCond: unknown kind %d", w.Kind)
}

// suffixHashes returns the id hashes of the persons within scope whose
// number ends in suffix (five or six characters), among those whose last
// four have the hashes of the condition "id_tail "+in.
func (tx *Tx) suffixHashes(ctx context.Context, scope region.Code, suffix, in string, args []any) ([]any, error) {
	where, sargs := scopeClause("", scope)
	rows, err := tx.Query(ctx, `SELECT county, id, id_number, id_hash FROM persons WHERE id_tail `+in+` AND `+where,
		append(args, sargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var county, sealed, hash string
		var id int64
		if err := rows.Scan(&county, &id, &sealed, &hash); err != nil {
			return nil, err
		}
		n, err := tx.openIDNumber(county, id, sealed)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(n, suffix) {
			out = append(out, hash)
			if len(out) == maxSuffixMatches {
				break
			}
		}
	}
	return out, rows.Err()
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
	where, sargs := scopeClause("", scope)
	return "(" + p + "county, " + p + "person_id) IN (SELECT county, id FROM persons WHERE " + where + " AND " + cond + ")",
		append(sargs, args...), nil
}
