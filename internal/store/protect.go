package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Personal data at rest. ID numbers and account numbers are stored
// encrypted (keys.Ring.Seal, bound to their row), and so is the state
// before and after of every audit entry, which may hold them. A person's
// row also holds keyed hashes of the ID number (id_hash, found by
// look-ups and unique per county), of its last four characters
// (id_tail) and of its last six (id_tail6), for searches by the end of a
// number, and the six digits of
// the division that issued it (id_division, by which the person list
// sorts; the date of birth it encodes is the birth column already). None
// of these reveals a number to someone without the key file.

// The purposes of the keyed hashes.
const (
	hashIDNumber = "id_number"
	hashIDTail   = "id_tail"
	hashIDTail6  = "id_tail6"
)

// idColumns are the values stored for an ID number.
type idColumns struct{ sealed, hash, tail, tail6, division any }

func personAAD(county string, id int64) string {
	return string(appendPersonAAD(nil, county, id))
}

// appendPersonAAD appends personAAD(county, id) to b.
func appendPersonAAD(b []byte, county string, id int64) []byte {
	b = append(append(append(b, "persons.id_number "...), county...), '/')
	return strconv.AppendInt(b, id, 10)
}

// idFields returns what is stored for person county/id's ID number
// (NULLs when there is none).
func (tx *Tx) idFields(county string, id int64, idn string) idColumns {
	if idn == "" {
		return idColumns{}
	}
	k := tx.db.keys
	c := idColumns{sealed: k.Seal(idn, personAAD(county, id)), hash: k.Hash(hashIDNumber, idn)}
	if len(idn) >= 4 {
		c.tail = k.Hash(hashIDTail, idn[len(idn)-4:])
	}
	if len(idn) >= 6 {
		c.tail6 = idTail6(k, idn)
		c.division = idn[:6]
	}
	return c
}

// idTail6 returns the keyed hash of the last six characters of idn, which
// must have six at least.
func idTail6(k *keys.Ring, idn string) string {
	return k.Hash(hashIDTail6, idn[len(idn)-6:])
}

// openIDNumber decrypts person county/id's ID number. Its additional
// data is built on the stack: a page of a look-up opens twenty.
func (tx *Tx) openIDNumber(county string, id int64, stored string) (string, error) {
	if !keys.IsSealed(stored) || tx.db.keys == nil {
		return tx.open(stored, "")
	}
	var b [64]byte
	aad := appendPersonAAD(b[:0], county, id)
	s, err := tx.db.keys.OpenWith(stored, aad)
	if errors.Is(err, keys.ErrCorrupt) {
		return "", fmt.Errorf("%s: %w", string(aad), errCorrupt)
	}
	return s, err
}

// open decrypts a stored value; a value stored in clear is returned as it
// is.
func (tx *Tx) open(stored, aad string) (string, error) {
	if !keys.IsSealed(stored) {
		return stored, nil
	}
	if tx.db.keys == nil {
		return "", errNoKeys
	}
	s, err := tx.db.keys.Open(stored, aad)
	if errors.Is(err, keys.ErrCorrupt) {
		return "", fmt.Errorf("%s: %w", aad, errCorrupt)
	}
	return s, err
}

// errCorrupt is the error for a stored value that does not decrypt.
var errCorrupt = keys.ErrCorrupt

// idHashes returns the condition ("= ?" or "IN (?, ?)") and the arguments
// that find idn by its keyed hash under every generation in use.
func (tx *Tx) idHashes(idn string) (string, []any, error) {
	if tx.db.keys == nil {
		return "", nil, errNoKeys
	}
	return hashCond(tx.db.keys.Hashes(hashIDNumber, idn))
}

func hashCond(hs []string) (string, []any, error) {
	args := make([]any, len(hs))
	for i, h := range hs {
		args[i] = h
	}
	if len(hs) == 1 {
		return "= ?", args, nil
	}
	return "IN (" + placeholders(len(hs)) + ")", args, nil
}

