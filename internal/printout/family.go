package printout

import (
	"io"
	"strings"

	"github.com/jiahe-project/jiahe/internal/pdf"
	"github.com/jiahe-project/jiahe/internal/special"
)

// FamilyCertificate writes the family-planning family certificate (计生
// 家庭证明) of p as an A5 certificate: its number and check code, the
// person, the categories the person is in on the day stated, the issuing
// office and a QR code holding site followed by the verification path.
func FamilyCertificate(w io.Writer, p *special.Paper, site string) error {
	return pdf.Certificates(w, FamilyCertificateOf(p, site))
}

// FamilyCertificateOf is the certificate of p, for bulk prints.
func FamilyCertificateOf(p *special.Paper, site string) pdf.Certificate {
	c := p.Certificate
	out := pdf.Certificate{Title: "计划生育家庭证明", Serial: c.Serial, Issuer: p.Issuer, Date: c.Issued.String(), Paper: pdf.A5}
	add := func(label, value string, keep bool) {
		out.Fields = append(out.Fields, pdf.Field{Label: label, Value: value, Keep: keep})
	}
	add("校验码", c.Code, true)
	add("姓名", p.Name, true)
	add("身份证号码", p.IDNumber, true)
	if p.Place != "" {
		add("户籍地", p.Place, false)
	}
	var cats []string
	for _, k := range c.Categories {
		cats = append(cats, special.FamilyCategories.Chinese(k))
	}
	add("家庭类别", strings.Join(cats, "、"), false)
	add("认定日期", c.AsOf.String(), false)
	out.Body = "经核查本县人口信息库，兹证明上述人员于" + c.AsOf.Chinese() + "属于" + strings.Join(cats, "、") + "。本证明供有关部门落实计划生育家庭优惠政策时核验使用。"
	out.Notes = []string{"本证明仅证明所列类别，不作其他用途。有关部门可扫描二维码或登录核验页面，输入编号和校验码核验真伪。"}
	site = strings.TrimRight(site, "/")
	out.Verify = site + p.VerifyPath
	out.VerifyText = []string{"扫描二维码，或登录 " + site + special.VerifyPath, "输入编号和校验码核验本证明真伪"}
	return out
}
