package api

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/web"
)

// maxPreview bounds the persons a dry run lists.
const maxPreview = 1000

// rosterUpload reads the uploaded file (readUpload): the part named
// "file" of a multipart form, or else the whole request body.
func rosterUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	up, err := web.ReadUpload(w, r)
	if err != nil {
		return nil, err
	}
	if up.File == nil {
		return nil, apperr.Invalidf("file", "表单中没有名为 file 的文件", "the form has no part named file")
	}
	if len(up.File) == 0 {
		return nil, apperr.Invalidf("file", "文件为空", "the file is empty")
	}
	return up.File, nil
}

// importPersons is POST /api/v1/import/persons: it reads a roster (CSV or
// .xlsx) and registers every row, or nothing when any row has a problem.
// With dry_run=1 it saves nothing and answers with the problems and a
// preview of the persons (ID numbers masked).
func (h *Handler) importPersons(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "person"}); err != nil {
		return err
	}
	q := r.URL.Query()
	dryRun := false
	switch q.Get("dry_run") {
	case "", "0", "false":
	case "1", "true":
		dryRun = true
	default:
		return apperr.Invalidf("dry_run", "dry_run 应为 1 或 0", "dry_run must be 1 or 0")
	}
	if _, err := sheet.ParseEncoding(q.Get("encoding")); err != nil {
		return err
	}
	data, err := rosterUpload(w, r)
	if err != nil {
		return err
	}
	table, err := sheet.Open(bytes.NewReader(data), q.Get("encoding"))
	if err != nil {
		return err
	}
	res, err := h.app.ImportRoster(r.Context(), web.Actor(r), table, dryRun)
	if err != nil {
		return err
	}
	if !dryRun && len(res.Problems) > 0 {
		return registry.ProblemsError(res.Problems) // nothing was saved
	}
	out := map[string]any{"result": res}
	if dryRun {
		preview := res.Persons
		if len(preview) > maxPreview {
			preview = preview[:maxPreview]
		}
		out["preview"] = h.toPersonList(preview)
		out["preview_truncated"] = len(res.Persons) > maxPreview
		web.WriteJSON(w, http.StatusOK, out)
		return nil
	}
	web.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// exportPersons is GET /api/v1/export/persons: every person in the
// actor's scope (or the region asked for within it) as a CSV or .xlsx
// roster, streamed. It masks nothing: it is the staff's own export; each
// export is audited.
func (h *Handler) exportPersons(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryRead, app.Target{Entity: "person"}); err != nil {
		return err
	}
	a := web.Actor(r)
	q := r.URL.Query()
	format, err := sheet.ParseFormat(q.Get("format"))
	if err != nil {
		return err
	}
	encoding, err := sheet.ParseEncoding(q.Get("encoding"))
	if err != nil {
		return err
	}
	if format == sheet.FormatXLSX {
		encoding = ""
	} else if encoding == "" {
		encoding = sheet.EncodingUTF8
	}
	x := app.RosterExport{Format: format, Encoding: encoding}
	if s := q.Get("region"); s != "" {
		if x.Region, err = web.ParseRegion("region", s); err != nil {
			return err
		}
	}
	scope := a.Scope
	if x.Region != "" {
		scope = x.Region
	}
	name := "persons"
	if scope != "" {
		name += "-" + string(scope)
	}
	name += "-" + h.now().In(date.Beijing).Format("20060102") + "." + format
	ctype := "text/csv; charset=utf-8"
	if encoding == sheet.EncodingGB18030 {
		ctype = "text/csv; charset=gb18030"
	}
	if format == sheet.FormatXLSX {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	started := false
	err = h.app.ExportRoster(r.Context(), a, x, func() (app.RowSink, error) {
		// The export is allowed: the download begins.
		started = true
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape("人员名册-"+name))
		w.Header().Set("Cache-Control", "no-store")
		rw, err := sheet.NewWriter(w, registry.RosterHeader(), sheet.WriterOptions{Format: format, Encoding: encoding,
			Sheet: registry.RosterSheet, Widths: registry.RosterWidths()})
		if err != nil {
			return nil, err
		}
		return rw, nil
	})
	if err != nil && started {
		// The status is sent: break the connection so that the client
		// sees a failed download, not a short file.
		h.log.ErrorContext(r.Context(), "export persons", "err", web.RedactIDs(err.Error()))
		panic(http.ErrAbortHandler)
	}
	return err
}
