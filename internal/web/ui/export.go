package ui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/web"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

// Excel exports of the list pages: the public notice list of one notice,
// the case worklist, the lines of a payment cycle, the funds ledger, a run
// of the annual review and the audit trail, one file each (export_*.go;
// the roll's and the roster's are beside their pages). Each export checks
// what its page checks and reads through the same use cases, with the
// same filter and order, every page up to exportRowCap rows; ID
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
