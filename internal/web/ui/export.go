package ui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/web"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/workflow"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// Excel exports of the list pages: the public notice list of one notice,
// the case worklist, the lines of a payment cycle, the funds ledger, a run
// of the annual review and the audit trail. Each export checks what its
// page checks and reads through the same domain and store functions, with
// the same filter and order, every page up to exportRowCap rows; ID
// numbers (and, on a notice, addresses) are masked as the page masks them.
// The rows are streamed from the database into sheet.Writer, which keeps
// them on disk past a few megabytes, and the workbook is written straight
// to the response. Nothing is sent before every row is read, so a failure
// up to then is an ordinary error page. Every export is recorded in the
// audit trail, as the API's roster export is.

// exportSpec describes the workbook of one export and its audit entry.
type exportSpec struct {
	File   string // the ASCII stem of the file name, e.g. "cases"
	Title  string // the Chinese prefix of the file name, e.g. 申请工作清单
	Sheet  string
	Header []string
	Widths []float64

	Action   string // the audit action, e.g. case.export
	Entity   string
	EntityID string
	Region   region.Code       // the region the exported list belongs to
	Filter   map[string]string // the filter, recorded in the audit entry
}

// listExport is an export under way.
type listExport struct {
	h      *Handler
	w      http.ResponseWriter
	r      *http.Request
	spec   exportSpec
	out    *exportSink
	rw     *sheet.Writer
	rows   int        // data rows written
	total  int        // rows the list holds; -1 when not counted
	capped bool       // a row past exportRowCap was left out
	notes  [][]string // lines written below the rows
}

// exportSink is where the workbook goes: the response, or nowhere when
// the export fails before it is sent.
type exportSink struct{ w io.Writer }

func (s *exportSink) Write(p []byte) (int, error) { return s.w.Write(p) }

// errCapped stops reading a list once exportRowCap rows are written.
var errCapped = errors.New("export: row limit reached")

// exportRowCap is the most rows an export writes: maxExportRows, as the
// person and roll exports; tests lower it.
var exportRowCap = maxExportRows

// newListExport starts the workbook of spec on w.
func (h *Handler) newListExport(w http.ResponseWriter, r *http.Request, spec exportSpec) (*listExport, error) {
	x := &listExport{h: h, w: w, r: r, spec: spec, out: &exportSink{w: w}, total: -1}
	rw, err := sheet.NewWriter(x.out, spec.Header, sheet.WriterOptions{Format: sheet.FormatXLSX, Sheet: spec.Sheet, Widths: spec.Widths})
	if err != nil {
		return nil, err
	}
	x.rw = rw
	return x, nil
}

// write adds one row; past exportRowCap it returns errCapped, which the
// reading loop returns to stop.
func (x *listExport) write(cells ...string) error {
	if x.rows >= exportRowCap {
		x.capped = true
		return errCapped
	}
	for i, c := range cells {
		cells[i] = cellText(c)
	}
	x.rows++
	return x.rw.Write(cells)
}

// note adds a line to be written below the rows, after a blank row.
func (x *listExport) note(cells ...string) { x.notes = append(x.notes, cells) }

// maxCellChars is the most characters an Excel cell holds.
const maxCellChars = 32767

// cellText cuts s to what a cell holds.
func cellText(s string) string {
	if len(s) <= maxCellChars || utf8.RuneCountInString(s) <= maxCellChars {
		return s
	}
	return string([]rune(s)[:maxCellChars-1]) + "…"
}

