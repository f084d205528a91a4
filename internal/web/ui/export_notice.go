package ui

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// noticeExport writes the public notice list (公示名单) of notice {nid} of
// a case, as noticePrint and the printable list show it: every case whose
// notice of that level was posted in the same place on the same day, the
// ID numbers and addresses masked, with the title, period and place of
// the notice below the rows.
func (h *Handler) noticeExport(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	nid, err := web.PathID(r, "nid")
	if err != nil {
		return err
	}
	n, list, err := h.app.NoticeList(r.Context(), web.Actor(r), app.CaseKey{County: county, ID: id}, nid)
	if err != nil {
		return err
	}
	x, err := h.newListExport(w, r, exportSpec{
		File: "notice-" + strconv.FormatInt(nid, 10), Title: "公示名单", Sheet: "公示名单",
		Header: []string{"序号", "姓名", "性别", "年龄", "公民身份号码（脱敏）", "住址（脱敏）", "扶助项目"},
		Widths: []float64{6, 10, 6, 6, 22, 30, 30},
		Action: "notice.export", Entity: "case", EntityID: strconv.FormatInt(id, 10), Region: region.Code(n.Region),
		Filter: map[string]string{"notice": strconv.FormatInt(nid, 10), "level": string(n.Level)},
	})
	if err != nil {
		return err
	}
	x.total = len(list.Rows)
	for i, row := range list.Rows {
		program := row.Program
		if row.Tier != "" {
			program += "（" + row.Tier + "）"
		}
		if err = x.write(strconv.Itoa(i+1), row.Name, row.Sex, strconv.Itoa(row.Age), documents.MaskID(row.IDNumber),
			documents.MaskAddress(row.Address), program); err != nil {
			break
		}
	}
	word := list.Word
	if word == "" {
		word = "公示"
	}
	x.note(list.Title)
	x.note(word+"期", list.Start+" 至 "+list.End+"（"+strconv.Itoa(list.Days)+" 天）")
	x.note(word+"地点", list.Place)
	x.note("发布单位", list.Issuer+" "+list.Issued)
	if list.ReportPhone != "" {
		x.note("监督举报电话", list.ReportPhone)
	}
	return x.finish(err)
}
