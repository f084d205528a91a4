package documents

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var applicant = Person{Name: "王秀英", Sex: "女", Birth: "1964-05-01", IDNumber: "341523196405010028",
	Place: "安徽省六安市舒城县城关镇仁和村委会", Address: "舒城县城关镇仁和村三组15号", Phone: "13800000000"}

var docs = map[string]any{
	"application": &ApplicationForm{Title: "农村部分计划生育家庭奖励扶助对象申报表", CaseRef: "341523-7", Year: 2024,
		Applicant: applicant, Spouse: &Person{Name: "张建国", Sex: "男", Birth: "1962-03-01", IDNumber: "341523196203010015"},
		HukouType: "农业（农村居民）", Marriage: "1986年初婚", Births: "1987年生育一女", Adoptions: "无", Surviving: 1,
		Attachments: []string{"身份证复印件", "户口簿复印件"}, Pledge: true, Submitted: "2024-01-10",
		TakenBy: Signature{Name: "村专干甲", Role: "村专干", At: "2024-01-10 09:00"}},
	"survey": &SurveyRecord{Title: "入户调查审核记录表", CaseRef: "341523-7", Program: "农村部分计划生育家庭奖励扶助",
		Applicant: applicant, Date: "2024-01-20", Visited: true, MetInPerson: true,
		Investigators: []string{"村专干甲", "李调查（城关镇计生办）"}, Evidence: []string{"户口簿", "结婚证"},
		Findings:   []Finding{{Fact: "户籍性质", Result: "与申报一致"}, {Fact: "婚姻史", Result: "存疑", Note: "待民政核实<初婚>"}},
		Conclusion: "符合条件", SignedBy: Signature{Name: "村专干甲", Role: "村专干", At: "2024-01-20 09:00"}},
	"notice": &NoticeList{Title: "安徽省六安市舒城县城关镇仁和村委会 2024年度计划生育奖励扶助对象村级公示", Issuer: "仁和村委会",
		Level: "村级", Place: "村部公示栏", Start: "2024-02-01", End: "2024-02-08", Days: 7, Issued: "2024-02-01",
		Rows: []NoticeRow{
			{Name: "王秀英", Sex: "女", Age: 60, IDNumber: "341523196405010028", Address: "舒城县城关镇仁和村三组15号", Program: "农村部分计划生育家庭奖励扶助"},
			{Name: "李桂兰", Sex: "女", Age: 61, IDNumber: "341523196305010046", Address: "", Program: "农村部分计划生育家庭奖励扶助"},
		}},
}

func TestGolden(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, kind, docs[kind]); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", kind+".golden.html")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("%s differs from %s (run with -update after checking the change)", kind, path)
			}
		})
	}
}

// TestNoticeMasks checks that a printed notice never shows a full ID
// number or a house number, and that it prints.
func TestNoticeMasks(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, "notice", docs["notice"]); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, leak := range []string{"341523196405010028", "19640501", "三组15号", "196305010046"} {
		if strings.Contains(out, leak) {
			t.Errorf("the notice shows %q", leak)
		}
	}
	for _, want := range []string{"341523********0028", "舒城县城关镇仁和村****", "@media print", "@page"} {
		if !strings.Contains(out, want) {
			t.Errorf("the notice lacks %q", want)
		}
	}
	var app bytes.Buffer
	Render(&app, "survey", docs["survey"])
	if !strings.Contains(app.String(), "待民政核实&lt;初婚&gt;") {
		t.Error("text in a document is not escaped")
	}
}

func TestMaskAddress(t *testing.T) {
	tests := []struct{ in, want string }{
		{"舒城县城关镇仁和村三组15号", "舒城县城关镇仁和村****"},
		{"城关镇东苑社区3栋201", "城关镇东苑社区****"},
		{"仁和村", "仁和村****"},
		{"幸福路88号", "幸福路****"},
		{"幸福路", "****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskAddress(tt.in); got != tt.want {
			t.Errorf("MaskAddress(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