// finish ends the export after the rows were read with error err: on a
// failure nothing is sent and err is served as a page; otherwise the
// workbook goes out, with a line below the rows when the list was longer
// than exportRowCap, and the export is audited.
func (x *listExport) finish(err error) error {
	if errors.Is(err, errCapped) {
		err = nil
	}
	if err != nil {
		x.out.w = io.Discard // release the writer's files; send nothing
		x.rw.Close()
		return err
	}
	if x.capped || x.total > x.rows {
		msg := "仅导出前 " + strconv.Itoa(exportRowCap) + " 行"
		if x.total > x.rows {
			msg += "（共 " + strconv.Itoa(x.total) + " 行）"
		} else {
			msg += "，其后还有记录"
		}
		x.note(msg + "。请缩小筛选范围后分批导出。")
		x.capped = true
	}
	if len(x.notes) > 0 {
		if err := x.rw.Write(nil); err != nil {
			return x.finish(err)
		}
		for _, n := range x.notes {
			if err := x.rw.Write(n); err != nil {
				return x.finish(err)
			}
		}
	}
	x.h.workbookHeaders(x.w, x.spec.File, x.spec.Title)
	hd := x.w.Header()
	if x.total >= 0 {
		hd.Set("X-Total-Rows", strconv.Itoa(x.total))
	}
	hd.Set("X-Exported-Rows", strconv.Itoa(x.rows))
	if x.capped {
		hd.Set("X-Export-Truncated", "true")
	}
	err = x.rw.Close()
	if aerr := x.h.auditListExport(x.r.Context(), web.Actor(x.r), x, err); aerr != nil && err == nil {
		err = aerr
	}
	if err != nil {
		// The status is sent: break the connection so that the client
		// sees a failed download, not a short file.
		x.h.log.ErrorContext(x.r.Context(), "export "+x.spec.File, "err", web.RedactIDs(err.Error()))
		panic(http.ErrAbortHandler)
	}
	return nil
}

// auditListExport records that a list left the system, as the roster
// export does.
func (h *Handler) auditListExport(ctx context.Context, a auth.Actor, x *listExport, failed error) error {
	filter := map[string]string{}
	for k, v := range x.spec.Filter {
		if v != "" {
			filter[k] = web.RedactIDs(v)
		}
	}
	after := map[string]any{"list": x.spec.File, "filter": filter, "format": sheet.FormatXLSX, "rows": x.rows,
		"truncated": x.capped, "complete": failed == nil}
	if x.total >= 0 {
		after["total"] = x.total
	}
	return h.app.RecordExport(ctx, a, app.Export{Action: x.spec.Action, Entity: x.spec.Entity, EntityID: x.spec.EntityID,
		Region: x.spec.Region, Detail: after})
}

// zhText is the Chinese text of message key, or fallback.
func (h *Handler) zhText(key, fallback string) string {
	if s, ok := h.eng.msgs["zh"][key]; ok {
		return s
	}
	return fallback
}

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

// casesExport writes the worklist the cases page shows: the open cases
// within the actor's scope that wait for the actor's role, or those in the
// state of ?state= (workflow.WorklistPage, a page at a time), in the
// page's order (?sort= and ?order=, read by sortOf), with the ID numbers
// masked.
func (h *Handler) casesExport(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case"}); err != nil {
		return err
	}
	a := web.Actor(r)
	state := r.URL.Query().Get("state")
	cq := workflow.CaseQuery{}
	if state != "" {
		cq.States = []workflow.State{workflow.State(state)}
	}
	order, err := web.SortOf(r.URL.Query(), workflow.CaseSortKeys)
	if err != nil {
		return err
	}
	cq.Sort, cq.Desc = order.Key, order.Desc
	var x *listExport
	start := func(total int) error {
		var err error
		x, err = h.newListExport(w, r, exportSpec{
			File: "cases", Title: "申请工作清单", Sheet: "申请",
			Header: []string{"县区划代码", "申请编号", "申请人", "身份证号（脱敏）", "项目代码", "项目", "申报年度", "所在区划代码", "所在区划", "状态", "申报日期"},
			Widths: []float64{10, 10, 10, 22, 14, 30, 8, 16, 30, 20, 12},
			Action: "case.export", Entity: "case", Region: a.Scope,
			Filter: map[string]string{"state": state, "sort": cq.Sort, "desc": strconv.FormatBool(cq.Desc)},
		})
		if x != nil {
			x.total = total
		}
		return err
	}
	err = h.app.EachCase(r.Context(), a, cq, "zh", start, func(c *app.WorkItem, program string) error {
		return x.write(c.County, c.Ref(), c.Name, maskedID(c.IDNumber), c.Program, program, strconv.Itoa(c.Year),
			c.Region, h.tree.FullName(region.Code(c.Region)), c.State.Chinese(), c.Submitted.String())
	})
	if x == nil {
		return err
	}
	return x.finish(err)
}

