package ui

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The cross-department matching pages (比对核查, docs/matching.md): the
// county uploads a department's extract, maps its columns when its
// headers differ, previews what the import would do and runs it; the
// import's result lists every row with each role's outcome and gives the
// feedback file; the worklist shows each village and township its tasks,
// and a task shows the department's record beside the registry's with
// the actions.

// matchCounty is the county the matching pages work on: the county of the
// actor's scope.
func (h *Handler) matchCounty(r *http.Request) string {
	return string(h.tree.County(web.Actor(r).Scope))
}

// matchPage is the hub: the county's imports and exchange log for the
// county's staff, and the worklist's link for everyone.
func (h *Handler) matchPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "match.title")
	county := h.matchCounty(r)
	data := map[string]any{"County": county}
	v.Data = data
	a := web.Actor(r)
	if county != "" && a.CanSee(region.Code(county)) {
		imps, err := h.app.MatchImports(r.Context(), a, county, 50)
		if err != nil {
			return err
		}
		log, err := h.app.MatchExchanges(r.Context(), a, county, "", "")
		if err != nil {
			return err
		}
		data["Imports"], data["Exchanges"], data["CountyStaff"] = imps, exchangeSummary(log), true
	}
	if n, err := h.app.MatchOverdue(r.Context(), a); err == nil {
		data["Overdue"] = n
	} else {
		return err
	}
	return h.render(w, http.StatusOK, "match.html", v)
}

// exchangeRow is a line of the exchange log summed by month, source,
// kind and direction.
type exchangeRow struct {
	Month, Source, Direction string
	Kind                     matching.Kind
	Files, Rows              int
}

func exchangeSummary(xs []matching.Exchange) []exchangeRow {
	var out []exchangeRow
	at := map[string]int{}
	for _, x := range xs {
		k := x.Month + "\x1f" + x.Source + "\x1f" + string(x.Kind) + "\x1f" + x.Direction
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, exchangeRow{Month: x.Month, Source: x.Source, Direction: x.Direction, Kind: x.Kind})
		}
		out[i].Files++
		out[i].Rows += x.Rows
	}
	return out
}

// matchImportPage is the upload form.
func (h *Handler) matchImportPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "match_import"}); err != nil {
		return err
	}
	v := h.newView(w, r, "match.import_title")
	v.Data = map[string]any{"Kinds": h.app.MatchKinds()}
	v.Form.Set("kind", r.URL.Query().Get("kind"))
	return h.render(w, http.StatusOK, "match_import.html", v)
}

// matchImportSubmit takes the upload through its steps: a file whose
// headers lack a required column gets the column mapping form; a file
// that reads gets the preview (a dry run: the counts, the problems, the
// first rows' outcomes); the preview's confirmation runs the import and
// shows its result. The file travels with each step, so no upload is kept
// on the server.
func (h *Handler) matchImportSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "match_import"}); err != nil {
		return err
	}
	v := h.newView(w, r, "match.import_title")
	data := map[string]any{"Kinds": h.app.MatchKinds()}
	v.Data = data
	up, err := web.ReadUpload(w, r)
	if err != nil {
		formError(v, err)
		return h.render(w, http.StatusBadRequest, "match_import.html", v)
	}
	for _, f := range []string{"kind", "from", "encoding", "file_name"} {
		v.Form.Set(f, strings.TrimSpace(up.Fields.Get(f)))
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
		return h.render(w, http.StatusBadRequest, "match_import.html", v)
	}
	if _, err := sheet.ParseEncoding(v.F("encoding")); err != nil {
		formError(v, err)
		return h.render(w, http.StatusBadRequest, "match_import.html", v)
	}
	// The mapping form's fields: map.N holds the column for header N.
	var mapping map[string]string
	headers := up.Fields["header"]
	for i, hd := range headers {
		if c, ok := up.Fields["map."+strconv.Itoa(i)]; ok {
			if mapping == nil {
				mapping = map[string]string{}
			}
			mapping[hd] = c[0]
		}
	}
	confirm := up.Fields.Get("confirm") == "1"
	county := h.matchCounty(r)
	in := app.MatchImport{County: county, Kind: v.F("kind"), Source: v.F("from"), FileName: v.F("file_name"), File: bytes.NewReader(content),
		Encoding: v.F("encoding"), Mapping: mapping, SaveMapping: mapping != nil && up.Fields.Get("save_mapping") == "1", DryRun: !confirm}
	res, err := h.app.ImportExtract(r.Context(), web.Actor(r), in)
	data["Content"] = base64.StdEncoding.EncodeToString(content)
	if mapping != nil {
		data["SaveMapping"] = up.Fields.Get("save_mapping") == "1"
	}
	if err != nil {
		if res != nil && res.Import != nil && len(res.Import.Header) > 0 {
			// The file reads but its headers lack a column: map them.
			k, _ := matching.ParseKind(v.F("kind"))
			data["Mapping"] = mappingForm(res.Import.Header, matching.SpecOf(k), mapping, res.Columns)
			data["Problems"] = res.Problems
			return h.render(w, http.StatusUnprocessableEntity, "match_import.html", v)
		}
		if formError(v, err) {
			return h.render(w, http.StatusBadRequest, "match_import.html", v)
		}
		return err
	}
	if confirm {
		http.Redirect(w, r, fmt.Sprintf("/match/imports/%s/%d?done=match_imported", county, res.Import.ID), http.StatusSeeOther)
		return nil
	}
	data["Preview"] = res
	data["Errors"] = errorsOnly(res.Problems)
	data["Warnings"] = len(res.Problems) - len(errorsOnly(res.Problems))
	data["First"] = res.Results[:min(len(res.Results), 50)]
	data["Reasons"] = taskCounts(res.Tasks)
	data["Headers"], data["Map"] = headersOf(mapping)
	return h.render(w, http.StatusOK, "match_import.html", v)
}

