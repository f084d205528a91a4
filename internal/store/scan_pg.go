package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jiahe-project/jiahe/internal/date"
)

// The passes of a county scan on PostgreSQL read their rows through pgx's
// own interface rather than database/sql, on connections of the scan's own
// (outside the pool, closed when the scan ends), and every value is decoded
// from PostgreSQL's binary format straight into the pass's fields — a
// bigint from its eight bytes, a date from its day number — without
// database/sql's conversions, locks and interface values, which cost more
// than the decoding itself on the millions of rows of a county. A range's
// rows are decoded as they arrive, by the goroutine of the connection that
// reads them, so that the pass takes values, not bytes to decode.
//
// The passes run in two groups, each on one connection: a connection a
// pass meant fourteen server processes sharing two cores, and the server
// spent half as much again on the same reads (docs/performance.md). A
// pass does not hold a cursor open in key order on its connection, which
// a group's other passes then could not use; it reads a range of keys at
// a time — a bitmap of the range's rows from the key's index, then their
// pages in table order, each once (pgScanConn.rangesOnly) — and orders each
// range itself. A range holds some sixteen thousand rows, and memory two
// ranges a pass (the one read and the one read ahead); rows registered
// together lie together in a table, so a range's keys lie close together
// and its rows are counted into place by key (pgRange.sort).

// pgRangeRows is the number of rows a range of a pass aims at: the width
// of the next range is set from the rows of the last. A variable for tests.
var pgRangeRows int64 = 1 << 14

// pgScanConn is a connection of a county scan, outside the pool, on which
// a group of passes reads its ranges. One goroutine runs the connection's
// queries in turn, so that a pass asks for its next range as soon as it
// starts on the current one, and the server reads ahead while the rows
// already read are evaluated.
type pgScanConn struct {
	conn *pgx.Conn
	sql  func(string) string // the pool's placeholder rewriting
	jobs chan *connJob
	done chan struct{}
}

// connJob is a query a pass asks of the connection.
type connJob struct {
	run   func(*pgx.Conn) error
	err   error
	ready chan struct{} // closed when run has returned
}

