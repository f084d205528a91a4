package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// recordRow is a row of a statement read column by column into the
// fields of a record (a person's, Tx.each): a row of a county scan's, and
// the texts that may be NULL and the instants such a record has.
type recordRow interface {
	row
	NullText(col int) string // NULL reads as ""
	Time(col int) time.Time  // an instant, in UTC; NULL reads as the zero time
	Err() error              // the first column that could not be read
}

// each runs query and calls fn with each of its rows, in order, until fn
// returns an error or the rows end; a column fn could not read ends it
// with that column's error.
//
// Read's statements on PostgreSQL are read through pgx's own interface,
// each value decoded from its binary format into the field it fills, as a
// county scan reads them (scan_pg.go): database/sql first converts every
// value of every row into an interface value and then again into the
// destination, which cost a look-up more than the rest of reading its
// page. Elsewhere (a transaction, SQLite) the rows come through
// database/sql.
func (tx *Tx) each(ctx context.Context, query string, args []any, fn func(r recordRow) error) error {
	if tx.conn == nil {
		return tx.eachSQL(ctx, query, args, fn)
	}
	trace(query)
	return tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("read: a connection of %T, not pgx's", dc)
		}
		rows, err := c.Conn().Query(ctx, tx.db.rebind(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		r := &pgRow{fields: rows.FieldDescriptions()}
		for rows.Next() {
			r.vals = rows.RawValues()
			if err := fn(r); err != nil {
				return err
			}
			if r.err != nil {
				return r.err
			}
		}
		return rows.Err()
	})
}

// eachSQL is each through database/sql.
func (tx *Tx) eachSQL(ctx context.Context, query string, args []any, fn func(r recordRow) error) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r sqlRow
	for rows.Next() {
		if err := r.scan(rows); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		if r.err != nil {
			return r.err
		}
	}
	return rows.Err()
}

// eachOne runs query and calls fn with its first row; sql.ErrNoRows when
// it has none.
func (tx *Tx) eachOne(ctx context.Context, query string, args []any, fn func(r recordRow) error) error {
	found := false
	err := tx.each(ctx, query, args, func(r recordRow) error {
		if found {
			return nil
		}
		found = true
		return fn(r)
	})
	if err == nil && !found {
		return sql.ErrNoRows
	}
	return err
}
