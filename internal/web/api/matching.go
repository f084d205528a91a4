package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/web"
)

// Cross-department matching (docs/matching.md): imports of other
// departments' extracts, the worklist of tasks and the exchange log.

func boolParam(q url.Values, name string) (bool, error) {
	switch q.Get(name) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, apperr.Invalidf(name, "%s 应为 1 或 0", "%s must be 1 or 0", name)
}

// importJSON is an import with its result lines.
type importJSON struct {
	Import   *matching.Import   `json:"import"`
	Columns  map[string]int     `json:"columns"`
	Problems []matching.Problem `json:"problems"`
	// Lines are the result lines: row, role, outcome, id_number (of the
	// matched person), score.
	Lines [][]string      `json:"lines"`
	Tasks []matching.Task `json:"tasks"`
}

// matchImport is POST /api/v1/match/imports?county=&source=KIND[&from=NAME][&dry_run=1][&encoding=]:
// the file as the body, or as the part "file" of a multipart form whose
// field "mapping" may hold the column mapping as JSON (saved for the
// source with save_mapping=1).
func (h *Handler) matchImport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	dry, err := boolParam(q, "dry_run")
	if err != nil {
		return err
	}
	save, err := boolParam(q, "save_mapping")
	if err != nil {
		return err
	}
	if _, err := sheet.ParseEncoding(q.Get("encoding")); err != nil {
		return err
	}
	up, err := web.ReadUpload(w, r)
	if err != nil {
		return err
	}
	if len(up.File) == 0 {
		return apperr.Invalidf("file", "文件为空", "the file is empty")
	}
	in := app.MatchImport{County: county, Kind: q.Get("source"), Source: q.Get("from"), FileName: q.Get("file_name"),
		File: bytes.NewReader(up.File), Encoding: q.Get("encoding"), DryRun: dry, SaveMapping: save}
	if s := up.Fields.Get("mapping"); s != "" {
		if err := json.Unmarshal([]byte(s), &in.Mapping); err != nil {
			return apperr.Invalidf("mapping", "列对应关系应为 JSON 对象", "mapping must be a JSON object")
		}
	}
	res, err := h.app.ImportExtract(r.Context(), web.Actor(r), in)
	if err != nil {
		if res != nil && len(res.Problems) > 0 {
			return matching.ProblemsError(res.Problems)
		}
		return err
	}
	out := importJSON{Import: res.Import, Columns: res.Columns, Problems: res.Problems, Tasks: res.Tasks, Lines: make([][]string, len(res.Results))}
	for i := range res.Results {
		out.Lines[i] = res.Results[i].Line()
	}
	status := http.StatusCreated
	if dry {
		status = http.StatusOK
	}
	web.WriteJSON(w, status, out)
	return nil
}

// listMatchImports is GET /api/v1/match/imports?county=.
func (h *Handler) listMatchImports(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	xs, err := h.app.MatchImports(r.Context(), web.Actor(r), county, 100)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"imports": xs})
	return nil
}

// getMatchImport is GET /api/v1/match/imports/{county}/{id}?offset=&limit=:
// the import and a page of its rows (the department's cells, the
// problems, each role's result).
func (h *Handler) getMatchImport(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	offset, limit, err := page(r.URL.Query(), 100, 1000)
	if err != nil {
		return err
	}
	v, err := h.app.MatchImportDetail(r.Context(), web.Actor(r), county, id, offset, limit)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"import": v.Import, "rows": v.Rows, "names": v.Names})
	return nil
}

func page(q url.Values, def, most int) (offset, limit int, err error) {
	limit = def
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > most {
			return 0, 0, apperr.Invalidf("limit", "limit 应为 1 到 %d", "limit must be 1 to %d", most)
		}
	}
	if s := q.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 {
			return 0, 0, apperr.Invalidf("offset", "offset 应为非负整数", "offset must be a whole number")
		}
	}
	return offset, limit, nil
}