// openPGScanConn connects to the database of db and starts a read-only
// transaction on one snapshot (every range of every pass of the group
// reads the same) without JIT compilation, which costs more than it saves
// on plain reads.
func (db *DB) openPGScanConn(ctx context.Context) (*pgScanConn, error) {
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off`); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	c := &pgScanConn{conn: conn, sql: db.rebind, jobs: make(chan *connJob, 16), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for j := range c.jobs {
			j.err = j.run(conn)
			close(j.ready)
		}
	}()
	return c, nil
}

// rangesOnly has the server read each range of keys through a bitmap of
// its rows (their pages in table order, each once), never by walking the
// key's index row by row, which the planner prefers for a range of a few
// thousand rows and which cost the server nearly twice as much as reading
// the same rows in table order. It is set once the passes are open: the
// first and last keys of each pass are found by the index.
func (c *pgScanConn) rangesOnly(ctx context.Context) error {
	j := c.start(func(conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, `SET LOCAL enable_indexscan = off`)
		return err
	})
	<-j.ready
	return j.err
}

// start queues run on the connection.
func (c *pgScanConn) start(run func(*pgx.Conn) error) *connJob {
	j := &connJob{run: run, ready: make(chan struct{})}
	c.jobs <- j
	return j
}

// close waits for the queued queries and closes the connection; the
// passes are closed first.
func (c *pgScanConn) close() {
	close(c.jobs)
	<-c.done
	c.conn.Close(context.Background())
}

// pgRanges is the rows of one pass, read a range of keys at a time on the
// group's connection and decoded there as they arrive (scan), each range
// ordered by key and id, with the next range read ahead while the pass
// takes the rows of the current one.
type pgRanges[T any] struct {
	c      *pgScanConn
	ctx    context.Context
	query  string // the pass's query with the range's bounds, $2 <= key < $3
	county string
	scan   func(r row) T
	texts  columnTexts // the texts of the columns read, used by the connection's goroutine only
	next   int64       // the first key of the next range
	last   int64       // the county's last key
	width  int64
	more   bool        // ranges remain to be asked for
	cur    *pgRange[T] // the range being read
	ahead  *pgRange[T] // the range read ahead (pending), or the spare buffer
	job    *connJob    // the read of ahead; nil when none is pending
	pos    int
	err    error
}

// pgRange is the rows of a range, decoded and ordered.
type pgRange[T any] struct {
	rows []keyed[T]
	// scratch of sort
	counts []int32
	sorted []keyed[T]
}

// openPGRanges opens the pass q on c, its rows decoded by scan: it finds
// the county's first and last key in the table; the ranges are read as
// next needs them.
func openPGRanges[T any](ctx context.Context, c *pgScanConn, q passQuery, scan func(r row) T) (*pgRanges[T], error) {
	r := &pgRanges[T]{c: c, ctx: ctx, county: q.county, scan: scan, width: pgRangeRows, cur: &pgRange[T]{}, ahead: &pgRange[T]{},
		query: c.sql(q.sel + ` AND ` + q.key + ` >= ? AND ` + q.key + ` < ?`)}
	var first, last *int64
	j := c.start(func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, `SELECT min(`+q.key+`), max(`+q.key+`) FROM `+q.table+` WHERE county = $1`, q.county).Scan(&first, &last)
	})
	<-j.ready
	if j.err != nil {
		return nil, j.err
	}
	if first != nil {
		r.next, r.last, r.more = *first, *last, true
	}
	return r, nil
}

// nextRow returns the next row, taking the range read ahead when the
// current one is done and asking for the one after it; nil at the end or
// on an error (Err).
func (r *pgRanges[T]) nextRow() *keyed[T] {
	if r.err != nil {
		return nil
	}
	r.pos++
	for r.pos >= len(r.cur.rows) {
		if r.job == nil {
			if !r.more {
				return nil
			}
			r.fetch()
		}
		<-r.job.ready
		if r.err = r.job.err; r.err != nil {
			return nil
		}
		r.job = nil
		r.cur, r.ahead = r.ahead, r.cur
		r.pos = 0
		r.aim(len(r.cur.rows))
		if r.more {
			r.fetch()
		}
	}
	return &r.cur.rows[r.pos]
}

// fetch asks the connection for the next range, into r.ahead.
func (r *pgRanges[T]) fetch() {
	lo := r.next
	hi := lo + r.width
	if hi > r.last || hi < lo { // the last range, or past the largest key
		hi, r.more = r.last, false
	}
	r.next = hi + 1
	b := r.ahead
	r.job = r.c.start(func(conn *pgx.Conn) error {
		return r.read(conn, b, lo, hi+1)
	})
}

// aim sets the width of the next range from the rows of the last: about
// pgRangeRows rows, widening at most fourfold at a time (a sparse stretch
// of keys).
func (r *pgRanges[T]) aim(n int) {
	switch {
	case int64(n)*4 < pgRangeRows:
		r.width *= 4
	default:
		r.width = max(1, r.width*pgRangeRows/int64(n))
	}
	r.width = min(r.width, 1<<40)
}

// read reads the rows with keys lo..hi-1 into b, decoded and ordered. A
// column that cannot be read as the table reads it fails the read, with
// an error naming the column.
func (r *pgRanges[T]) read(conn *pgx.Conn, b *pgRange[T], lo, hi int64) error {
	b.rows = b.rows[:0]
	rows, err := conn.Query(r.ctx, r.query, r.county, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	raw := pgRow{fields: rows.FieldDescriptions(), texts: &r.texts}
	if len(raw.fields) < 2 {
		// A query that failed (cancelled, say) describes no columns; its
		// error comes once its rows are closed.
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("scan: %d columns", len(raw.fields))
	}
	if cap(b.rows) == 0 {
		b.rows = make([]keyed[T], 0, pgRangeRows+pgRangeRows/4)
	}
	sorted := true
	for rows.Next() {
		raw.vals = rows.RawValues()
		k := keyed[T]{key: raw.Int64(0), id: raw.Int64(1)}
		k.v = r.scan(&raw)
		if raw.err != nil {
			return raw.err
		}
		if n := len(b.rows); n > 0 && keyedCmp(&b.rows[n-1], &k) > 0 {
			sorted = false
		}
		b.rows = append(b.rows, k)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if !sorted {
		b.sort(lo, hi)
	}
	return nil
}

func keyedCmp[T any](a, b *keyed[T]) int {
	return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
}

// sort orders the rows, whose keys are lo..hi-1, by key and id. A range
// read through a bitmap comes in the order of the table's pages, nearly
// but not quite the keys' order: when the range's keys are not many more
// than its rows, the rows are counted into place by key (the keys of a
// range lie close together), and only the few rows of one key ordered by
// id; otherwise they are sorted.
func (b *pgRange[T]) sort(lo, hi int64) {
	n := len(b.rows)
	width := hi - lo
	if width <= 0 || width > 4*int64(n)+1024 {
		slices.SortFunc(b.rows, func(x, y keyed[T]) int { return keyedCmp(&x, &y) })
		return
	}
	if int64(cap(b.counts)) < width+1 {
		b.counts = make([]int32, width+1)
	}
	counts := b.counts[:width+1]
	clear(counts)
	for i := range b.rows {
		k := b.rows[i].key
		if k < lo || k >= hi {
			// Not the range asked for: sorted as it is.
			slices.SortFunc(b.rows, func(x, y keyed[T]) int { return keyedCmp(&x, &y) })
			return
		}
		counts[k-lo+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	b.sorted = slices.Grow(b.sorted[:0], n)[:n]
	for i := range b.rows {
		c := &counts[b.rows[i].key-lo]
		b.sorted[*c] = b.rows[i]
		*c++
	}
	clear(b.rows) // the values' strings, no longer kept here
	b.rows, b.sorted = b.sorted, b.rows
	// Rows of one key, by id: a few at most, mostly in order already.
	rows := b.rows
	for i := 1; i < n; i++ {
		for j := i; j > 0 && rows[j].key == rows[j-1].key && rows[j].id < rows[j-1].id; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

func (r *pgRanges[T]) Err() error { return r.err }

// Close waits for the range read ahead, if any, and forgets the pass's
// rows; the connection is the group's.
func (r *pgRanges[T]) Close() error {
	if r.job != nil {
		<-r.job.ready
		r.job = nil
	}
	r.cur, r.ahead, r.more = &pgRange[T]{}, &pgRange[T]{}, false
	return nil
}

// pgRow is a row as it arrives, its columns decoded from their binary (or
// text) format as a table reads them. A column that cannot be read sets
// err, the first one's, naming it.
type pgRow struct {
	vals   [][]byte
	fields []pgconn.FieldDescription
	texts  *columnTexts
	err    error
}

// value returns column col (nil: NULL) and its description; ok is false
// when there is no such column.
func (r *pgRow) value(col int) (v []byte, f *pgconn.FieldDescription, ok bool) {
	if col < 0 || col >= len(r.fields) || col >= len(r.vals) {
		r.fail(col, errNoColumn)
		return nil, nil, false
	}
	return r.vals[col], &r.fields[col], true
}

// fail records the error of column col, the first one's.
func (r *pgRow) fail(col int, err error) {
	if r.err == nil {
		name := strconv.Itoa(col)
		if col >= 0 && col < len(r.fields) {
			name = r.fields[col].Name
		}
		r.err = fmt.Errorf("scan column %s: %w", name, err)
	}
}

func (r *pgRow) Int64(col int) int64 {
	v, f, ok := r.value(col)
	if !ok {
		return 0
	}
	n, err := pgInt(v, f.DataTypeOID, f.Format == pgx.BinaryFormatCode)
	if err != nil {
		r.fail(col, err)
	}
	return n
}

func (r *pgRow) Text(col int) string {
	v, _, ok := r.value(col)
	if ok && v == nil {
		r.fail(col, errNull)
	}
	if r.texts == nil {
		return string(v)
	}
	return r.texts.of(col, v)
}

func (r *pgRow) Err() error { return r.err }

func (r *pgRow) NullText(col int) string {
	v, _, _ := r.value(col)
	return string(v)
}

func (r *pgRow) Time(col int) time.Time {
	v, f, ok := r.value(col)
	if !ok || v == nil {
		return time.Time{}
	}
	if f.Format != pgx.BinaryFormatCode {
		t, err := parseTimestamp(string(v))
		if err != nil {
			r.fail(col, err)
		}
		return t
	}
	if f.DataTypeOID != oidTimestamptz || len(v) != 8 {
		r.fail(col, fmt.Errorf("not an instant (type %d)", f.DataTypeOID))
		return time.Time{}
	}
	us := int64(binaryBE.Uint64(v))
	if us == 1<<63-1 || us == -1<<63 {
		r.fail(col, errors.New("infinite instant"))
		return time.Time{}
	}
	return time.UnixMicro(us + pgEpochDay*86400*1e6).UTC()
}

func (r *pgRow) Date(col int) date.Date {
	v, f, ok := r.value(col)
	if !ok || v == nil {
		return date.Date{}
	}
	d, err := decodePGDate(v, f)
	if err != nil {
		r.fail(col, err)
	}
	return d
}

func (r *pgRow) NullBool(col int) sql.NullBool {
	v, f, ok := r.value(col)
	if !ok || v == nil {
		return sql.NullBool{}
	}
	b, err := pgBool(v, f.Format == pgx.BinaryFormatCode)
	if err != nil {
		r.fail(col, err)
	}
	return sql.NullBool{Bool: b, Valid: err == nil}
}

// PostgreSQL's type OIDs of the columns a scan reads.
const (
	oidBool = 16
	oidInt8 = 20
	oidInt2 = 21
	oidInt4 = 23
	oidDate = 1082
	// oidTimestamptz is a timestamp with time zone: microseconds from
	// 2000-01-01 00:00 UTC.
	oidTimestamptz = 1184
	pgEpochDay     = 10957 // 2000-01-01, PostgreSQL's day 0, in days from 1970-01-01
)

// decodePGDate decodes a date (not NULL).
func decodePGDate(v []byte, f *pgconn.FieldDescription) (date.Date, error) {
	if f.Format != pgx.BinaryFormatCode {
		return date.ParseStored(string(v))
	}
	if f.DataTypeOID != oidDate || len(v) != 4 {
		return date.Date{}, fmt.Errorf("not a date (type %d)", f.DataTypeOID)
	}
	n := int32(binaryBE.Uint32(v))
	if n == 1<<31-1 || n == -1<<31 {
		return date.Date{}, errors.New("infinite date")
	}
	return date.FromDays(int(n) + pgEpochDay), nil
}

var binaryBE = binary.BigEndian

func pgInt(v []byte, oid uint32, bin bool) (int64, error) {
	if v == nil {
		return 0, errNull
	}
	if !bin {
		return strconv.ParseInt(string(v), 10, 64)
	}
	switch {
	case oid == oidInt8 && len(v) == 8:
		return int64(binaryBE.Uint64(v)), nil
	case oid == oidInt4 && len(v) == 4:
		return int64(int32(binaryBE.Uint32(v))), nil
	case oid == oidInt2 && len(v) == 2:
		return int64(int16(binaryBE.Uint16(v))), nil
	}
	return 0, fmt.Errorf("not an integer (type %d)", oid)
}

func pgBool(v []byte, bin bool) (bool, error) {
	if bin {
		if len(v) != 1 {
			return false, errors.New("not a boolean")
		}
		return v[0] != 0, nil
	}
	return strconv.ParseBool(string(v))
}
