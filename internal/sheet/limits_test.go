package sheet

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/sheet/sheettest"
)

// openProblem opens data within lim and returns the problem Each reports
// and the rows it passed before it.
func openProblem(t *testing.T, data []byte, encoding string, lim Limits) (*Problem, int) {
	t.Helper()
	tb, err := OpenLimited(bytes.NewReader(data), encoding, lim)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	err = tb.Each(func(int, []string) bool { rows++; return true })
	if err == nil {
		return nil, rows
	}
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("Each = %v, want a *Problem", err)
	}
	return p, rows
}

func TestLimits(t *testing.T) {
	csv := []byte(strings.Repeat("张三,城关镇\n", 10))
	tests := []struct {
		name   string
		data   []byte
		lim    Limits
		rows   int
		row    int
		zh, en string
	}{
		{"bytes", csv, Limits{Bytes: int64(len(csv)) - 1, Rows: 100, Unzipped: 1 << 20}, 0, 0, "文件过大", "too large"},
		{"rows", csv, Limits{Bytes: 1 << 20, Rows: 4, Unzipped: 1 << 20}, 4, 5, "行数超过上限 4", "more than 4 rows"},
		{"rows of a workbook", xlsxFile(t, [][]any{{"a"}, {"b"}, {"c"}}), Limits{Bytes: 1 << 20, Rows: 2, Unzipped: 1 << 20}, 2, 3, "行数超过上限 2", "more than 2 rows"},
		{"a workbook too large unzipped", sheettest.ZipBomb(20, 0), Limits{Bytes: 1 << 20, Rows: 100, Unzipped: 8 << 20}, 0, 0, "解压后过大", "too large uncompressed"},
		{"a workbook whose directory lies", sheettest.ZipBomb(20, 1<<20), UploadLimits, 0, 0, "文件已损坏", "damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, rows := openProblem(t, tt.data, "", tt.lim)
			if p == nil {
				t.Fatalf("no problem after %d rows", rows)
			}
			if rows != tt.rows || p.Row != tt.row || !strings.Contains(p.ZH, tt.zh) || !strings.Contains(p.EN, tt.en) {
				t.Errorf("%d rows, then %+v; want %d rows, then row %d with %q, %q", rows, p, tt.rows, tt.row, tt.zh, tt.en)
			}
		})
	}
	// Within the limits the same workbook is read: it is a real one.
	if p, rows := openProblem(t, sheettest.ZipBomb(20, 0), "", UploadLimits); p != nil || rows != 1 {
		t.Errorf("the 20 MiB workbook within the limits: %d rows, %v", rows, p)
	}
}

// TestZipBomb opens a 2 MB workbook that inflates to 2 GiB: it is refused
// at once, before anything inflates it, in a few MB of memory.
func TestZipBomb(t *testing.T) {
	bomb := sheettest.ZipBomb(2048, 0)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	p, _ := openProblem(t, bomb, "", UploadLimits)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if p == nil || !strings.Contains(p.EN, "too large uncompressed") {
		t.Fatalf("the bomb gave %v", p)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d-byte bomb of 2 GiB refused in %v, %d KiB allocated", len(bomb), took, alloc>>10)
	if took > time.Second || alloc > 32<<20 {
		t.Errorf("refusing the bomb took %v and %d MiB", took, alloc>>20)
	}
}

func TestUndecodable(t *testing.T) {
	gbkBad := append(gbk(t, "姓名,住址\n张三,城关镇\n李四,"), 0xFF, 0x81)
	gbkBad = append(gbkBad, gbk(t, "镇\n")...)
	utf8Bad := []byte("姓名,住址\n张三,城关镇\n李四,镇\xff\n王五,三河镇\n")
	tests := []struct {
		name, enc string
		data      []byte
		used      string
		rows, row int
		col       int
		zh        string
	}{
		{"GBK with bytes GB18030 cannot decode", "gbk", gbkBad, EncodingGB18030, 2, 3, 2, "无法按 GBK/GB18030 解码"},
		{"the same detected", "", gbkBad, EncodingGB18030, 2, 3, 2, "无法按 GBK/GB18030 解码"},
		{"UTF-8 with a stray byte", "", utf8Bad, EncodingUTF8, 2, 3, 2, "无效的 UTF-8"},
		{"UTF-8 asked for", "utf8", utf8Bad, EncodingUTF8, 2, 3, 2, "无效的 UTF-8"},
		{"a replacement character", "", []byte("姓名\n张\uFFFD\n"), EncodingUTF8, 1, 2, 1, "替换字符"},
		{"a replacement character in GB18030", "gbk", gbk(t, "姓名\n张\uFFFD\n"), EncodingGB18030, 1, 2, 1, "替换字符"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := Open(bytes.NewReader(tt.data), tt.enc)
			if err != nil {
				t.Fatal(err)
			}
			if tb.Encoding() != tt.used {
				t.Errorf("read as %s, want %s", tb.Encoding(), tt.used)
			}
			p, rows := openProblem(t, tt.data, tt.enc, UploadLimits)
			if p == nil || rows != tt.rows || p.Row != tt.row || p.Col != tt.col || !strings.Contains(p.ZH, tt.zh) ||
				!strings.Contains(p.ZH, "第 "+string(rune('0'+tt.col))+" 列") {
				t.Errorf("%d rows, then %+v; want %d rows, then row %d, column %d: %q", rows, p, tt.rows, tt.row, tt.col, tt.zh)
			}
		})
	}
}
