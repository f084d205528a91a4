package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/jiahe-project/jiahe/internal/date"
)

// The passes of a county scan on SQLite read their rows through the SQLite
// library itself rather than database/sql and its driver, on connections
// opened for the scan. Two costs go: the driver opens every connection in
// SQLite's serialized mode, so that each column read (its type, then its
// value, then a text's length) takes and gives back the connection's
// mutex — in the pure-Go library a lock of a sharded table and a Go mutex
// each time, a sixth of the CPU time of a county's evaluation — and
// database/sql boxes every value in an interface and converts it again
// into the destination. A scan connection is opened without the mutex
// (SQLITE_OPEN_NOMUTEX, "multi-thread" mode): one goroutine at a time uses
// it, as database/sql would use a connection, and its cursors are read
// into the passes' fields directly.

// sqliteConn is a connection of the SQLite library, read-only, holding one
// read transaction from its first query until it is closed.
type sqliteConn struct {
	tls   *libc.TLS
	db    uintptr
	begun bool
}

// openSQLiteScanConn opens a connection of a county scan on db's file.
func (db *DB) openSQLiteScanConn() (*sqliteConn, error) {
	file, _, _ := strings.Cut(db.dsn, "?")
	return openSQLiteConn(file)
}

// openSQLiteConn opens the database file of uri (a "file:" URI without
// parameters) for a scan: read-only statements, a small page cache (a pass
// reads each page once) and the pool's busy timeout.
func openSQLiteConn(uri string) (*sqliteConn, error) {
	c := &sqliteConn{tls: libc.NewTLS()}
	name, err := libc.CString(uri)
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	defer libc.Xfree(c.tls, name)
	pdb := c.tls.Alloc(ptrSize)
	defer c.tls.Free(ptrSize)
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, pdb, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_NOMUTEX|sqlite3.SQLITE_OPEN_URI, 0)
	c.db = pointerAt(pdb)
	if rc != sqlite3.SQLITE_OK {
		err := c.err(rc)
		c.close()
		return nil, err
	}
	sqlite3.Xsqlite3_busy_timeout(c.tls, c.db, 10000)
	if err := c.exec(`PRAGMA query_only = ON; PRAGMA cache_size = -` + strconv.Itoa(scanCacheKiB)); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// err describes the connection's last error, rc.
func (c *sqliteConn) err(rc int32) error {
	msg := "out of memory"
	if c.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	}
	return fmt.Errorf("sqlite: %s (%d)", msg, rc)
}

// exec runs statements that return no rows.
func (c *sqliteConn) exec(stmts string) error {
	s, err := libc.CString(stmts)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, s)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, s, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}

// query prepares query, binds args (strings or int64s) and returns its
// rows. The first query of the connection begins its read transaction, so
// that every cursor of the connection reads one snapshot.
func (c *sqliteConn) query(ctx context.Context, query string, args ...any) (cursor, error) {
	if !c.begun {
		if err := c.exec(`BEGIN`); err != nil {
			return nil, err
		}
		c.begun = true
	}
	q, err := libc.CString(query)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, q)
	pstmt := c.tls.Alloc(ptrSize)
	defer c.tls.Free(ptrSize)
	if rc := sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, q, -1, pstmt, 0); rc != sqlite3.SQLITE_OK {
		return nil, c.err(rc)
	}
	stmt := pointerAt(pstmt)
	cur := &sqliteCursor{c: c, ctx: ctx, stmt: stmt, cols: int(sqlite3.Xsqlite3_column_count(c.tls, stmt))}
	for i, a := range args {
		var rc int32
		switch v := a.(type) {
		case string:
			s, err := libc.CString(v)
			if err != nil {
				cur.Close()
				return nil, err
			}
			rc = sqlite3.Xsqlite3_bind_text(c.tls, cur.stmt, int32(i+1), s, int32(len(v)), sqlite3.SQLITE_TRANSIENT)
			libc.Xfree(c.tls, s)
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(c.tls, cur.stmt, int32(i+1), v)
		default:
			cur.Close()
			return nil, fmt.Errorf("sqlite: cannot bind %T", a)
		}
		if rc != sqlite3.SQLITE_OK {
			cur.Close()
			return nil, c.err(rc)
		}
	}
	return cur, nil
}

