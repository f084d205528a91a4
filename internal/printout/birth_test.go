package printout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/pdf/pdftest"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// slip is a registration of a second child, closed by the birth of twins.
var slip = &birth.Slip{
	Registration: &birth.Registration{County: "341523", ID: 7, Serial: "341523-2025-000123", Code: "K7M2P9QX", Region: "341523100201",
		Mother: 11, Father: 12, Applicant: 11, Channel: birth.ChannelOnline, Registered: date.MustParse("2025-03-10"),
		Expected: date.MustParse("2025-09-20"), Expecting: 2, Parity: 2, Statistical: 2, PolicyStatus: policy.ParityRegistration,
		InPolicy: true, Decision: &policy.ParityDecision{Parity: 2, Limit: 3}, Status: birth.StatusClosed,
		Born: date.MustParse("2025-09-12"), Hospital: "舒城县人民医院", CertNo: "R341234567", HospitalBirth: true, Children: []int64{21, 22}},
	Mother:      &registry.Record{Name: "王秀英", IDNumber: "341523199403010026", Sex: registry.Female},
	Father:      &registry.Record{Name: "李建国", IDNumber: "341523199207010019", Sex: registry.Male},
	MotherPlace: "安徽省六安市舒城县城关镇仁和村委会",
	FatherPlace: "安徽省六安市舒城县城关镇仁和村委会",
	Counted:     []registry.Person{{Ref: "13", Name: "李小明", Birth: date.MustParse("2021-04-02")}},
	Born:        []registry.Record{{Name: "李一", Sex: registry.Male}, {Name: "李二", Sex: registry.Female}},
	Issuer:      "舒城县卫生健康委员会",
	VerifyPath:  birth.VerifyPath + "?code=K7M2P9QX&serial=341523-2025-000123",
}

// TestBirthSlip reads the slip back: its number and check code, both
// parents, the parity with the elder child, the twins, the policy status,
// Chinese dates only, and a QR code that holds the verification link; the
// text as laid out matches the golden file.
func TestBirthSlip(t *testing.T) {
	var buf bytes.Buffer
	if err := BirthSlip(&buf, slip, "https://jiahe.example.gov.cn/"); err != nil {
		t.Fatal(err)
	}
	text := squeeze(pdftest.Text(t, buf.Bytes()))
	for _, want := range []string{"生育登记服务单", "编号：341523-2025-000123", "K7M2P9QX", "王秀英（341523199403010026）", "李建国",
		"第2孩（2胞胎）", "李小明（2021年4月2日生）", "2025年9月12日，舒城县人民医院", "李一（男）、李二（女）", "R341234567",
		"生育登记服务（3孩以内，不需审批）", "网上登记，2025年3月10日", "舒城县卫生健康委员会", "https://jiahe.example.gov.cn/verify/birth",
		"第1页共1页"} {
		if !strings.Contains(text, squeeze(want)) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	if d := isoDate.FindString(text); d != "" {
		t.Errorf("prints the ISO date %s", d)
	}
	codes := pdftest.QRCodes(t, buf.Bytes(), 1)
	if len(codes) != 1 || codes[0] != "https://jiahe.example.gov.cn"+slip.VerifyPath {
		t.Errorf("QR codes %q", codes)
	}
	golden(t, "birth_slip", pdftest.Text(t, buf.Bytes(), "-layout"))
}