// cycleExport writes the lines of a payment cycle that its page lists
// under the tab ?show= (all, a status, or the arrears and corrections), in
// the page's order (?sort= and ?order=), with the ID numbers masked. The
// workbook is started once the lines are counted, so a refusal or a bad
// filter is an error page.
func (h *Handler) cycleExport(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	show := r.URL.Query().Get("show")
	f, err := lineFilterOf(show, id)
	if err != nil {
		return err
	}
	order, err := web.SortOf(r.URL.Query(), payment.LineSortKeys)
	if err != nil {
		return err
	}
	f.Sort, f.Desc = order.Key, order.Desc
	var x *listExport
	start := func(total int) error {
		var err error
		x, err = h.newListExport(w, r, exportSpec{
			File: "cycle-" + strconv.FormatInt(id, 10), Title: "发放明细", Sheet: "发放明细",
			Header: []string{"明细编号", "姓名", "身份证号（脱敏）", "所在区划代码", "所在区划", "项目代码", "期间", "类型", "月数", "金额（元）",
				"状态", "原因", "备注"},
			Widths: []float64{10, 10, 22, 16, 30, 14, 10, 10, 6, 12, 12, 24, 30},
			Action: "payment.cycle.export", Entity: "payment_cycle", EntityID: strconv.FormatInt(id, 10), Region: region.Code(county),
			Filter: map[string]string{"show": show, "sort": f.Sort, "desc": strconv.FormatBool(f.Desc)},
		})
		if x != nil {
			x.total = total
		}
		return err
	}
	err = h.app.EachCycleLine(r.Context(), web.Actor(r), county, id, f, start, func(l app.LineRow) error {
		period := l.Period.String()
		if l.Revision > 0 {
			period += " r" + strconv.Itoa(l.Revision)
		}
		reason := strings.TrimSpace(l.FailReason + " " + l.HoldReason)
		return x.write(strconv.FormatInt(l.ID, 10), l.Name, maskedID(l.IDNumber), l.Region, h.tree.FullName(region.Code(l.Region)),
			l.Program, period, l.Kind.Chinese(), strconv.Itoa(l.Months), l.Amount.String(),
			l.Status.Chinese(), reason, l.Note)
	})
	if x == nil {
		return err
	}
	return x.finish(err)
}

// ledgerExport writes the funds ledger the ledger page shows for ?year=,
// ?region= and ?program=: the totals, then the regions one level down and
// the programs, each with the shares of the four paying levels in yuan.
func (h *Handler) ledgerExport(w http.ResponseWriter, r *http.Request) error {
	year, reg, program, err := h.ledgerQuery(r)
	if err != nil {
		return err
	}
	a := web.Actor(r)
	scope := a.Scope
	if reg != "" {
		scope = region.Code(reg)
	}
	lv, err := h.app.Ledger(r.Context(), a, year, reg, program, "zh")
	if err != nil {
		return err
	}
	l, names := lv.Ledger, lv.Names
	header := []string{"分组", "代码", "名称", "发放人数", "金额（元）"}
	for _, l := range policy.FundingLevels {
		header = append(header, l.ZH+"（元）")
	}
	file := "ledger-" + strconv.Itoa(year)
	if l.Region != "" {
		file += "-" + l.Region
	}
	x, err := h.newListExport(w, r, exportSpec{
		File: file, Title: "资金台账", Sheet: "资金台账", Header: header,
		Widths: []float64{8, 14, 30, 10, 14, 14, 14, 14, 14},
		Action: "payment.ledger.export", Entity: "ledger", Region: scope,
		Filter: map[string]string{"year": strconv.Itoa(year), "region": reg, "program": program},
	})
	if err != nil {
		return err
	}
	x.total = 1 + len(l.ByRegion) + len(l.ByProgram)
	row := func(group, key, name string, t payment.Totals) error {
		cells := []string{group, key, name, strconv.Itoa(t.Persons), t.Amount.String()}
		for _, f := range t.Split {
			cells = append(cells, f.String())
		}
		return x.write(cells...)
	}
	err = row("合计", l.Region, l.RegionName, l.Totals)
	for _, g := range l.ByRegion {
		if err == nil {
			err = row("按区划", g.Key, g.Name, g.Totals)
		}
	}
	for _, g := range l.ByProgram {
		if err == nil {
			err = row("按项目", g.Key, label(names, g.Key), g.Totals)
		}
	}
	x.note("年度", strconv.Itoa(year))
	x.note("区划", l.RegionName)
	if program != "" {
		x.note("项目", label(names, program))
	}
	x.note("说明", "按银行入账日期所在年度统计")
	return x.finish(err)
}

