package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func runErr(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(t.Context(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func cliID(birth string, seq int) string {
	return string(idcard.Make("341523", date.MustParse(birth).Time(), seq))
}

func gb18030(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportExportAuditCommands(t *testing.T) {
	dir := t.TempDir()
	header := "身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质,养老保险,民族,住址,电话,死亡日期\n"
	good := header +
		cliID("1962-03-01", 11) + ",张三,男,1962-03-01,341523100201,农业,无,汉族,城关镇仁和村3组,13800138000,\n" +
		cliID("1964-12-31", 12) + ",李四,,,341523100201,农业,城乡居民,,,,\n" +
		",张小宝,男,1987-04-12,341523100001,非农业,城镇职工,,,,2023-08-10\n"
	bad := header +
		cliID("1970-01-01", 13) + ",王五,女,1970-01-01,341523100201,农业,,,,,\n" +
		cliID("1962-03-01", 11) + ",张三,男,1962-03-01,341523100201,农业,,,,,\n" +
		cliID("1971-01-01", 15)[:17] + "Y,赵六,男,1971-01-01,341523100201,农业,,,,,\n"
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodFile := write("good.csv", gb18030(t, good)) // as Excel on a Chinese Windows saves it
	badFile := write("bad.csv", []byte(bad))
	golden := filepath.Join("testdata", "export_persons.golden.csv")

	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := keyedURL(t, engine)
			runOK(t, "", "--db", url, "migrate")

			if out := runOK(t, "", "--db", url, "import", "persons", goodFile, "--dry-run"); !strings.Contains(out, "3 rows, no problems") {
				t.Errorf("dry run printed %q", out)
			}
			if out := runOK(t, "", "--db", url, "import", "persons", goodFile); !strings.Contains(out, "imported 3 persons") || !strings.Contains(out, "gb18030") {
				t.Errorf("import printed %q", out)
			}
			_, stderr, err := runErr(t, "--db", url, "import", "persons", badFile)
			if err == nil || !strings.Contains(err.Error(), "nothing was imported") {
				t.Fatalf("import of a bad file: err = %v", err)
			}
			for _, want := range []string{
				"第3行 第1列（身份证号）：该身份证号已登记 / row 3, column 1 (身份证号): this ID number is already registered",
				"第4行 第1列（身份证号）：",
				"/ row 4, column 1 (身份证号): ",
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("problems printed:\n%s\nwant a line containing %q", stderr, want)
				}
			}

			// The export holds the three persons of the good file only.
			out := filepath.Join(t.TempDir(), "persons.csv")
			runOK(t, "", "--db", url, "export", "persons", "--region", "341523", "--out", out)
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				os.WriteFile(golden, got, 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("export differs from %s:\n%s\nrun go test -update to accept", golden, got)
			}
			gbk := runOK(t, "", "--db", url, "export", "persons", "--encoding", "gbk")
			if want := gb18030(t, strings.TrimPrefix(string(want), "\ufeff")); gbk != string(want) {
				t.Errorf("GBK export is not the golden file in GB18030")
			}
			xlsx := runOK(t, "", "--db", url, "export", "persons", "--format", "xlsx", "--region", "341523100201")
			table, err := sheet.Open(strings.NewReader(xlsx), "")
			if err != nil {
				t.Fatal(err)
			}
			ro, err := registry.ParseRoster(table, registry.RosterOptions{})
			if err != nil || ro.Format != "xlsx" || len(ro.Problems) != 0 || len(ro.Rows) != 2 {
				t.Errorf("xlsx export of one village read back: %v %+v", err, ro)
			}
			if _, _, err := runErr(t, "--db", url, "export", "persons", "--format", "pdf"); err == nil {
				t.Error("export as pdf succeeded")
			}

			// The audit log verifies, then fails once tampered with. The 7
			// entries of the commands come with the system chain's first
			// entry and the opening of the county's chain.
			if out := runOK(t, "", "--db", url, "audit", "verify"); !strings.Contains(out, "checked 9 entries in 2 chains") || !strings.Contains(out, "ok") {
				t.Errorf("audit verify printed %q", out)
			}
			db, err := store.Open(context.Background(), url, store.WithKeys(storetest.Keys(t, url)))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.Update(context.Background(), func(tx *store.Tx) error {
				_, err := tx.Exec(context.Background(), `UPDATE audit_log SET after = '{"name":"改"}' WHERE county = '341523' AND seq = 2`)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"audit", "verify"}, {"audit", "verify", "--county", "341523"}} {
				out, _, err := runErr(t, append([]string{"--db", url}, args...)...)
				if err == nil || !strings.Contains(err.Error(), "tampered") || !strings.Contains(out, "chain 341523 entry 2: content does not match its keyed hash") {
					t.Errorf("%v after tampering: err = %v, output %q", args, err, out)
				}
			}
			if out := runOK(t, "", "--db", url, "audit", "verify", "--county", "341524"); !strings.Contains(out, "checked 0 entries in 0 chains") {
				t.Errorf("verify of an empty chain printed %q", out)
			}
		})
	}
}