// matchFeedback is GET /api/v1/match/imports/{county}/{id}/feedback?format=csv|xlsx&encoding=utf8|gbk:
// the rows to send back to the department, in its own layout. Audited and
// logged as sent.
func (h *Handler) matchFeedback(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	format, err := sheet.ParseFormat(q.Get("format"))
	if err != nil {
		return err
	}
	encoding, err := sheet.ParseEncoding(q.Get("encoding"))
	if err != nil {
		return err
	}
	header, rows, err := h.app.MatchFeedback(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	return writeSheet(w, "比对反馈-"+strconv.FormatInt(id, 10), format, encoding, header, rows)
}

// writeSheet sends header and rows as a CSV or .xlsx download named name.
func writeSheet(w http.ResponseWriter, name, format, encoding string, header []string, rows [][]string) error {
	if format == "" {
		format = sheet.FormatCSV
	}
	ctype := "text/csv; charset=utf-8"
	switch {
	case format == sheet.FormatXLSX:
		ctype, encoding = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ""
	case encoding == sheet.EncodingGB18030:
		ctype = "text/csv; charset=gb18030"
	}
	var buf bytes.Buffer
	sw, err := sheet.NewWriter(&buf, header, sheet.WriterOptions{Format: format, Encoding: encoding})
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := sw.Write(r); err != nil {
			return err
		}
	}
	if err := sw.Close(); err != nil {
		return err
	}
	file := name + "." + format
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="feedback.`+format+`"; filename*=UTF-8''`+url.PathEscape(file))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// TaskQuery reads the worklist's filters of a query string.
func TaskQuery(q url.Values, today date.Date) (matching.TaskQuery, error) {
	tq := matching.TaskQuery{Region: q.Get("region"), Status: q.Get("status"), Level: q.Get("level"), Reason: q.Get("reason")}
	var err error
	if tq.Offset, tq.Limit, err = page(q, 100, 500); err != nil {
		return tq, err
	}
	if s := q.Get("import_id"); s != "" {
		if tq.ImportID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return tq, apperr.Invalidf("import_id", "import_id 应为整数", "import_id must be a number")
		}
	}
	if tq.Region != "" {
		if _, err := web.ParseRegion("region", tq.Region); err != nil {
			return tq, err
		}
	}
	overdue, err := boolParam(q, "overdue")
	if err != nil {
		return tq, err
	}
	if overdue {
		tq.OverdueOn = today
	}
	return tq, nil
}

// taskJSON is a task of the worklist, its person's name and whether it is
// overdue.
type taskJSON struct {
	matching.Task
	Name       string `json:"name"`
	ReasonName string `json:"reason_name"`
	Overdue    bool   `json:"overdue"`
}

// listMatchTasks is GET /api/v1/match/tasks?county=&region=&status=&level=&reason=&import_id=&overdue=1&offset=&limit=.
func (h *Handler) listMatchTasks(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	tq, err := TaskQuery(r.URL.Query(), date.Today(h.now()))
	if err != nil {
		return err
	}
	rows, n, err := h.app.MatchWorklist(r.Context(), web.Actor(r), county, tq)
	if err != nil {
		return err
	}
	lang := web.Language(r)
	out := make([]taskJSON, len(rows))
	for i, t := range rows {
		out[i] = taskJSON{Task: t.Task, Name: t.Name, ReasonName: matching.TaskReasons.Name(t.Reason, lang), Overdue: t.Overdue}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"tasks": out, "total": n})
	return nil
}

// personSide is a registry person beside the department's record, the
// ID number masked.
type personSide struct {
	County   string    `json:"county"`
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	IDNumber string    `json:"id_number"`
	Sex      string    `json:"sex"`
	Birth    date.Date `json:"birth"`
	Death    date.Date `json:"death,omitzero"`
	Region   string    `json:"region"`
}

func sides(ps map[int64]*registry.Record) map[int64]personSide {
	out := map[int64]personSide{}
	for id, p := range ps {
		out[id] = personSide{County: p.County, ID: p.ID, Name: p.Name, IDNumber: idcard.Number(p.IDNumber).Masked(), Sex: p.Sex,
			Birth: p.Birth, Death: p.Death, Region: p.Region}
	}
	return out
}

// getMatchTask is GET /api/v1/match/tasks/{county}/{id}: the task, the
// department's record (header and cells) and the registry's persons side
// by side.
func (h *Handler) getMatchTask(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v, err := h.app.MatchTask(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"task": v.Task, "overdue": v.Overdue, "header": v.Import.Header, "kind": v.Import.Kind,
		"source": v.Import.Source, "row": v.Row, "persons": sides(v.Persons), "transfer": v.Transfer})
	return nil
}

type taskDecision struct {
	Version  int    `json:"version"`
	Note     string `json:"note"`
	Reason   string `json:"reason"`
	PersonID int64  `json:"person_id"`
	// What a confirmation that registers a person needs beyond the
	// department's record.
	Name      string `json:"name"`
	Region    string `json:"region"`
	HukouType string `json:"hukou_type"`
}

// decideMatchTask is POST /api/v1/match/tasks/{county}/{id}/{action} with
// action confirm, reject, hand-up or decide.
func (h *Handler) decideMatchTask(action string) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		county, id, err := web.CountyKey(r, h.tree)
		if err != nil {
			return err
		}
		var in taskDecision
		if err := web.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		ctx, who := r.Context(), web.Actor(r)
		var out any
		switch action {
		case "confirm":
			out, err = h.app.ConfirmMatchTaskWith(ctx, who, county, id, in.Version, app.TaskConfirmation{Note: in.Note, Name: in.Name,
				Region: in.Region, HukouType: in.HukouType})
		case "reject":
			out, err = h.app.RejectMatchTask(ctx, who, county, id, in.Version, in.Reason)
		case "hand-up":
			out, err = h.app.HandUpMatchTask(ctx, who, county, id, in.Version, in.Note)
		case "decide":
			out, err = h.app.DecideMatchReview(ctx, who, county, id, in.Version, in.PersonID, in.Note)
		}
		if err != nil {
			return err
		}
		web.WriteJSON(w, http.StatusOK, map[string]any{"result": out})
		return nil
	}
}

// listMatchExchanges is GET /api/v1/match/exchanges?county=&from=YYYY-MM&to=YYYY-MM.
func (h *Handler) listMatchExchanges(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	xs, err := h.app.MatchExchanges(r.Context(), web.Actor(r), county, q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"exchanges": xs})
	return nil
}

// getMatchMapping is GET /api/v1/match/mappings/{county}?source=KIND&from=NAME.
func (h *Handler) getMatchMapping(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	m, err := h.app.MatchMapping(r.Context(), web.Actor(r), county, q.Get("from"), q.Get("source"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"mapping": m})
	return nil
}

// putMatchMapping is PUT /api/v1/match/mappings/{county} with
// {"source": KIND, "from": NAME, "mapping": {HEADER: COLUMN}}.
func (h *Handler) putMatchMapping(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Source  string            `json:"source"`
		From    string            `json:"from"`
		Mapping map[string]string `json:"mapping"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.app.SaveMatchMapping(r.Context(), web.Actor(r), county, in.From, in.Source, in.Mapping); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"mapping": in.Mapping})
	return nil
}