func errorsOnly(ps []matching.Problem) []matching.Problem {
	var out []matching.Problem
	for _, p := range ps {
		if p.Severity == matching.Error {
			out = append(out, p)
		}
	}
	return out
}

// headersOf returns a mapping as the hidden fields that carry it.
func headersOf(m map[string]string) ([]string, map[string]string) {
	var hs []string
	for h := range m {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	idx := map[string]string{}
	for i, h := range hs {
		idx["map."+strconv.Itoa(i)] = m[h]
	}
	return hs, idx
}

// reasonCount is how many tasks of a reason an import makes.
type reasonCount struct {
	Reason string
	N      int
}

func taskCounts(ts []matching.Task) []reasonCount {
	var out []reasonCount
	for _, r := range matching.TaskReasons {
		n := 0
		for _, t := range ts {
			if t.Reason == r.Code {
				n++
			}
		}
		if n > 0 {
			out = append(out, reasonCount{r.Code, n})
		}
	}
	return out
}

// mapRow is one file header of the mapping form with the kind's columns
// to choose from.
type mapRow struct {
	Index    int
	Header   string
	Selected string
}

type mapForm struct {
	Rows    []mapRow
	Columns []matching.Column
}

// mappingForm offers, for each header of the file, the kind's columns,
// with the column it was read as (or mapped to) selected.
func mappingForm(header []string, spec matching.Spec, mapping map[string]string, found map[string]int) mapForm {
	f := mapForm{Columns: spec.Columns}
	byCol := map[int]string{}
	for k, c := range found {
		byCol[c] = k
	}
	for i, hd := range header {
		sel := byCol[i+1]
		if m, ok := mapping[hd]; ok {
			sel = m
		}
		f.Rows = append(f.Rows, mapRow{Index: i, Header: hd, Selected: sel})
	}
	return f
}

// matchImportResultPage shows an import: its counts and a page of its
// rows with each role's outcome.
func (h *Handler) matchImportResultPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	pg := matchPageOf(r)
	v := h.newView(w, r, "match.result_title")
	res, err := h.app.MatchImportDetail(r.Context(), web.Actor(r), county, id, (pg-1)*100, 100)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"View": res, "Page": pg, "Pages": (res.Import.Rows + 99) / 100}
	return h.render(w, http.StatusOK, "match_result.html", v)
}

func matchPageOf(r *http.Request) int {
	p, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || p < 1 {
		return 1
	}
	return p
}