// close ends the read transaction and closes the connection.
func (c *sqliteConn) close() {
	if c.db != 0 {
		sqlite3.Xsqlite3_close_v2(c.tls, c.db)
		c.db = 0
	}
	c.tls.Close()
}

// sqliteCursor is the rows of one statement of a sqliteConn.
type sqliteCursor struct {
	texts columnTexts
	c     *sqliteConn
	ctx   context.Context
	stmt  uintptr
	cols  int // the number of columns
	n     int
	err   error
}

// Next steps to the next row. It stops with the context's error when the
// context ends (checked every 1,024 rows).
func (r *sqliteCursor) Next() bool {
	if r.err != nil || r.stmt == 0 {
		return false
	}
	if r.n++; r.n&1023 == 0 {
		if r.err = r.ctx.Err(); r.err != nil {
			return false
		}
	}
	switch rc := sqlite3.Xsqlite3_step(r.c.tls, r.stmt); rc {
	case sqlite3.SQLITE_ROW:
		return true
	case sqlite3.SQLITE_DONE:
		return false
	default:
		r.err = r.c.err(rc)
		return false
	}
}

func (r *sqliteCursor) Err() error { return r.err }

func (r *sqliteCursor) Close() error {
	if r.stmt != 0 {
		sqlite3.Xsqlite3_finalize(r.c.tls, r.stmt)
		r.stmt = 0
	}
	return nil
}

// The current row's columns. A column that cannot be read ends the
// cursor with an error naming it.

func (r *sqliteCursor) fail(col int, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("scan column %d: %w", col, err)
	}
}

// column returns col's number for the library, and whether it is NULL;
// ok is false when there is no such column.
func (r *sqliteCursor) column(col int) (c int32, null, ok bool) {
	if col < 0 || col >= r.cols {
		r.fail(col, errNoColumn)
		return 0, false, false
	}
	c = int32(col)
	return c, sqlite3.Xsqlite3_column_type(r.c.tls, r.stmt, c) == sqlite3.SQLITE_NULL, true
}

func (r *sqliteCursor) Int64(col int) int64 {
	c, null, ok := r.column(col)
	if !ok {
		return 0
	}
	if null {
		r.fail(col, errNull)
	}
	return sqlite3.Xsqlite3_column_int64(r.c.tls, r.stmt, c)
}

func (r *sqliteCursor) Text(col int) string {
	c, null, ok := r.column(col)
	if !ok {
		return ""
	}
	if null {
		r.fail(col, errNull)
		return ""
	}
	return r.texts.of(col, r.bytes(c))
}

func (r *sqliteCursor) Date(col int) date.Date {
	c, null, ok := r.column(col)
	if !ok || null {
		return date.Date{}
	}
	// Read in place: the text is not kept. An empty text is the zero
	// date, as date.Date.Scan reads it.
	b := r.bytes(c)
	if len(b) == 0 {
		return date.Date{}
	}
	d, err := date.ParseStored(unsafe.String(&b[0], len(b)))
	if err != nil {
		r.fail(col, err)
	}
	return d
}

func (r *sqliteCursor) NullBool(col int) sql.NullBool {
	c, null, ok := r.column(col)
	if !ok || null {
		return sql.NullBool{}
	}
	return sql.NullBool{Bool: sqlite3.Xsqlite3_column_int64(r.c.tls, r.stmt, c) != 0, Valid: true}
}

// bytes returns column col's value as text in SQLite's memory, valid until
// the cursor moves.
func (r *sqliteCursor) bytes(col int32) []byte {
	p := sqlite3.Xsqlite3_column_text(r.c.tls, r.stmt, col)
	n := sqlite3.Xsqlite3_column_bytes(r.c.tls, r.stmt, col)
	if p == 0 || n == 0 {
		return nil
	}
	return libc.GoBytes(p, int(n))
}

// ptrSize is the size of a pointer in the library's memory.
const ptrSize = strconv.IntSize / 8

// pointerAt reads the pointer the library wrote at p.
func pointerAt(p uintptr) uintptr {
	b := libc.GoBytes(p, ptrSize)
	if ptrSize == 4 {
		return uintptr(binary.NativeEndian.Uint32(b))
	}
	return uintptr(binary.NativeEndian.Uint64(b))
}