// matchKinds is GET /api/v1/match/kinds: the kinds of extract and their
// columns.
func (h *Handler) matchKinds(w http.ResponseWriter, r *http.Request) error {
	web.WriteJSON(w, http.StatusOK, map[string]any{"kinds": h.app.MatchKinds()})
	return nil
}

// duplicateJSON is a probable duplicate pair, the ID numbers masked.
type duplicateJSON struct {
	A        personSide        `json:"a"`
	B        personSide        `json:"b"`
	Score    float64           `json:"score"`
	Outcome  matching.Outcome  `json:"outcome"`
	Evidence matching.Evidence `json:"evidence"`
}

// listMatchDuplicates is GET /api/v1/match/duplicates?county=: the probable
// duplicates inside the county's registry, most probable first.
func (h *Handler) listMatchDuplicates(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	pairs, n, err := h.app.MatchDuplicates(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	out := make([]duplicateJSON, len(pairs))
	for i, p := range pairs {
		s := sides(map[int64]*registry.Record{p.A.ID: p.A, p.B.ID: p.B})
		out[i] = duplicateJSON{A: s[p.A.ID], B: s[p.B.ID], Score: p.Score, Outcome: p.Outcome, Evidence: p.Evidence}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"pairs": out, "total": n})
	return nil
}
