package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

// PensionHeader is the header row of the pension contributions list, in
// the layout a social-insurance office (人社) takes in.
var PensionHeader = []string{"序号", "姓名", "身份证号", "性别", "出生日期", "户籍地址/区划", "代缴档次", "代缴金额(元)", "代缴年度", "备注"}

// ServePensionList sends county's pension contributions list of year as
// an Excel workbook (format "xlsx", the default) or a CSV file ("csv",
// UTF-8, or GB18030 with encoding "gb18030"). The use case audits the
// download; the whole file is made before anything is sent.
func ServePensionList(a *app.App, w http.ResponseWriter, r *http.Request, county string) error {
	q := r.URL.Query()
	format := strings.ToLower(strings.TrimSpace(q.Get("format")))
	switch format {
	case "", "xlsx", "excel":
		format = sheet.FormatXLSX
	case "csv":
		format = sheet.FormatCSV
	default:
		return apperr.Invalidf("format", "格式应为 xlsx 或 csv", "format must be xlsx or csv")
	}
	encoding, err := sheet.ParseEncoding(q.Get("encoding"))
	if err != nil {
		return err
	}
	year := date.Today(a.Now()).Year()
	if s := strings.TrimSpace(q.Get("year")); s != "" {
		if year, err = strconv.Atoi(s); err != nil {
			return apperr.Invalidf("year", "年度无效", "invalid year")
		}
	}
	l, err := a.PensionList(r.Context(), Actor(r), county, year, format)
	if err != nil {
		return err
	}
	ctype := "text/csv; charset=utf-8"
	if format == sheet.FormatXLSX {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	} else if encoding == sheet.EncodingGB18030 {
		ctype = "text/csv; charset=gb18030"
	}
	tree := a.Tree()
	stem := "pension-" + l.County + "-" + strconv.Itoa(l.Year) + "." + format
	w.Header().Set("Content-Disposition", Attachment(tree.FullName(region.Code(l.County))+strconv.Itoa(l.Year)+"年度养老保险代缴名单."+format, stem))
	return serveBuffered(w, ctype, func(out io.Writer) error {
		return WritePensionList(out, l, tree, format, encoding, a.Now())
	})
}

// WritePensionList writes l in the office's layout, a line per person,
// the total below them.
func WritePensionList(w io.Writer, l *payment.PensionList, tree *region.Tree, format, encoding string, now time.Time) error {
	tw, err := sheet.NewWriter(w, PensionHeader, sheet.WriterOptions{Format: format, Encoding: encoding, Sheet: "养老保险代缴名单",
		Widths: []float64{6, 10, 22, 6, 12, 40, 14, 14, 10, 30}, Numbers: []int{0, 7, 8},
		Document: &sheet.Document{Title: "养老保险代缴名单", Creator: tree.FullName(region.Code(l.County)), Language: "zh-CN", Time: now, Money: []int{7}}})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range l.Programs {
		names[p.Code] = p.Name
	}
	for i, x := range l.Rows {
		sex := map[string]string{"M": "男", "F": "女"}[x.Sex]
		place := tree.FullName(region.Code(x.Region))
		place = strings.TrimSpace(place + " " + x.Address)
		tier := "在本人缴费档次外补贴"
		if x.Tier > 0 {
			tier = "每年" + strings.TrimSuffix(x.Tier.String(), ".00") + "元"
		}
		note := names[x.Program]
		if x.Months > 0 && x.Months < 12 {
			note += "（本年度" + strconv.Itoa(x.Months) + "个月）"
		}
		if err := tw.Write([]string{strconv.Itoa(i + 1), x.Name, x.IDNumber, sex, x.Birth.String(), place, tier, x.Amount.String(),
			strconv.Itoa(l.Year), note}); err != nil {
			return err
		}
	}
	if err := tw.Write([]string{"合计", strconv.Itoa(len(l.Rows)) + "人", "", "", "", "", "", l.Total.String(), strconv.Itoa(l.Year), ""}); err != nil {
		return err
	}
	return tw.Close()
}