// idLockBuckets is how many rows of id_locks share out the ID numbers.
const idLockBuckets = 256

// lockIDNumbers locks, on PostgreSQL, the buckets of the ID-number hashes
// until the transaction ends, in bucket order (so that two transactions
// never wait for each other). Registrations of one number in two counties
// then run one after the other, and the second sees the first: the check
// that a number is registered nowhere holds across counties without
// SERIALIZABLE. Callers lock their chains first (LockChain), then buckets.
func (tx *Tx) lockIDNumbers(ctx context.Context, hashes []any) error {
	if tx.db.Engine != Postgres || len(hashes) == 0 {
		return nil
	}
	var buckets []int64
	for _, h := range hashes {
		b, err := base64.RawURLEncoding.DecodeString(h.(string)[:4])
		if err != nil {
			return fmt.Errorf("lock ID numbers: %w", err)
		}
		buckets = append(buckets, int64(b[0])%idLockBuckets)
	}
	slices.Sort(buckets)
	buckets = slices.Compact(buckets)
	in, args := tx.oneOf(buckets)
	rows, err := tx.Query(ctx, `SELECT bucket FROM id_locks WHERE bucket `+in+` ORDER BY bucket FOR UPDATE`, args...)
	if err != nil {
		return fmt.Errorf("lock ID numbers: %w", err)
	}
	return rows.Close()
}

