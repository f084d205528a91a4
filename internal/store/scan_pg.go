package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
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

// pgCursor is the rows of one query on a connection of its own.
type pgCursor struct {
	conn   *pgx.Conn
	rows   pgx.Rows
	fields []pgconn.FieldDescription
}

// openPGCursor connects to the database of db, starts a read-only
// transaction without JIT compilation (which costs more than it saves on a
// plain ordered read) and runs query with args.
func (db *DB) openPGCursor(ctx context.Context, query string, args ...any) (cursor, error) {
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `BEGIN READ ONLY; SET LOCAL jit = off`); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	rows, err := conn.Query(ctx, db.rebind(query), args...)
	if err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return &pgCursor{conn: conn, rows: rows, fields: rows.FieldDescriptions()}, nil
}

func (c *pgCursor) Next() bool { return c.rows.Next() }
func (c *pgCursor) Err() error { return c.rows.Err() }

func (c *pgCursor) Close() error {
	c.rows.Close()
	return c.conn.Close(context.Background())
}

// Scan decodes the current row into dest: *int64, *int, *string,
// *date.Date, *bool or *sql.NullBool, from the columns' binary (or text)
// format. NULL is allowed where database/sql allows it: into a date (the
// zero date) and a sql.NullBool.
func (c *pgCursor) Scan(dest ...any) error {
	vals := c.rows.RawValues()
	if len(vals) != len(dest) {
		return fmt.Errorf("scan: %d columns into %d values", len(vals), len(dest))
	}
	for i, d := range dest {
		if err := decodePG(vals[i], &c.fields[i], d); err != nil {
			return fmt.Errorf("scan column %s: %w", c.fields[i].Name, err)
		}
	}
	return nil
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

func decodePG(v []byte, f *pgconn.FieldDescription, dest any) error {
	bin := f.Format == pgx.BinaryFormatCode
	switch d := dest.(type) {
	case *string:
		if v == nil {
			return errNull
		}
		*d = string(v)
	case *int64:
		n, err := pgInt(v, f.DataTypeOID, bin)
		*d = n
		return err
	case *int:
		n, err := pgInt(v, f.DataTypeOID, bin)
		*d = int(n)
		return err
	case *date.Date:
		if v == nil {
			*d = date.Date{}
			return nil
		}
		if !bin {
			return d.Scan(string(v))
		}
		if f.DataTypeOID != oidDate || len(v) != 4 {
			return fmt.Errorf("not a date (type %d)", f.DataTypeOID)
		}
		n := int32(binaryBE.Uint32(v))
		if n == 1<<31-1 || n == -1<<31 {
			return errors.New("infinite date")
		}
		*d = date.FromDays(int(n) + pgEpochDay)
	case *sql.NullBool:
		if v == nil {
			*d = sql.NullBool{}
			return nil
		}
		b, err := pgBool(v, bin)
		*d = sql.NullBool{Bool: b, Valid: err == nil}
		return err
	case *bool:
		if v == nil {
			return errNull
		}
		b, err := pgBool(v, bin)
		*d = b
		return err
	default:
		return fmt.Errorf("cannot scan into %T", dest)
	}
	return nil
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
