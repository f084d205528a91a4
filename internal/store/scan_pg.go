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

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jiahe-project/jiahe/internal/date"
)

// The passes of a county scan on PostgreSQL read their rows through pgx's
// own interface rather than database/sql: each pass opens a connection of
// its own (outside the pool, closed when the scan ends), and every value
// is decoded from PostgreSQL's binary format straight into the pass's
// fields — a bigint from its eight bytes, a date from its day number —
// without database/sql's conversions, locks and interface values, which
// cost more than the decoding itself on the millions of rows of a county.
//
// The passes run in two groups, each on one connection: a connection a
// pass meant fourteen server processes sharing two cores, and the server
// spent half as much again on the same reads (docs/performance.md). A
// pass does not hold a cursor open in key order on its connection, which
// a group's other passes then could not use; it reads a range of keys at
// a time — a bitmap of the range's rows from the key's index, then their
// pages in table order, each once — and orders each range itself. A range
// holds some sixteen thousand rows, and memory two ranges a pass (the one
// read and the one read ahead); rows registered together lie together in a
// table, so a range's rows come nearly in order and are ordered in about
// one look at each.

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
// group's connection, each range ordered by key and id, with the next
// range read ahead.
type pgRanges struct {
	texts  columnTexts
	c      *pgScanConn
	ctx    context.Context
	query  string // the pass's query with the range's bounds, $2 <= key < $3
	county string
	next   int64 // the first key of the next range
	last   int64 // the county's last key
	width  int64
	more   bool // ranges remain to be asked for
	fields []pgconn.FieldDescription
	cur    *rangeBuf // the range being read
	ahead  *rangeBuf // the range read ahead (pending), or the spare buffer
	job    *connJob  // the read of ahead; nil when none is pending
	pos    int
	err    error
}

// rangeBuf is the rows of a range, ordered, with their columns' bytes.
type rangeBuf struct {
	rows  []rangeRow
	spans [][2]int32 // the columns of rows, one after the other: start and end in data (end -1: NULL)
	data  []byte
	// scratch of sort
	counts []int32
	sorted []rangeRow
}

