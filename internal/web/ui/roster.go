package ui

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/web"
)

// maxExportRows bounds an export from the person list: a list filtered to
// a village or a name fits; a whole city is an export job for the command
// line (jiahe export persons).
const maxExportRows = 20000

// personsExport writes the persons the list shows (the same filter and
// order, every page, up to exportRowCap rows) as an Excel roster in the
// columns the import reads (registry.RosterCells), through the list
// exporter.
func (h *Handler) personsExport(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryRead, app.Target{Entity: "person"}); err != nil {
		return err
	}
	s, err := h.parsePersonSearch(r)
	if err != nil {
		return err
	}
	scope := web.Actor(r).Scope
	if s.Region != "" {
		scope = s.Region
	}
	x, err := h.newListExport(w, r, exportSpec{
		File: "persons", Title: "人员名册", Sheet: registry.RosterSheet, Header: registry.RosterHeader(), Widths: registry.RosterWidths(),
		Action: "person.export", Entity: "person", Region: scope,
		Filter: map[string]string{"id_number": s.IDNumber, "name": s.Name, "region": string(s.Region), "alive": strconv.FormatBool(s.Alive),
			"sort": s.Sort.Key, "desc": strconv.FormatBool(s.Sort.Desc)},
	})
	if err != nil {
		return err
	}
	total, err := h.app.ListPersons(r.Context(), web.Actor(r), s.query(0, 0), func(p *registry.Record) error {
		return x.write(registry.RosterCells(p)...)
	})
	if total <= registry.CountCap {
		x.total = total // a larger count is not exact
	}
	return x.finish(err)
}

func (h *Handler) importPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "person"}); err != nil {
		return err
	}
	v := h.newView(w, r, "import.title")
	v.Data = map[string]any{}
	return h.render(w, http.StatusOK, "import.html", v)
}

// importSubmit checks an uploaded roster (registry.ParseRoster, then
// registry.ImportRoster as a dry run) and shows a preview: every bad row
// with its row, column and reason, or the persons that would be
// registered. Nothing is saved until the preview is confirmed, and then
// only if the file still has no problem at all (the check runs again in
// the saving transaction). The file travels with the confirmation, so no
// upload is kept on the server.
func (h *Handler) importSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "person"}); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "import.title")
	data := map[string]any{}
	v.Data = data
	up, err := web.ReadUpload(w, r)
	if err != nil {
		formError(v, err)
		return h.render(w, http.StatusBadRequest, "import.html", v)
	}
	content := up.File
	if enc := up.Fields.Get("content"); enc != "" {
		b, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || int64(len(b)) > web.MaxUpload {
			return apperr.Invalidf("content", "文件内容无效", "invalid file content")
		}
		content = b
	} else if len(content) == 0 {
		formError(v, invalid("file", "请选择要导入的文件", "choose a file to import"))
		return h.render(w, http.StatusBadRequest, "import.html", v)
	}
	v.Form.Set("encoding", up.Fields.Get("encoding"))
	table, err := sheet.Open(bytes.NewReader(content), up.Fields.Get("encoding"))
	if err != nil {
		if formError(v, err) {
			return h.render(w, http.StatusBadRequest, "import.html", v)
		}
		return err
	}
	confirm := up.Fields.Get("confirm") == "1"
	res, err := h.app.ImportRoster(r.Context(), a, table, !confirm)
	if err != nil {
		if formError(v, err) {
			return h.render(w, http.StatusBadRequest, "import.html", v)
		}
		return err
	}
	data["Result"] = res
	if confirm && len(res.Problems) == 0 {
		v.Notice = v.T["done.imported"]
	} else if len(res.Problems) == 0 {
		data["Content"] = base64.StdEncoding.EncodeToString(content)
	}
	status := http.StatusOK
	if len(res.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.render(w, status, "import.html", v)
}

// importTemplate downloads an empty roster workbook: the header row the
// import reads, for staff to fill in.
func (h *Handler) importTemplate(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "person"}); err != nil {
		return err
	}
	var buf bytes.Buffer
	tw, err := sheet.NewWriter(&buf, registry.RosterHeader(), sheet.WriterOptions{Format: sheet.FormatXLSX, Sheet: registry.RosterSheet, Widths: registry.RosterWidths()})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", web.Attachment("人员名册导入模板.xlsx", "roster-template.xlsx"))
	_, err = w.Write(buf.Bytes())
	return err
}
