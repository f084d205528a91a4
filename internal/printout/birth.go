package printout

import (
	"io"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/pdf"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// BirthSlip writes the slip of a birth registration (生育登记服务单) as an A5
// certificate: its number and check code, both parents, the parity with
// the elder children it counts, the expected (or actual) birth, the
// policy status and, once the birth is recorded, the children born; and a
// QR code holding site (the address of the public pages, such as
// https://jiahe.example.gov.cn) followed by the slip's verification path.
func BirthSlip(w io.Writer, s *birth.Slip, site string) error {
	return pdf.Certificates(w, BirthCertificate(s, site))
}

// BirthCertificate is the slip of s as a certificate, for bulk prints.
func BirthCertificate(s *birth.Slip, site string) pdf.Certificate {
	r := s.Registration
	c := pdf.Certificate{Title: "生育登记服务单", Serial: r.Serial, Issuer: s.Issuer, Date: r.Registered.String(), Paper: pdf.A5}
	add := func(label, value string, keep bool) {
		c.Fields = append(c.Fields, pdf.Field{Label: label, Value: value, Keep: keep})
	}
	add("校验码", r.Code, true)
	parent := func(role string, p *registry.Record, place string) {
		if p == nil {
			add(role, "（不在本县人口库）", false)
			return
		}
		v := p.Name
		if p.IDNumber != "" {
			v += "（" + p.IDNumber + "）"
		}
		add(role, v, false)
		if place != "" {
			add(role+"户籍地", place, false)
		}
	}
	parent("女方", s.Mother, s.MotherPlace)
	parent("男方", s.Father, s.FatherPlace)
	parity := "第" + strconv.Itoa(r.Parity) + "孩"
	if r.Expecting > 1 {
		parity += "（" + strconv.Itoa(r.Expecting) + "胞胎）"
	}
	add("登记孩次", parity, false)
	var kids []string
	for _, k := range s.Counted {
		kids = append(kids, k.Name+"（"+k.Birth.Chinese()+"生）")
	}
	if len(kids) == 0 {
		kids = []string{"无"}
	}
	add("已有子女", strings.Join(kids, "、"), false)
	if r.Status == birth.StatusClosed {
		var born []string
		for _, k := range s.Born {
			sex := map[string]string{registry.Male: "男", registry.Female: "女"}[k.Sex]
			born = append(born, k.Name+"（"+sex+"）")
		}
		text := r.Born.Chinese()
		if r.Hospital != "" {
			text += "，" + r.Hospital
		}
		add("出生", text, false)
		add("出生子女", strings.Join(born, "、"), false)
		if r.CertNo != "" {
			add("出生证明", r.CertNo, true)
		}
	} else {
		add("预产期", r.Expected.String(), false)
	}
	switch r.PolicyStatus {
	case policy.ParityRegistration:
		add("生育服务", "生育登记服务（"+strconv.Itoa(limitOf(r))+"孩以内，不需审批）", false)
	case policy.ParityApproved:
		text := "超过" + strconv.Itoa(limitOf(r)) + "孩，已取得再生育审批"
		if s.Approval != nil && s.Approval.Number != "" {
			text += "（" + s.Approval.Number + "）"
		}
		add("生育服务", text, false)
	default:
		add("生育服务", "超过"+strconv.Itoa(limitOf(r))+"孩，须按省条例办理再生育审批", false)
	}
	add("登记方式", birth.Channels.Chinese(r.Channel)+"，"+r.Registered.Chinese(), false)
	add("状态", birth.Statuses.Chinese(r.Status), false)
	c.Notes = []string{"生育登记是服务，不是审批；登记孩次依据人口库中的家庭信息计算。出生、终止妊娠或迁移，请告知村（居）计生专干或在网上办理。"}
	path := s.VerifyPath
	c.Verify = strings.TrimRight(site, "/") + path
	c.VerifyText = []string{"扫描二维码，或登录 " + strings.TrimRight(site, "/") + birth.VerifyPath, "输入编号和校验码核验本单真伪"}
	return c
}

// limitOf is the limit of children the registration's decision applied.
func limitOf(r *birth.Registration) int {
	if r.Decision != nil && r.Decision.Limit > 0 {
		return r.Decision.Limit
	}
	return 3
}