// sort orders the rows, whose keys are lo..hi-1, by key and id. A range
// read through a bitmap comes in the order of the table's pages, nearly
// but not quite the keys' order: when the range's keys are not many more
// than its rows, the rows are counted into place by key (the keys of a
// range lie close together), and only the few rows of one key ordered by
// id; otherwise they are sorted.
func (b *rangeBuf) sort(lo, hi int64) {
	n := len(b.rows)
	width := hi - lo
	if width <= 0 || width > 4*int64(n)+1024 {
		slices.SortFunc(b.rows, rangeRowCmp)
		return
	}
	if int64(cap(b.counts)) < width+1 {
		b.counts = make([]int32, width+1)
	}
	counts := b.counts[:width+1]
	clear(counts)
	for _, r := range b.rows {
		if r.key < lo || r.key >= hi {
			slices.SortFunc(b.rows, rangeRowCmp) // not the range asked for: sorted as it is
			return
		}
		counts[r.key-lo+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	b.sorted = slices.Grow(b.sorted[:0], n)[:n]
	for _, r := range b.rows {
		i := &counts[r.key-lo]
		b.sorted[*i] = r
		*i++
	}
	b.rows, b.sorted = b.sorted, b.rows
	// Rows of one key, by id: a few at most, mostly in order already.
	rows := b.rows
	for i := 1; i < n; i++ {
		for j := i; j > 0 && rows[j].key == rows[j-1].key && rows[j].id < rows[j-1].id; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// rangeRow is a row of a range: its key and id and where its columns are.
type rangeRow struct {
	key, id int64
	at      int32 // index of its first column in spans
}

// query opens the pass q: it finds the county's first and last key in the
// table; the ranges are read as Next needs them.
func (c *pgScanConn) query(ctx context.Context, q passQuery) (cursor, error) {
	r := &pgRanges{c: c, ctx: ctx, county: q.county, width: pgRangeRows, cur: &rangeBuf{}, ahead: &rangeBuf{},
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

// Next moves to the next row, taking the range read ahead when the current
// one is done and asking for the one after it.
func (r *pgRanges) Next() bool {
	if r.err != nil {
		return false
	}
	r.pos++
	for r.pos >= len(r.cur.rows) {
		if r.err != nil {
			return false
		}
		if r.job == nil {
			if !r.more {
				return false
			}
			r.fetch()
		}
		<-r.job.ready
		if r.err = r.job.err; r.err != nil {
			return false
		}
		r.job = nil
		r.cur, r.ahead = r.ahead, r.cur
		r.pos = 0
		r.aim(len(r.cur.rows))
		if r.more {
			r.fetch()
		}
	}
	return true
}

// fetch asks the connection for the next range, into r.ahead.
func (r *pgRanges) fetch() {
	lo := r.next
	hi := lo + r.width
	if hi > r.last || hi < lo { // the last range, or past the largest key
		hi, r.more = r.last, false
	}
	r.next = hi + 1
	b := r.ahead
	first := r.fields == nil
	r.job = r.c.start(func(conn *pgx.Conn) error {
		fields, err := b.read(r.ctx, conn, r.query, r.county, lo, hi+1, first)
		if first && err == nil {
			r.fields = fields
		}
		return err
	})
}

// aim sets the width of the next range from the rows of the last: about
// pgRangeRows rows, widening at most fourfold at a time (a sparse stretch
// of keys).
func (r *pgRanges) aim(n int) {
	switch {
	case int64(n)*4 < pgRangeRows:
		r.width *= 4
	default:
		r.width = max(1, r.width*pgRangeRows/int64(n))
	}
	r.width = min(r.width, 1<<40)
}

// read reads the rows of query with keys lo..hi-1 into b, ordered, and
// returns the columns' descriptions when asked (the connection reuses its
// own for the next query).
func (b *rangeBuf) read(ctx context.Context, conn *pgx.Conn, query, county string, lo, hi int64, describe bool) ([]pgconn.FieldDescription, error) {
	b.rows, b.spans, b.data = b.rows[:0], b.spans[:0], b.data[:0]
	rows, err := conn.Query(ctx, query, county, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	if len(fields) < 2 {
		// A query that failed (cancelled, say) describes no columns; its
		// error comes once its rows are closed.
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("scan: %d columns", len(fields))
	}
	sorted := true
	for rows.Next() {
		vals := rows.RawValues()
		r := rangeRow{at: int32(len(b.spans))}
		var err error
		if r.key, err = pgInt(vals[0], fields[0].DataTypeOID, fields[0].Format == pgx.BinaryFormatCode); err != nil {
			return nil, fmt.Errorf("scan column %s: %w", fields[0].Name, err)
		}
		if r.id, err = pgInt(vals[1], fields[1].DataTypeOID, fields[1].Format == pgx.BinaryFormatCode); err != nil {
			return nil, fmt.Errorf("scan column %s: %w", fields[1].Name, err)
		}
		for _, v := range vals {
			if v == nil {
				b.spans = append(b.spans, [2]int32{0, -1})
				continue
			}
			start := int32(len(b.data))
			b.data = append(b.data, v...)
			b.spans = append(b.spans, [2]int32{start, int32(len(b.data))})
		}
		if n := len(b.rows); n > 0 && rangeRowCmp(b.rows[n-1], r) > 0 {
			sorted = false
		} else if n == 0 && cap(b.rows) == 0 {
			// Room for a range at once, from the size of its first row.
			n := int(pgRangeRows + pgRangeRows/4)
			b.rows = slices.Grow(b.rows, n)
			b.spans = slices.Grow(b.spans, n*len(vals))
			b.data = slices.Grow(b.data, n*len(b.data))
		}
		b.rows = append(b.rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !sorted {
		b.sort(lo, hi)
	}
	if describe {
		return slices.Clone(fields), nil
	}
	return nil, nil
}

func rangeRowCmp(a, b rangeRow) int {
	return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id))
}

func (r *pgRanges) Err() error { return r.err }

// Close waits for the range read ahead, if any, and forgets the pass's
// rows; the connection is the group's.
func (r *pgRanges) Close() error {
	if r.job != nil {
		<-r.job.ready
		r.job = nil
	}
	r.cur, r.ahead, r.more = &rangeBuf{}, &rangeBuf{}, false
	return nil
}

// The current row's columns, decoded from their binary (or text) format.
// A column that cannot be read ends the pass with an error naming it.

// value returns column col of the current row (nil: NULL) and its
// description; ok is false when there is no such column.
func (r *pgRanges) value(col int) (v []byte, f *pgconn.FieldDescription, ok bool) {
	if col < 0 || col >= len(r.fields) {
		r.fail(col, errNoColumn)
		return nil, nil, false
	}
	if sp := r.cur.spans[int(r.cur.rows[r.pos].at)+col]; sp[1] >= 0 {
		v = r.cur.data[sp[0]:sp[1]:sp[1]]
	}
	return v, &r.fields[col], true
}

// fail ends the pass with the error of column col, the first one's.
func (r *pgRanges) fail(col int, err error) {
	if r.err == nil {
		name := strconv.Itoa(col)
		if col >= 0 && col < len(r.fields) {
			name = r.fields[col].Name
		}
		r.err = fmt.Errorf("scan column %s: %w", name, err)
	}
}

func (r *pgRanges) Int64(col int) int64 {
	switch col { // the key and the id, decoded as the range was read
	case 0:
		return r.cur.rows[r.pos].key
	case 1:
		return r.cur.rows[r.pos].id
	}
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

func (r *pgRanges) Text(col int) string {
	v, _, ok := r.value(col)
	if ok && v == nil {
		r.fail(col, errNull)
	}
	return r.texts.of(col, v)
}

func (r *pgRanges) Date(col int) date.Date {
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

func (r *pgRanges) NullBool(col int) sql.NullBool {
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
	oidBool    = 16
	oidInt8    = 20
	oidInt2    = 21
	oidInt4    = 23
	oidDate    = 1082
	pgEpochDay = 10957 // 2000-01-01, PostgreSQL's day 0, in days from 1970-01-01
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