// matchFeedbackDownload sends the import's feedback file as a workbook.
func (h *Handler) matchFeedbackDownload(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	header, rows, err := h.app.MatchFeedback(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	sw, err := sheet.NewWriter(&buf, header, sheet.WriterOptions{Format: sheet.FormatXLSX})
	if err != nil {
		return err
	}
	for _, row := range rows {
		if err := sw.Write(row); err != nil {
			return err
		}
	}
	if err := sw.Close(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="feedback-`+strconv.FormatInt(id, 10)+`.xlsx"; filename*=UTF-8''`+
		url.PathEscape("比对反馈-"+strconv.FormatInt(id, 10)+".xlsx"))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// matchTasksPage is the worklist of the actor's region.
func (h *Handler) matchTasksPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "match.tasks_title")
	q := r.URL.Query()
	pg := matchPageOf(r)
	tq := matching.TaskQuery{Status: q.Get("status"), Reason: q.Get("reason"), Limit: 50, Offset: (pg - 1) * 50}
	if tq.Status == "" && !q.Has("status") {
		tq.Status = matching.TaskOpen
	}
	if q.Get("overdue") == "1" {
		tq.OverdueOn = date.Today(h.app.Now())
	}
	if s := q.Get("import"); s != "" {
		tq.ImportID, _ = strconv.ParseInt(s, 10, 64)
	}
	for _, f := range []string{"reason", "overdue", "import"} {
		v.Form.Set(f, q.Get(f))
	}
	v.Form.Set("status", tq.Status)
	county := h.matchCounty(r)
	if county == "" {
		// Above the county, the worklists are the counties' own.
		if err := web.Require(h.app, r, auth.PermRegistryRead, app.Target{Entity: "match_task"}); err != nil {
			return err
		}
		v.Data = map[string]any{"Reasons": matching.TaskReasons, "Statuses": matching.TaskStatuses, "Page": 1, "Pages": 0, "Total": 0}
		return h.render(w, http.StatusOK, "match_tasks.html", v)
	}
	rows, n, err := h.app.MatchWorklist(r.Context(), web.Actor(r), county, tq)
	if err != nil {
		if formError(v, err) {
			return h.render(w, http.StatusBadRequest, "match_tasks.html", v)
		}
		return err
	}
	keep := r.URL.Query()
	keep.Del("page")
	keep.Del("lang")
	v.Data = map[string]any{"Tasks": rows, "Total": n, "Page": pg, "Pages": (n + 49) / 50, "Reasons": matching.TaskReasons,
		"Statuses": matching.TaskStatuses, "Keep": keep.Encode()}
	return h.render(w, http.StatusOK, "match_tasks.html", v)
}

// sideBySide is a task's department record, field by field, beside the
// registry persons.
type sideBySide struct {
	Cells   [][2]string // header, value
	Persons []*registry.Record
}

// matchTaskPage shows a task with the department's record beside the
// registry's and the actions.
func (h *Handler) matchTaskPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "match.task_title")
	return h.renderTask(w, r, v, county, id, http.StatusOK)
}

func (h *Handler) renderTask(w http.ResponseWriter, r *http.Request, v *view, county string, id int64, status int) error {
	tv, err := h.app.MatchTask(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	sb := sideBySide{}
	for i, hd := range tv.Import.Header {
		val := ""
		if i < len(tv.Row.Cells) {
			val = tv.Row.Cells[i]
		}
		sb.Cells = append(sb.Cells, [2]string{hd, val})
	}
	var ids []int64
	for pid := range tv.Persons {
		ids = append(ids, pid)
	}
	slices.Sort(ids)
	for _, pid := range ids {
		sb.Persons = append(sb.Persons, tv.Persons[pid])
	}
	var cands []matching.Scored
	for _, res := range tv.Row.Results {
		if res.Role == tv.Task.Role {
			cands = res.Candidates
		}
	}
	v.Data = map[string]any{"Task": tv, "Side": sb, "Candidates": cands, "Root": string(web.Actor(r).Scope)}
	return h.render(w, status, "match_task.html", v)
}

// matchTaskSubmit takes an action on a task: confirm, reject, hand-up or
// decide.
func (h *Handler) matchTaskSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	note := r.PostFormValue("note")
	ctx, a := r.Context(), web.Actor(r)
	done := ""
	switch action {
	case "confirm":
		err = ignore(h.app.ConfirmMatchTaskWith(ctx, a, county, id, version, app.TaskConfirmation{Note: note,
			Name: r.PostFormValue("name"), Region: r.PostFormValue("region"), HukouType: r.PostFormValue("hukou_type")}))
		done = "match_confirmed"
	case "reject":
		_, err = h.app.RejectMatchTask(ctx, a, county, id, version, note)
		done = "match_rejected"
	case "hand-up":
		_, err = h.app.HandUpMatchTask(ctx, a, county, id, version, note)
		done = "match_handed_up"
	case "decide":
		pid, perr := strconv.ParseInt(r.PostFormValue("person_id"), 10, 64)
		if perr != nil {
			err = apperr.Invalidf("person_id", "请选择对应人员，或选择“人口库中无此人”", "choose the person, or nobody in the registry")
			break
		}
		_, err = h.app.DecideMatchReview(ctx, a, county, id, version, pid, note)
		done = "match_decided"
	default:
		return apperr.New(apperr.NotFound, "无此操作", "no such action")
	}
	if err != nil {
		v := h.newView(w, r, "match.task_title")
		if formError(v, err) || apperr.KindOf(err) == apperr.Conflict {
			if apperr.KindOf(err) == apperr.Conflict {
				formError(v, &apperr.Error{Kind: apperr.Invalid, Field: "note", ZH: errText(err, "zh"), EN: errText(err, "en")})
			}
			v.Form.Set("note", note)
			return h.renderTask(w, r, v, county, id, http.StatusUnprocessableEntity)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/match/tasks/%s/%d?done=%s", county, id, done), http.StatusSeeOther)
	return nil
}

func ignore(_ *app.TaskOutcome, err error) error { return err }

func errText(err error, lang string) string {
	if e, ok := apperr.As(err); ok {
		return e.Message(lang)
	}
	return err.Error()
}

// matchDuplicatesPage lists the probable duplicates inside a county's
// registry (?county=, the actor's own by default), for the county's staff.
func (h *Handler) matchDuplicatesPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "match.duplicates.title")
	county := r.URL.Query().Get("county")
	if county == "" {
		county = h.matchCounty(r)
	}
	pairs, n, err := h.app.MatchDuplicates(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Pairs": pairs, "Total": n}
	return h.render(w, http.StatusOK, "match_duplicates.html", v)
}