// PersonsByIDSuffix returns up to limit persons within scope whose ID
// number ends in suffix (four to six digits, the last may be X), in
// county and id order, found by the keyed hashes of the end (suffixCond).
func (tx *Tx) PersonsByIDSuffix(ctx context.Context, scope region.Code, suffix string, limit int) ([]registry.Record, error) {
	suffix = strings.ToUpper(strings.TrimSpace(suffix))
	if n := len(suffix); n < 4 || n > 6 || strings.Trim(suffix[:n-1], "0123456789") != "" || strings.Trim(suffix[n-1:], "0123456789X") != "" {
		return nil, apperr.Invalidf("id_suffix", "身份证号末尾应为 4 至 6 位", "give the last 4 to 6 characters of an ID number")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	cond, args, err := tx.suffixCond("", suffix)
	if err != nil {
		return nil, err
	}
	where, sargs := scopeClause("", scope)
	return tx.persons(ctx, `SELECT `+personColumns+` FROM persons WHERE `+cond+` AND `+where+` ORDER BY county, id LIMIT `+strconv.Itoa(limit),
		append(args, sargs...)...)
}

// DatabaseID returns the random id the database was given when it was
// first brought under its keys; anchors name it.
func (tx *Tx) DatabaseID(ctx context.Context) (string, error) {
	var id string
	err := tx.QueryRow(ctx, `SELECT value FROM jiahe_meta WHERE name = 'database_id'`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errors.New("the database has no id: run `jiahe migrate`")
	}
	return id, err
}

// CheckKeys checks that the key file holds every key generation the
// database was ever used with, each the same: a wrong or replaced key
// file is refused before it can write anything.
func (db *DB) CheckKeys(ctx context.Context) error {
	if db.keys == nil {
		return errNoKeys
	}
	return db.View(ctx, func(tx *Tx) error { return tx.checkKeys(ctx, false) })
}

// checkKeys compares the key file with key_generations; when record is
// set it also records the generations the database has not seen yet and
// which of them are retired.
func (tx *Tx) checkKeys(ctx context.Context, record bool) error {
	rows, err := tx.Query(ctx, `SELECT id, fingerprint FROM key_generations ORDER BY id`)
	if err != nil {
		return err
	}
	known := map[int]string{}
	for rows.Next() {
		var id int
		var fp string
		if err := rows.Scan(&id, &fp); err != nil {
			rows.Close()
			return err
		}
		known[id] = fp
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, fp := range known {
		g, ok := tx.db.keys.Generation(id)
		if !ok {
			return fmt.Errorf("the key file lacks key generation %d, which this database uses (密钥文件缺少第 %d 代密钥)", id, id)
		}
		if g.Fingerprint() != fp {
			return fmt.Errorf("key generation %d of the key file is not the one this database uses: wrong or replaced key file (密钥文件与数据库不符)", id)
		}
	}
	if !record {
		return nil
	}
	for _, g := range tx.db.keys.Generations() {
		if _, ok := known[g.ID]; !ok {
			if _, err := tx.Exec(ctx, `INSERT INTO key_generations (id, cipher, fingerprint, added_at) VALUES (?, ?, ?, ?)`,
				g.ID, g.Cipher, g.Fingerprint(), ts(tx.now)); err != nil {
				return err
			}
		}
		if g.Retired {
			if _, err := tx.Exec(ctx, `UPDATE key_generations SET retired_at = ? WHERE id = ? AND retired_at IS NULL`, ts(tx.now), g.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// protect brings a migrated database under its keys: it records the key
// generations and the database's id, encrypts what is still stored in
// clear or under an older generation (reseal), and keys the audit chains
// (keyChains). It runs at the end of every Migrate and costs nothing once
// done.
func (db *DB) protect(ctx context.Context) error {
	if db.keys == nil {
		return fmt.Errorf("migrate: %w", errNoKeys)
	}
	var done string
	err := db.Update(ctx, func(tx *Tx) error {
		if err := tx.checkKeys(ctx, true); err != nil {
			return err
		}
		var b [16]byte
		rand.Read(b[:])
		if _, err := tx.Exec(ctx, `INSERT INTO jiahe_meta (name, value) VALUES ('database_id', ?) ON CONFLICT (name) DO NOTHING`,
			hex.EncodeToString(b[:])); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT value FROM jiahe_meta WHERE name = 'sealed_with'`).Scan(&done)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	cur := strconv.Itoa(db.keys.Current().ID)
	if done != cur {
		n, err := db.reseal(ctx)
		if err != nil {
			return err
		}
		if err := db.Update(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO jiahe_meta (name, value) VALUES ('sealed_with', ?)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value`, cur)
			return err
		}); err != nil {
			return err
		}
		if done == "" && n > 0 {
			// Values were stored in clear until now: rewrite the tables so
			// that no free page keeps the clear text.
			if err := db.compact(ctx); err != nil {
				return err
			}
		}
	}
	return db.keyChains(ctx)
}

// compact rewrites the tables that held clear values.
func (db *DB) compact(ctx context.Context) error {
	if db.Engine == Postgres {
		_, err := db.w.ExecContext(ctx, `VACUUM (FULL, ANALYZE) persons, bank_accounts, payment_batch_items, audit_log`)
		return err
	}
	if _, err := db.w.ExecContext(ctx, `VACUUM`); err != nil {
		return err
	}
	_, err := db.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// keyChains starts the system chain of a database that has none
// (audit.ActionInit), and keys every chain whose head is not sealed yet —
// chains written before the chains were keyed: each gets an opening entry
// on the system chain and a first keyed entry (audit.ActionKeyed), whose
// hash covers all the unkeyed ones before it.
func (db *DB) keyChains(ctx context.Context) error {
	var heads []audit.Head
	var id string
	if err := db.View(ctx, func(tx *Tx) (err error) {
		if id, err = tx.DatabaseID(ctx); err != nil {
			return err
		}
		heads, err = tx.AuditHeads(ctx)
		return err
	}); err != nil {
		return err
	}
	fp := db.keys.Current().Fingerprint()
	hasSystem := false
	var legacy []string
	for _, h := range heads {
		hasSystem = hasSystem || h.County == ""
		if h.KeyID == 0 {
			legacy = append(legacy, h.County)
		}
	}
	note := audit.JSON(map[string]string{"key": fp})
	if !hasSystem {
		if err := db.Update(ctx, func(tx *Tx) error {
			return tx.Audit(ctx, audit.Entry{County: "", Username: "system", Action: audit.ActionInit, Entity: audit.EntityChain,
				EntityID: id, After: note})
		}); err != nil {
			return err
		}
	}
	for _, county := range legacy { // the system chain, "", first
		err := db.Update(ctx, func(tx *Tx) error {
			if county != "" {
				var n int
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE county = '' AND action = ? AND entity_id = ?`,
					audit.ActionOpen, county).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					if err := tx.Audit(ctx, audit.Entry{County: "", Username: "system", Action: audit.ActionOpen,
						Entity: audit.EntityChain, EntityID: county, Region: county}); err != nil {
						return err
					}
				}
			}
			return tx.Audit(ctx, audit.Entry{County: county, Username: "system", Action: audit.ActionKeyed,
				Entity: audit.EntityChain, EntityID: county, Region: county, After: note})
		})
		if err != nil {
			return fmt.Errorf("key audit chain %q: %w", county, err)
		}
	}
	return nil
}

// idDerived are the columns of persons computed from the ID number, in
// the order of idColumns after sealed.
var idDerived = []string{"id_hash", "id_tail", "id_tail6", "id_division"}

// idDerivedColumns is idDerived as a column list.
var idDerivedColumns = strings.Join(idDerived, ", ")

// sealTable says how to reseal the encrypted columns of one table.
type sealTable struct {
	name string
	key  []string // the primary key's columns
	pg   []string // their PostgreSQL types
	cols []string // the encrypted columns
	aad  func(col string, key []any) string
	// derived, if set, returns further columns computed from the clear
	// value of the first encrypted column (names, then values).
	derived func(key []any, plain string) ([]string, []any)
}

func keyText(key []any) string {
	parts := make([]string, len(key))
	for i, k := range key {
		parts[i] = fmt.Sprint(k)
	}
	return strings.Join(parts, "/")
}

func (db *DB) sealTables() []sealTable {
	return []sealTable{
		{name: "persons", key: []string{"county", "id"}, pg: []string{"text", "bigint"}, cols: []string{"id_number"},
			aad: func(_ string, k []any) string { return personAAD(k[0].(string), k[1].(int64)) },
			derived: func(k []any, plain string) ([]string, []any) {
				f := (&Tx{db: db}).idFields(k[0].(string), k[1].(int64), plain)
				return idDerived, []any{f.hash, f.tail, f.tail6, f.division}
			}},
		{name: "bank_accounts", key: []string{"county", "person_id"}, pg: []string{"text", "bigint"}, cols: []string{"account_no"},
			aad: func(_ string, k []any) string { return accountAAD(k[0].(string), k[1].(int64)) }},
		{name: "payment_batch_items", key: []string{"county", "batch_id", "seq"}, pg: []string{"text", "bigint", "bigint"},
			cols: []string{"id_number", "account_no"},
			aad:  func(c string, k []any) string { return "payment_batch_items." + c + " " + keyText(k) }},
		{name: "match_rows", key: []string{"county", "import_id", "row_no"}, pg: []string{"text", "bigint", "integer"}, cols: []string{"cells"},
			aad: func(_ string, k []any) string { return rowAAD(k[0].(string), k[1].(int64), int(k[2].(int64))) }},
		{name: "audit_log", key: []string{"county", "seq"}, pg: []string{"text", "bigint"}, cols: []string{"before", "after"},
			aad: func(c string, k []any) string { return fmt.Sprintf("audit_log.%s %s/%d", c, k[0], k[1]) }},
	}
}

// reseal encrypts, with the current key generation, every value of the
// encrypted columns that is stored in clear or under another generation,
// and recomputes the keyed hashes with it, a thousand rows a transaction.
// It returns how many rows it rewrote.
func (db *DB) reseal(ctx context.Context) (int, error) {
	total := 0
	for _, t := range db.sealTables() {
		n, err := db.resealTable(ctx, t)
		total += n
		if err != nil {
			return total, fmt.Errorf("encrypt %s: %w", t.name, err)
		}
	}
	return total, nil
}

func (db *DB) resealTable(ctx context.Context, t sealTable) (int, error) {
	mark := "$" + strconv.Itoa(db.keys.Current().ID) + "$%"
	var stale []string
	var markArgs []any
	for _, c := range t.cols {
		stale = append(stale, "("+c+" IS NOT NULL AND "+c+" <> '' AND "+c+" NOT LIKE ?)")
		markArgs = append(markArgs, mark)
	}
	if t.derived != nil {
		stale = append(stale, "("+t.cols[0]+" IS NOT NULL AND id_hash IS NULL)")
	}
	keyList := strings.Join(t.key, ", ")
	sel := `SELECT ` + keyList + `, ` + strings.Join(t.cols, ", ") + ` FROM ` + t.name + ` WHERE (` + strings.Join(stale, " OR ") + `)`
	const batch = 1000
	var cursor []any
	total := 0
	for {
		q, args := sel, slices.Clone(markArgs)
		if cursor != nil {
			q += ` AND (` + keyList + `) > (` + placeholders(len(t.key)) + `)`
			args = append(args, cursor...)
		}
		q += ` ORDER BY ` + keyList + ` LIMIT ` + strconv.Itoa(batch)
		n := 0
		err := db.Update(ctx, func(tx *Tx) error {
			rows, err := tx.Query(ctx, q, args...)
			if err != nil {
				return err
			}
			var work [][]any
			for rows.Next() {
				key := make([]any, len(t.key))
				for i, typ := range t.pg {
					if typ == "text" {
						key[i] = new(string)
					} else {
						key[i] = new(int64)
					}
				}
				vals := make([]sql.NullString, len(t.cols))
				dest := slices.Clone(key)
				for i := range vals {
					dest = append(dest, &vals[i])
				}
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return err
				}
				row := make([]any, 0, len(key)+len(vals))
				for _, k := range key {
					switch v := k.(type) {
					case *string:
						row = append(row, *v)
					case *int64:
						row = append(row, *v)
					}
				}
				for _, v := range vals {
					row = append(row, v)
				}
				work = append(work, row)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			n = len(work)
			if n == 0 {
				return nil
			}
			cursor = work[n-1][:len(t.key)]
			return tx.resealRows(ctx, t, work)
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < batch {
			return total, nil
		}
	}
}

// resealRows rewrites rows (key values, then the encrypted columns as
// sql.NullString) of t.
func (tx *Tx) resealRows(ctx context.Context, t sealTable, rows [][]any) error {
	nk := len(t.key)
	var setCols []string
	var values [][]any
	for _, row := range rows {
		key := row[:nk]
		var out []any
		var names []string
		for i, c := range t.cols {
			v := row[nk+i].(sql.NullString)
			if !v.Valid {
				out, names = append(out, nil), append(names, c)
				continue
			}
			plain, err := tx.open(v.String, t.aad(c, key))
			if err != nil {
				return fmt.Errorf("%s %s: %w", t.name, keyText(key), err)
			}
			out, names = append(out, tx.db.keys.Seal(plain, t.aad(c, key))), append(names, c)
			if i == 0 && t.derived != nil {
				dn, dv := t.derived(key, plain)
				out, names = append(out, dv...), append(names, dn...)
			}
		}
		if t.derived != nil && len(names) == len(t.cols) { // a NULL number: no hashes
			out, names = append(out, nil, nil, nil, nil), append(names, idDerived...)
		}
		setCols = names
		values = append(values, append(slices.Clone(key), out...))
	}
	if tx.db.Engine == SQLite {
		var set []string
		for _, c := range setCols {
			set = append(set, c+" = ?")
		}
		var where []string
		for _, k := range t.key {
			where = append(where, k+" = ?")
		}
		stmt, err := tx.tx.PrepareContext(ctx, `UPDATE `+t.name+` SET `+strings.Join(set, ", ")+` WHERE `+strings.Join(where, " AND "))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, v := range values {
			args := append(slices.Clone(v[nk:]), v[:nk]...)
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		return nil
	}
	// PostgreSQL: one UPDATE … FROM (VALUES …) for the batch.
	var b strings.Builder
	b.WriteString(`UPDATE ` + t.name + ` AS t SET `)
	for i, c := range setCols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = v." + c)
	}
	b.WriteString(` FROM (VALUES `)
	var args []any
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range v {
			if j > 0 {
				b.WriteByte(',')
			}
			typ := "text"
			if j < nk {
				typ = t.pg[j]
			}
			b.WriteString("?::" + typ)
		}
		b.WriteByte(')')
		args = append(args, v...)
	}
	b.WriteString(`) AS v(` + strings.Join(append(slices.Clone(t.key), setCols...), ", ") + `) WHERE `)
	for i, k := range t.key {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString("t." + k + " = v." + k)
	}
	_, err := tx.Exec(ctx, b.String(), args...)
	return err
}

// RotateKeys re-encrypts and rehashes everything with the key file's
// current generation (which the caller has just added), then retires
// the older generations: it records them retired and returns, for the
// caller to write the key file with them marked. Run it with no server
// running on the database: a server holding the old key file would go on
// writing with the old generation.
func (db *DB) RotateKeys(ctx context.Context) (int, error) {
	if db.keys == nil {
		return 0, errNoKeys
	}
	if err := db.Update(ctx, func(tx *Tx) error { return tx.checkKeys(ctx, true) }); err != nil {
		return 0, err
	}
	n, err := db.reseal(ctx)
	if err != nil {
		return n, err
	}
	m, err := db.rehashMatchFacts(ctx)
	n += m
	if err != nil {
		return n, err
	}
	cur := db.keys.Current()
	db.keys.Retire()
	err = db.Update(ctx, func(tx *Tx) error {
		if err := tx.checkKeys(ctx, true); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO jiahe_meta (name, value) VALUES ('sealed_with', ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, strconv.Itoa(cur.ID)); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{County: "", Username: "system", Action: "keys.rotate", Entity: audit.EntityChain,
			EntityID: strconv.Itoa(cur.ID), After: audit.JSON(map[string]any{"generation": cur.ID, "cipher": cur.Cipher,
				"key": cur.Fingerprint(), "rewritten": n})})
	})
	return n, err
}

// KeyUse counts, for each key generation, the values encrypted with it,
// and the values stored in clear (generation 0), across every encrypted
// column.
func (db *DB) KeyUse(ctx context.Context) (map[int]int, error) {
	out := map[int]int{}
	err := db.View(ctx, func(tx *Tx) error {
		for _, t := range db.sealTables() {
			for _, c := range t.cols {
				rows, err := tx.Query(ctx, `SELECT `+c+` FROM `+t.name+` WHERE `+c+` IS NOT NULL AND `+c+` <> ''`)
				if err != nil {
					return err
				}
				for rows.Next() {
					var v string
					if err := rows.Scan(&v); err != nil {
						rows.Close()
						return err
					}
					out[keys.SealedWith(v)]++
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

func accountAAD(county string, personID int64) string {
	return "bank_accounts.account_no " + county + "/" + strconv.FormatInt(personID, 10)
}

// Backup writes a consistent copy of a SQLite database to path (which
// must not exist) while it is in use: VACUUM INTO, on a connection of its
// own that only reads the database, so that writers go on meanwhile. The copy holds what the database holds —
// encrypted values stay encrypted — and is read with the same key file,
// which the copy does not contain. PostgreSQL is backed up with its own
// tools, and refused here.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Engine != SQLite {
		return apperr.Invalidf("engine",
			"PostgreSQL 数据库请用 pg_dump 备份、pg_restore 恢复（见 docs/security.md），jiahe backup 只用于 SQLite",
			"back up PostgreSQL with pg_dump and restore it with pg_restore (docs/security.md): jiahe backup is for SQLite")
	}
	if path == "" {
		return apperr.Invalidf("file", "缺少备份文件名", "no backup file given")
	}
	c, err := sql.Open("sqlite", db.dsn)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