// annualReviewExport writes a run of the annual review as its printable
// page shows it: every recipient whose situation changed, with the ID
// number masked, the reason and the clauses that failed, and the run's
// counts below the rows.
func (h *Handler) annualReviewExport(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "annual_review", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	run, err := h.app.AnnualReviewRun(r.Context(), web.Actor(r), county, id, "zh")
	if err != nil {
		return err
	}
	ar, names := run.Run, run.Names
	x, err := h.newListExport(w, r, exportSpec{
		File: "annual-review-" + strconv.FormatInt(id, 10), Title: "年审结果", Sheet: "年审结果",
		Header: []string{"人员编号", "姓名", "身份证号（脱敏）", "项目代码", "项目", "原因", "未满足的条款"},
		Widths: []float64{10, 10, 22, 14, 30, 24, 60},
		Action: "annual_review.export", Entity: "annual_review", EntityID: strconv.FormatInt(id, 10), Region: region.Code(ar.Region),
	})
	if err != nil {
		return err
	}
	x.total = len(ar.Changed)
	for _, c := range ar.Changed {
		clauses := make([]string, len(c.Clauses))
		for i, cl := range c.Clauses {
			clauses[i] = cl.Text
		}
		if err = x.write(strconv.FormatInt(c.PersonID, 10), c.Name, maskedID(c.IDNumber), c.Program, label(names, c.Program),
			roll.ExitReasons.Chinese(c.Reason), strings.Join(clauses, "；")); err != nil {
			break
		}
	}
	x.note("年审区划", h.tree.FullName(region.Code(ar.Region)))
	x.note("年度", strconv.Itoa(ar.Year))
	x.note("年审时间", ar.At.In(date.Beijing).Format("2006-01-02 15:04"))
	x.note("审核人数", strconv.Itoa(ar.Reviewed))
	x.note("确认人数", strconv.Itoa(ar.Confirmed))
	x.note("情况变化人数", strconv.Itoa(len(ar.Changed)))
	return x.finish(err)
}

// auditTrailExport writes the audit trail the audit page lists with its
// filter (chain, object type, object id, user), newest first from the
// newest entry, the changes with ID numbers masked as the page shows them.
func (h *Handler) auditTrailExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	aq, err := web.AuditQuery(q)
	if err != nil {
		return err
	}
	aq.Entity, aq.EntityID, aq.User = strings.TrimSpace(aq.Entity), strings.TrimSpace(aq.EntityID), strings.TrimSpace(aq.User)
	x, err := h.newListExport(w, r, exportSpec{
		Title: "审计日志", Sheet: "审计日志",
		Header: []string{"序号", "时间", "用户编号", "用户", "操作", "操作代码", "对象类型", "对象编号", "区划代码", "变更前", "变更后"},
		Widths: []float64{8, 18, 8, 12, 16, 22, 12, 14, 14, 60, 60},
		Action: "audit.export", Entity: "audit",
	})
	if err != nil {
		return err
	}
	county, err := h.app.EachAuditEntry(r.Context(), web.Actor(r), aq, func(e audit.Entry) error {
		user := ""
		if e.UserID != 0 {
			user = strconv.FormatInt(e.UserID, 10)
		}
		return x.write(strconv.FormatInt(e.Seq, 10), e.At.In(date.Beijing).Format("2006-01-02 15:04:05"), user, e.Username,
			h.zhText("action."+e.Action, e.Action), e.Action, h.zhText("entity."+e.Entity, e.Entity), e.EntityID, e.Region,
			web.RedactIDs(e.Before), web.RedactIDs(e.After))
	})
	x.spec.File, x.spec.Region = "audit", region.Code(county)
	if county != "" {
		x.spec.File += "-" + county
	}
	x.spec.Filter = map[string]string{"county": county, "entity": aq.Entity, "entity_id": aq.EntityID, "user": aq.User, "user_id": q.Get("user_id")}
	return x.finish(err)
}

// workbookHeaders sets the headers of an Excel download named file (ASCII,
// e.g. "roll") with a Chinese title for browsers that read filename*, both
// stamped with the Beijing time; it is never cached.
func (h *Handler) workbookHeaders(w http.ResponseWriter, file, title string) {
	name := file + "-" + h.now().In(date.Beijing).Format("20060102-1504") + ".xlsx"
	hd := w.Header()
	hd.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	hd.Set("Content-Disposition", "attachment; filename=\""+name+"\"; filename*=UTF-8''"+url.PathEscape(title+"-"+name))
	hd.Set("Cache-Control", "no-store")
}
