package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
)

// maxRosterBytes bounds a roster uploaded to the API.
const maxRosterBytes = 64 << 20

// maxPreview bounds the persons a dry run lists.
const maxPreview = 1000

// rosterUpload reads the uploaded file: the part named "file" of a
// multipart form, or else the whole request body.
func rosterUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, maxRosterBytes+1<<20)
	tooLarge := apperr.Invalidf("file", "文件过大（最大 64MB）", "the file is too large (at most 64 MB)")
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader = body
	if mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, apperr.Invalidf("file", "上传的表单无效", "the uploaded form is not valid")
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil, apperr.Invalidf("file", "表单中没有名为 file 的文件", "the form has no part named file")
			}
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, tooLarge
			}
			if err != nil {
				return nil, apperr.Invalidf("file", "上传的表单无效", "the uploaded form is not valid")
			}
			if part.FormName() == "file" {
				src = part
				break
			}
		}
	}
	data, err := io.ReadAll(io.LimitReader(src, maxRosterBytes+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || len(data) > maxRosterBytes {
		return nil, tooLarge
	}
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, apperr.Invalidf("file", "文件为空", "the file is empty")
	}
	return data, nil
}

// importPersons is POST /api/v1/import/persons: it reads a roster (CSV or
// .xlsx) and registers every row, or nothing when any row has a problem.
// With dry_run=1 it saves nothing and answers with the problems and a
// preview of the persons (ID numbers masked).
func (h *Handler) importPersons(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRegistryWrite, target{Entity: "person"}); err != nil {
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
	ro, err := registry.ParseRoster(table, registry.RosterOptions{Today: date.FromTime(h.now().In(beijing))})
	if err != nil {
		return err
	}
	var res *registry.ImportResult
	run := func(tx *store.Tx) error {
		var err error
		if res, err = registry.ImportRoster(r.Context(), tx, actor(r), ro, dryRun); err != nil {
			return err
		}
		if !dryRun {
			return registry.ProblemsError(res.Problems)
		}
		return nil
	}
	if dryRun {
		err = h.db.View(r.Context(), run)
	} else {
		err = h.db.Update(r.Context(), run)
	}
	if err != nil {
		return err
	}
	out := map[string]any{"result": res}
	if dryRun {
		preview := res.Persons
		if len(preview) > maxPreview {
			preview = preview[:maxPreview]
		}
		out["preview"] = h.toPersonList(preview)
		out["preview_truncated"] = len(res.Persons) > maxPreview
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// exportPersons is GET /api/v1/export/persons: every person in the
// actor's scope (or the region asked for within it) as a CSV or .xlsx
// roster, streamed. It masks nothing: it is the staff's own export; each
// export is audited.
func (h *Handler) exportPersons(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRegistryRead, target{Entity: "person"}); err != nil {
		return err
	}
	a := actor(r)
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
	scope := a.Scope
	if s := q.Get("region"); s != "" {
		c, err := parseRegion("region", s)
		if err != nil {
			return err
		}
		if err := h.inScope(r, c, target{Entity: "person"}); err != nil {
			return err
		}
		scope = c
	}
	name := "persons"
	if scope != "" {
		name += "-" + string(scope)
	}
	name += "-" + h.now().In(beijing).Format("20060102") + "." + format
	ctype := "text/csv; charset=utf-8"
	if encoding == sheet.EncodingGB18030 {
		ctype = "text/csv; charset=gb18030"
	}
	if format == sheet.FormatXLSX {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape("人员名册-"+name))
	w.Header().Set("Cache-Control", "no-store")
	rw, err := sheet.NewWriter(w, registry.RosterHeader(), sheet.WriterOptions{Format: format, Encoding: encoding,
		Sheet: registry.RosterSheet, Widths: registry.RosterWidths()})
	if err != nil {
		return err
	}
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		return tx.EachPerson(r.Context(), scope, func(p *registry.Record) error { return rw.Write(registry.RosterCells(p)) })
	})
	if err == nil {
		err = rw.Close()
	}
	if aerr := h.auditExport(r.Context(), a, scope, format, encoding, rw.Rows(), err); aerr != nil && err == nil {
		err = aerr
	}
	if err != nil {
		// The status is sent: break the connection so that the client
		// sees a failed download, not a short file.
		h.log.ErrorContext(r.Context(), "export persons", "err", redactIDs(err.Error()))
		panic(http.ErrAbortHandler)
	}
	return nil
}

// auditExport records that a roster of scope left the system.
func (h *Handler) auditExport(ctx context.Context, a auth.Actor, scope region.Code, format, encoding string, rows int, failed error) error {
	ctx = context.WithoutCancel(ctx)
	after := map[string]any{"scope": string(scope), "format": format, "encoding": encoding, "rows": rows, "complete": failed == nil}
	e := audit.Entry{County: string(h.tree.County(scope)), UserID: a.UserID, Username: a.Username, Action: "person.export",
		Entity: "person", Region: string(scope), After: audit.JSON(after)}
	return h.db.Update(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) })
}
