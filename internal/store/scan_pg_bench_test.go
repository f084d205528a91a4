package store

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BenchmarkPGServerRead measures what PostgreSQL itself spends serving the
// rows of a county scan, three ways, on a county generated beforehand:
//
//	plain         every table the scan reads, in one SELECT each, in no
//	              order (a sequential scan, as the engine's floor of
//	              scripts/bench-eval reads them);
//	index-ranges  the passes of a county scan (scan_pg.go), ranges of keys
//	              in key order on one connection, as the planner would
//	              read them (through the key's index, row by row);
//	ranges        the same, as the scan reads them (pgScanConn.rangesOnly:
//	              a bitmap of each range's rows, then their pages in order).
//
// It reports the server process's CPU time (from /proc, read through
// pg_read_file: a superuser's connection on the same machine) and the rows.
//
//	JIAHE_BENCH_PG='postgres://postgres@127.0.0.1:5432/jiahe_bench_1000000?sslmode=disable' \
//	  go test -run '^$' -bench PGServerRead -benchtime 3x ./internal/store
func BenchmarkPGServerRead(b *testing.B) {
	url := os.Getenv("JIAHE_BENCH_PG")
	if url == "" {
		b.Skip("JIAHE_BENCH_PG names no database with a generated county")
	}
	const county = "341523"
	ctx := context.Background()
	db, err := Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// The ways in turn, each iteration: this kind of machine's speed
	// drifts by half over minutes, and the ratios are what hold.
	modes := []string{"plain", "index-ranges", "ranges"}
	cpu := make([]time.Duration, len(modes))
	rows := make([]int, len(modes))
	for range b.N {
		for m, mode := range modes {
			c, err := db.openPGScanConn(ctx)
			if err != nil {
				b.Fatal(err)
			}
			before := backendCPU(b, c)
			var curs []*pgRanges[struct{}]
			for _, q := range scanQueries(Postgres, county) {
				if mode == "plain" {
					rs, err := c.conn.Query(ctx, c.sql(q.sel), q.county)
					if err != nil {
						b.Fatal(err)
					}
					for rs.Next() {
						rows[m]++
					}
					if rs.Err() != nil {
						b.Fatal(rs.Err())
					}
					continue
				}
				// The rows are received as a pass receives them, and
				// not decoded: the server's work is what is measured.
				cur, err := openPGRanges(ctx, c, q, func(row) struct{} { return struct{}{} })
				if err != nil {
					b.Fatal(err)
				}
				curs = append(curs, cur)
			}
			if mode == "ranges" {
				if err := c.rangesOnly(ctx); err != nil {
					b.Fatal(err)
				}
			}
			for _, cur := range curs {
				for cur.nextRow() != nil {
					rows[m]++
				}
				if cur.Err() != nil {
					b.Fatal(cur.Err())
				}
				cur.Close()
			}
			cpu[m] += backendCPU(b, c) - before
			c.close()
		}
	}
	if rows[0] != rows[1] || rows[0] != rows[2] {
		b.Errorf("plain read %d rows, index ranges %d, ranges %d", rows[0], rows[1], rows[2])
	}
	for m, mode := range modes {
		b.ReportMetric(cpu[m].Seconds()/float64(b.N), mode+"-server-s/op")
	}
	b.ReportMetric(float64(rows[0])/float64(b.N), "rows/op")
	if cpu[0] > 0 {
		b.ReportMetric(cpu[2].Seconds()/cpu[0].Seconds(), "ranges/plain")
	}
}

// backendCPU returns the CPU time of the server process of c so far.
func backendCPU(b *testing.B, c *pgScanConn) time.Duration {
	var stat string
	j := c.start(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(), `SELECT pg_read_file('/proc/' || pg_backend_pid() || '/stat')`).Scan(&stat)
	})
	<-j.ready
	if j.err != nil {
		b.Fatal(j.err)
	}
	// The fields after the command's name, which is in parentheses:
	// utime and stime are the 14th and 15th of the line, in clock ticks
	// (100 a second on Linux).
	_, rest, _ := strings.Cut(stat, ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		b.Fatalf("stat: %q", stat)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Fatalf("stat: %q", stat)
	}
	return time.Duration(u+s) * 10 * time.Millisecond
}
