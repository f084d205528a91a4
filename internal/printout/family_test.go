package printout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/pdf/pdftest"
	"github.com/jiahe-project/jiahe/internal/special"
)

var familyPaper = &special.Paper{
	Certificate: &special.Certificate{County: "341523", ID: 3, Serial: "341523-JS2025-000007", Code: "Q4W7E2RT", PersonID: 11,
		Region: "341523100201", Categories: []string{special.CatOneChild, special.CatSpecial}, AsOf: date.MustParse("2025-09-20"),
		Issued: date.MustParse("2025-09-21")},
	Name: "张秀英", IDNumber: "341523197002010022", Place: "安徽省六安市舒城县城关镇仁和村委会", Issuer: "舒城县卫生健康委员会",
	VerifyPath: special.VerifyPath + "?serial=341523-JS2025-000007&code=Q4W7E2RT",
}

// TestFamilyCertificate reads the certificate back: number, check code,
// the person, the categories in Chinese, Chinese dates only, and a QR
// code holding the verification link; the layout matches the golden file.
func TestFamilyCertificate(t *testing.T) {
	var buf bytes.Buffer
	if err := FamilyCertificate(&buf, familyPaper, "https://jiahe.example.gov.cn/"); err != nil {
		t.Fatal(err)
	}
	text := squeeze(pdftest.Text(t, buf.Bytes()))
	for _, want := range []string{"计划生育家庭证明", "编号：341523-JS2025-000007", "Q4W7E2RT", "张秀英", "341523197002010022",
		"独生子女家庭、计生特殊家庭", "2025年9月20日", "2025年9月21日", "舒城县卫生健康委员会", "https://jiahe.example.gov.cn/verify/family"} {
		if !strings.Contains(text, squeeze(want)) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	if d := isoDate.FindString(text); d != "" {
		t.Errorf("prints the ISO date %s", d)
	}
	codes := pdftest.QRCodes(t, buf.Bytes(), 1)
	if len(codes) != 1 || codes[0] != "https://jiahe.example.gov.cn"+familyPaper.VerifyPath {
		t.Errorf("QR codes %q", codes)
	}
	golden(t, "family_certificate", pdftest.Text(t, buf.Bytes(), "-layout"))
}
