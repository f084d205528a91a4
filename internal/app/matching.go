package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/synth"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Cross-department matching (docs/matching.md): a county imports other
// departments' extracts; each row and role is matched to the registry
// (package matching), every new fact the registry does not yet record
// becomes a task for the village or township of the person it concerns,
// and a police death of a person on the roll holds their payments at
// once. Staff confirm a task — the change goes through the registry's own
// use case, the roll follows and paid periods are recomputed — reject it
// with a reason, or hand it up to the township.

// MatchImport is an extract to import.
type MatchImport struct {
	County string
	Kind   string
	// Source names the sending department or office; the kind's
	// department when empty. A saved column mapping is kept per source.
	Source   string
	FileName string
	File     io.Reader
	Encoding string       // "" detects it
	Limits   sheet.Limits // zero: sheet.UploadLimits
	// Mapping maps the file's headers to the kind's columns; nil uses the
	// mapping saved for the source, if any. SaveMapping saves it.
	Mapping     map[string]string
	SaveMapping bool
	// DryRun parses and matches and says what an import would do, and
	// saves nothing.
	DryRun bool
	Params *matching.Params // nil: matching.DefaultParams
}

// MatchImportResult is what an import did (or, dry, would do).
type MatchImportResult struct {
	Import *matching.Import
	// Columns maps each column key of the kind found to its 1-based file
	// column.
	Columns  map[string]int
	Problems []matching.Problem
	Results  []matching.Result
	Tasks    []matching.Task
}

// maxSource bounds the length of a source's name.
const maxSource = 60

// ImportExtract imports an extract of a department into county: it reads
// the file, matches every row and role against the county's registry,
// and in one transaction records the import, its rows and results, the
// new facts, the tasks they call for and the exchange, and holds the
// payments of the persons on the roll a police death names. A row whose
// fact was imported before (the same file twice, or files that overlap)
// is recorded as repeated and creates nothing. A file that cannot be read
// as a whole (a required column missing) is refused with its problems,
// and nothing is saved.
func (a *App) ImportExtract(ctx context.Context, who auth.Actor, in MatchImport) (*MatchImportResult, error) {
	start := time.Now()
	county, err := ParseCounty("county", in.County)
	if err != nil {
		return nil, err
	}
	kind, err := matching.ParseKind(in.Kind)
	if err != nil {
		return nil, err
	}
	source, err := checkSource(in.Source, kind)
	if err != nil {
		return nil, err
	}
	prm := matching.DefaultParams()
	if in.Params != nil {
		prm = *in.Params
	}
	if err := prm.Check(); err != nil {
		return nil, err
	}
	o := op{name: "match.import", perm: auth.PermRegistryWrite, target: Target{Entity: "match_import", Region: region.Code(county)}}
	mapping := in.Mapping
	var seq int64 // the county's chain when the registry is read
	err = a.view(ctx, who, o, func(tx *store.Tx) (err error) {
		if seq, err = tx.ChainSeq(ctx, county); err != nil {
			return err
		}
		if mapping == nil {
			mapping, err = tx.MatchMapping(ctx, county, source, kind)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if in.File == nil {
		return nil, apperr.Invalidf("file", "请选择要导入的文件", "choose a file to import")
	}
	lim := in.Limits
	if lim == (sheet.Limits{}) {
		lim = sheet.UploadLimits
	}
	h := sha256.New()
	table, err := sheet.OpenLimited(io.TeeReader(in.File, h), in.Encoding, lim)
	if err != nil {
		return nil, err
	}
	x, err := matching.Parse(table, kind, matching.Options{Mapping: mapping, Today: date.Today(a.Now())})
	if err != nil {
		return nil, err
	}
	res := &MatchImportResult{Columns: x.Columns, Problems: x.AllProblems()}
	imp := &matching.Import{County: county, Kind: kind, Source: source, FileName: strings.TrimSpace(in.FileName),
		FileHash: hex.EncodeToString(h.Sum(nil)), Format: x.Format, Encoding: x.Encoding, Header: x.Header, Mapping: mapping,
		Rows: len(x.Rows), DryRun: in.DryRun, CreatedBy: who.UserID, CreatedByName: actorName(who)}
	res.Import = imp
	if !x.OK() {
		return res, matching.ProblemsError(x.Problems)
	}
	ix, err := a.matchIndex(ctx, county, seq)
	if err != nil {
		return nil, err
	}
	m, err := matching.NewMatcher(ix, prm)
	if err != nil {
		return nil, err
	}
	if res.Results, err = m.MatchRows(ctx, x.Rows); err != nil {
		return nil, err
	}
	after := seq // the chain after the import, when nothing came between
	settle := func(tx *store.Tx) error {
		before, err := tx.ChainSeq(ctx, county)
		if err != nil {
			return err
		}
		if err := a.settleImport(ctx, tx, who, imp, x, res, in.SaveMapping && !in.DryRun, start); err != nil {
			return err
		}
		if before == seq {
			after, err = tx.ChainSeq(ctx, county)
		}
		return err
	}
	if in.DryRun {
		err = a.view(ctx, who, o, settle)
	} else {
		err = a.update(ctx, who, o, settle)
	}
	if err != nil {
		return nil, err
	}
	if after != seq {
		a.keepMatchIndex(county, after, ix)
	}
	if !in.DryRun && imp.Rows >= analyzeAfter {
		if err := a.db.AnalyzeMatching(ctx); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// analyzeAfter is the number of rows from which an import refreshes the
// planner's statistics of the matching tables.
const analyzeAfter = 1000

func checkSource(s string, kind matching.Kind) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = matching.SpecOf(kind).ZH
	}
	if utf8.RuneCountInString(s) > maxSource || strings.ContainsAny(s, "\r\n\t") {
		return "", apperr.Invalidf("source", "来源名称不超过 %d 个字，且不能换行", "the source is at most %d characters on one line", maxSource)
	}
	return s, nil
}

func actorName(who auth.Actor) string {
	if who.Name != "" {
		return who.Name
	}
	return who.Username
}

// settleImport decides, in tx, which rows are new, the tasks and holds
// they call for, and (unless the import is dry) records it all.
func (a *App) settleImport(ctx context.Context, tx *store.Tx, who auth.Actor, imp *matching.Import, x *matching.Extract,
	res *MatchImportResult, saveMapping bool, start time.Time) error {
	county := imp.County
	keys := make([]string, 0, len(x.Rows))
	for i := range x.Rows {
		if !x.Rows[i].HasErrors() {
			keys = append(keys, x.Rows[i].FactKey)
		}
	}
	known, err := tx.KnownFacts(ctx, county, keys)
	if err != nil {
		return err
	}
	byRow := map[int][]matching.Result{}
	var ids []int64
	for _, r := range res.Results {
		byRow[r.Row] = append(byRow[r.Row], r)
		switch r.Outcome {
		case matching.Matched:
			imp.Matched++
		case matching.Review:
			imp.Review++
		default:
			imp.Unmatched++
		}
		if r.Person.ID != 0 {
			ids = append(ids, r.Person.ID)
		}
	}
	states, err := tx.MatchPersonStates(ctx, county, ids)
	if err != nil {
		return err
	}
	today := date.Today(tx.Now())
	status := map[int]string{}
	var tasks []matching.Task
	for i := range x.Rows {
		row := &x.Rows[i]
		switch {
		case row.HasErrors():
			status[row.Row] = matching.RowError
			imp.Errors++
		case known[row.FactKey]:
			status[row.Row] = matching.RowRepeated
			imp.Repeated++
		default:
			status[row.Row] = matching.RowNew
			known[row.FactKey] = true
			imp.New++
			tasks = append(tasks, matching.Tasks(county, row, byRow[row.Row], states, today)...)
		}
	}
	imp.Tasks = len(tasks)
	for i := range tasks {
		if tasks[i].HoldsPayment() {
			imp.Held++
			tasks[i].Held = true
		}
	}
	res.Tasks = tasks
	if imp.DryRun {
		imp.Seconds = time.Since(start).Seconds()
		return nil
	}
	now := tx.Now()
	id, err := tx.NextIDs(ctx, "match_import", 1)
	if err != nil {
		return err
	}
	imp.ID, imp.CreatedAt = id, now
	if len(tasks) > 0 {
		first, err := tx.NextIDs(ctx, "match_task", len(tasks))
		if err != nil {
			return err
		}
		for i := range tasks {
			tasks[i].ID, tasks[i].ImportID, tasks[i].CreatedAt, tasks[i].Version = first+int64(i), id, now, 1
		}
	}
	for i := range tasks {
		t := &tasks[i]
		if !t.Held {
			continue
		}
		why := fmt.Sprintf("公安死亡注销比对：导入第 %d 批第 %d 行，死亡日期 %s", id, t.Row, t.Event)
		if _, err := payment.FlagSuspectedDeath(ctx, tx, who, t.Person, why); err != nil {
			return err
		}
	}
	if err := tx.InsertMatchRows(ctx, county, id, x.Rows, status, res.Results); err != nil {
		return err
	}
	if err := tx.InsertMatchTasks(ctx, tasks); err != nil {
		return err
	}
	if saveMapping && len(imp.Mapping) > 0 {
		if err := tx.SaveMatchMapping(ctx, county, imp.Source, imp.Kind, imp.Mapping, actorName(who)); err != nil {
			return err
		}
	}
	if err := a.logExchange(ctx, tx, who, imp, matching.Received, imp.Rows); err != nil {
		return err
	}
	imp.Seconds = time.Since(start).Seconds()
	if err := tx.InsertMatchImport(ctx, imp); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Entry{County: county, UserID: who.UserID, Username: who.Username, Action: "match.import",
		Entity: "match_import", EntityID: strconv.FormatInt(id, 10), Region: county,
		After: audit.JSON(map[string]any{"kind": imp.Kind, "source": imp.Source, "file": imp.FileName, "sha256": imp.FileHash,
			"rows": imp.Rows, "new": imp.New, "repeated": imp.Repeated, "errors": imp.Errors, "matched": imp.Matched,
			"review": imp.Review, "unmatched": imp.Unmatched, "tasks": imp.Tasks, "held": imp.Held})})
}

func (a *App) logExchange(ctx context.Context, tx *store.Tx, who auth.Actor, imp *matching.Import, dir string, rows int) error {
	id, err := tx.NextIDs(ctx, "match_exchange", 1)
	if err != nil {
		return err
	}
	now := tx.Now()
	return tx.InsertExchange(ctx, &matching.Exchange{County: imp.County, ID: id, Month: date.Today(now).String()[:7], Direction: dir,
		Source: imp.Source, Kind: imp.Kind, ImportID: imp.ID, Rows: rows, By: actorName(who), At: now})
}

// matchCountyOp is the access rule of a county's matching data: perm, and
// the county within the actor's scope.
func matchCountyOp(name string, perm auth.Permission, entity, county string, id int64) (op, error) {
	c, err := ParseCounty("county", county)
	if err != nil {
		return op{}, err
	}
	o := countyOp(name, perm, entity, c, id)
	return o, nil
}

// MatchImports lists the imports of county, newest first.
func (a *App) MatchImports(ctx context.Context, who auth.Actor, county string, limit int) ([]matching.Import, error) {
	o, err := matchCountyOp("match.import.list", auth.PermRegistryRead, "match_import", county, 0)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]matching.Import, error) {
		return tx.MatchImports(ctx, county, limit)
	})
}

// MatchImportView is an import with a page of its rows and their results.
type MatchImportView struct {
	Import *matching.Import
	Rows   []matching.ImportRow
	// Names are the names of the registry persons the rows' results
	// name, by id.
	Names map[int64]string
}

// MatchImportDetail returns import id of county with its rows from
// offset (at most limit; all when limit is 0).
func (a *App) MatchImportDetail(ctx context.Context, who auth.Actor, county string, id int64, offset, limit int) (*MatchImportView, error) {
	o, err := matchCountyOp("match.import.read", auth.PermRegistryRead, "match_import", county, id)
	if err != nil {
		return nil, err
	}
	return look(a, ctx, who, o, func(tx *store.Tx) (*MatchImportView, error) {
		imp, err := tx.MatchImport(ctx, county, id)
		if err != nil {
			return nil, err
		}
		var nos []int
		if limit > 0 {
			for n := offset + 1; n <= min(imp.Rows, offset+limit); n++ {
				nos = append(nos, n)
			}
			if len(nos) == 0 {
				return &MatchImportView{Import: imp}, nil
			}
		}
		rows, err := tx.MatchRows(ctx, county, id, nos)
		if err != nil {
			return nil, err
		}
		v := &MatchImportView{Import: imp, Rows: rows, Names: map[int64]string{}}
		var ids []int64
		for _, r := range rows {
			for _, res := range r.Results {
				if res.Person.ID != 0 {
					ids = append(ids, res.Person.ID)
				}
			}
		}
		st, err := tx.MatchPersonStates(ctx, county, ids)
		if err != nil {
			return nil, err
		}
		for id, p := range st {
			v.Names[id] = p.Name
		}
		return v, nil
	})
}

// MatchFeedback returns the feedback file of import id of county — the
// rows that matched nobody or conflict with the registry, and those that
// could not be read, in the department's own layout with the outcome and
// the reasons — and records it in the exchange log as sent.
func (a *App) MatchFeedback(ctx context.Context, who auth.Actor, county string, id int64) (header []string, rows [][]string, err error) {
	o, err := matchCountyOp("match.feedback", auth.PermRegistryWrite, "match_import", county, id)
	if err != nil {
		return nil, nil, err
	}
	err = a.update(ctx, who, o, func(tx *store.Tx) error {
		imp, err := tx.MatchImport(ctx, county, id)
		if err != nil {
			return err
		}
		stored, err := tx.MatchRows(ctx, county, id, nil)
		if err != nil {
			return err
		}
		x := &matching.Extract{Kind: imp.Kind, Header: imp.Header}
		var results []matching.Result
		for _, r := range stored {
			x.Rows = append(x.Rows, matching.Row{Row: r.Row, Line: r.Line, Kind: imp.Kind, Cells: r.Cells, Problems: r.Problems})
			results = append(results, r.Results...)
		}
		header, rows = matching.FeedbackHeader(x), matching.Feedback(x, results)
		if err := a.logExchange(ctx, tx, who, imp, matching.Sent, len(rows)); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{County: county, UserID: who.UserID, Username: who.Username, Action: "match.feedback",
			Entity: "match_import", EntityID: strconv.FormatInt(id, 10), Region: county,
			After: audit.JSON(map[string]any{"rows": len(rows), "source": imp.Source})})
	})
	return header, rows, err
}

// MatchExchanges returns the exchange log of county from month from to
// month to (YYYY-MM; empty for no bound), by month and source.
func (a *App) MatchExchanges(ctx context.Context, who auth.Actor, county, from, to string) ([]matching.Exchange, error) {
	o, err := matchCountyOp("match.exchanges", auth.PermRegistryRead, "match_exchange", county, 0)
	if err != nil {
		return nil, err
	}
	for _, m := range []struct{ f, v string }{{"from", from}, {"to", to}} {
		if m.v == "" {
			continue
		}
		if _, err := time.Parse("2006-01", m.v); err != nil {
			return nil, apperr.Invalidf(m.f, "月份应写作 YYYY-MM", "a month is written YYYY-MM")
		}
	}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]matching.Exchange, error) {
		return tx.Exchanges(ctx, county, from, to)
	})
}

// MatchMapping returns the column mapping saved for source's files of kind
// in county (nil when none).
func (a *App) MatchMapping(ctx context.Context, who auth.Actor, county, source, kind string) (map[string]string, error) {
	o, err := matchCountyOp("match.mapping.read", auth.PermRegistryRead, "match_mapping", county, 0)
	if err != nil {
		return nil, err
	}
	k, err := matching.ParseKind(kind)
	if err != nil {
		return nil, err
	}
	if source, err = checkSource(source, k); err != nil {
		return nil, err
	}
	return look(a, ctx, who, o, func(tx *store.Tx) (map[string]string, error) {
		return tx.MatchMapping(ctx, county, source, k)
	})
}

// SaveMatchMapping saves the column mapping of source's files of kind in
// county: each file header to a column key of the kind ("" to ignore it).
func (a *App) SaveMatchMapping(ctx context.Context, who auth.Actor, county, source, kind string, mapping map[string]string) error {
	o, err := matchCountyOp("match.mapping.save", auth.PermRegistryWrite, "match_mapping", county, 0)
	if err != nil {
		return err
	}
	k, err := matching.ParseKind(kind)
	if err != nil {
		return err
	}
	if source, err = checkSource(source, k); err != nil {
		return err
	}
	keys := map[string]bool{"": true}
	for _, c := range matching.SpecOf(k).Columns {
		keys[c.Key] = true
	}
	for h, v := range mapping {
		if !keys[v] {
			return apperr.Invalidf("mapping", "列“%s”对应的字段 %q 不是%s的字段", "column %q maps to %q, not a column of %s", h, v, matching.SpecOf(k).ZH)
		}
	}
	return a.update(ctx, who, o, func(tx *store.Tx) error {
		if err := tx.SaveMatchMapping(ctx, county, source, k, mapping, actorName(who)); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{County: county, UserID: who.UserID, Username: who.Username, Action: "match.mapping.save",
			Entity: "match_mapping", EntityID: source + "/" + string(k), Region: county, After: audit.JSON(mapping)})
	})
}

// TaskRow is a worklist task with the name of its person.
type TaskRow struct {
	matching.Task
	Name    string
	Overdue bool
}

// MatchWorklist returns a page of the tasks of county within the actor's
// scope that q selects, oldest deadline first, and how many it selects.
func (a *App) MatchWorklist(ctx context.Context, who auth.Actor, county string, q matching.TaskQuery) ([]TaskRow, int, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, 0, err
	}
	if q.Status != "" && !matching.TaskStatuses.Has(q.Status) {
		return nil, 0, apperr.OneOf("status", q.Status, codes(matching.TaskStatuses))
	}
	if q.Reason != "" && !matching.TaskReasons.Has(q.Reason) {
		return nil, 0, apperr.OneOf("reason", q.Reason, codes(matching.TaskReasons))
	}
	if q.Level != "" && !matching.TaskLevels.Has(q.Level) {
		return nil, 0, apperr.OneOf("level", q.Level, codes(matching.TaskLevels))
	}
	t := Target{Entity: "match_task", Region: region.Code(q.Region)}
	var rows []TaskRow
	var n int
	err = a.view(ctx, who, op{name: "match.task.list", perm: auth.PermRegistryRead, target: t}, func(tx *store.Tx) error {
		ts, total, err := tx.MatchTasks(ctx, who.Scope, county, q)
		if err != nil {
			return err
		}
		n = total
		var ids []int64
		for _, t := range ts {
			ids = append(ids, t.Person.ID)
		}
		st, err := tx.MatchPersonStates(ctx, county, ids)
		if err != nil {
			return err
		}
		today := date.Today(tx.Now())
		for _, t := range ts {
			rows = append(rows, TaskRow{Task: t, Name: st[t.Person.ID].Name, Overdue: t.Overdue(today)})
		}
		return nil
	})
	return rows, n, err
}

func codes(l term.List) []string { return l.Codes() }

// MatchOverdue counts the open tasks within the actor's scope past their
// deadline, for the dashboard.
func (a *App) MatchOverdue(ctx context.Context, who auth.Actor) (int, error) {
	o := op{name: "match.task.overdue", perm: auth.PermRegistryRead, target: Target{Entity: "match_task", Region: who.Scope}}
	return look(a, ctx, who, o, func(tx *store.Tx) (int, error) {
		return tx.CountOverdueTasks(ctx, who.Scope, date.Today(tx.Now()))
	})
}

// taskOp is the access rule of a use case on task id of county: perm, and
// the task's region within the actor's scope.
func taskOp(name string, perm auth.Permission, county string, id int64) op {
	return op{name: name, perm: perm, target: Target{Entity: "match_task", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			t, err := tx.MatchTask(ctx, "", county, id)
			if err != nil {
				return "", err
			}
			return region.Code(t.Region), nil
		}}
}

// TaskView is a task with the department's record beside the registry's:
// the file's header and the row's cells, each role's result, and the
// registry records of the person and of the candidates of a review.
type TaskView struct {
	Task    *matching.Task
	Import  *matching.Import
	Row     *matching.ImportRow
	Persons map[int64]*registry.Record // the task's person, the other party and the candidates within scope
	Overdue bool
	// Transfer is the transfer to another county confirming a move-out
	// task started, with its state (nil when none).
	Transfer *move.Transfer
}

// MatchTask returns task id of county with the records side by side.
func (a *App) MatchTask(ctx context.Context, who auth.Actor, county string, id int64) (*TaskView, error) {
	return look(a, ctx, who, taskOp("match.task.read", auth.PermRegistryRead, county, id), func(tx *store.Tx) (*TaskView, error) {
		return a.taskView(ctx, tx, who, county, id)
	})
}

func (a *App) taskView(ctx context.Context, tx *store.Tx, who auth.Actor, county string, id int64) (*TaskView, error) {
	t, err := tx.MatchTask(ctx, who.Scope, county, id)
	if err != nil {
		return nil, err
	}
	imp, err := tx.MatchImport(ctx, county, t.ImportID)
	if err != nil {
		return nil, err
	}
	rows, err := tx.MatchRows(ctx, county, t.ImportID, []int{t.Row})
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("task %d: row %d of import %d is missing", id, t.Row, t.ImportID)
	}
	v := &TaskView{Task: t, Import: imp, Row: &rows[0], Persons: map[int64]*registry.Record{}, Overdue: t.Overdue(date.Today(tx.Now()))}
	ids := []int64{t.Person.ID, t.Other.ID}
	for _, r := range rows[0].Results {
		if r.Role == t.Role || t.Reason != matching.TaskIdentity {
			ids = append(ids, r.Person.ID)
			for _, c := range r.Candidates {
				ids = append(ids, c.Person.ID)
			}
		}
	}
	for _, pid := range ids {
		if pid == 0 || v.Persons[pid] != nil {
			continue
		}
		rec, err := tx.PersonByKey(ctx, who.Scope, registry.Key{County: county, ID: pid})
		if err != nil {
			continue // outside the actor's scope
		}
		v.Persons[pid] = rec
	}
	tr, err := a.taskTransfer(ctx, tx, t)
	v.Transfer = tr
	return v, err
}

// reparse reads the stored cells of a task's row again as its import read
// them, for the facts of the row (dates, types, grades).
func reparse(imp *matching.Import, row *matching.ImportRow) (*matching.Row, error) {
	src := &matching.SynthExtract{Kind: imp.Kind, Header: imp.Header, Rows: [][]string{row.Cells}}
	x, err := matching.Parse(src, imp.Kind, matching.Options{Mapping: imp.Mapping})
	if err != nil {
		return nil, err
	}
	if len(x.Rows) != 1 {
		return nil, fmt.Errorf("import %d row %d: read %d rows", imp.ID, row.Row, len(x.Rows))
	}
	r := x.Rows[0]
	r.Row = row.Row
	return &r, nil
}

// TaskOutcome is what deciding a task did.
type TaskOutcome struct {
	Task *matching.Task
	// Applied says the registry recorded the fact; Roll is what it changed
	// on the roll (nil when the roll was left for the township); Payments
	// the recovery and arrears lines it added.
	Applied  bool
	Roll     *rollResult
	Payments *payment.Recomputed
	// New are the tasks a review decision made of the row's fact.
	New []matching.Task
	// Registered is the person a new-child or arrival task registered;
	// Closed the birth registration a hospital birth closed.
	Registered *registry.Key
	Closed     *birth.Registration
	// Transfer is the transfer a move out to another county of the
	// system started (or the one already under way); ToCounty says the
	// task was verified below the county and waits there for it.
	Transfer *move.Transfer
	ToCounty bool
}

type rollResult = struct {
	Changes int
	Exited  bool
}

// ConfirmMatchTask confirms task id of county: the department's fact is
// true. The fact goes into the registry through its own use case (a death,
// a hukou type, a marriage or divorce, a retirement, a disability), all
// audited; when the actor confirms eligibility (township, county) the roll
// follows at once and the periods already paid are recomputed into
// recovery and arrears lines; a village's confirmation records the fact
// and hands the task up to the township for the roll. A new child or an
// arrival is registered (ConfirmMatchTaskWith gives what the record
// lacks); a move out of the county is confirmed as verified, to be
// transferred by its own form. version is the version read.
func (a *App) ConfirmMatchTask(ctx context.Context, who auth.Actor, county string, id int64, version int, note string) (*TaskOutcome, error) {
	return a.ConfirmMatchTaskWith(ctx, who, county, id, version, TaskConfirmation{Note: note})
}

// ConfirmMatchTaskWith confirms task id of county as ConfirmMatchTask
// does; a task of a new child or of an arrival registers the person from
// the department's record, with what in gives that the record lacks (a
// hospital birth of parents with an open birth registration closes it and
// adds the child through it).
func (a *App) ConfirmMatchTaskWith(ctx context.Context, who auth.Actor, county string, id int64, version int, in TaskConfirmation) (*TaskOutcome, error) {
	var out *TaskOutcome
	err := a.twoCounties(ctx, who, taskOp("match.task.confirm", auth.PermRegistryWrite, county, id), a.taskCounties(ctx, county, id),
		func(tx *store.Tx) (err error) {
			out, err = a.confirmTask(ctx, tx, who, county, id, version, in)
			return err
		})
	return out, err
}

// taskCounties returns the counties confirming task id of county writes
// in: county, and for a move out to another county of the division
// table, that county (a transfer starts there).
func (a *App) taskCounties(ctx context.Context, county string, id int64) func(tx *store.Tx) ([2]string, error) {
	return func(tx *store.Tx) ([2]string, error) {
		cs := [2]string{county, ""}
		t, err := tx.MatchTask(ctx, "", county, id)
		if err != nil || t.Reason != matching.TaskMovedOut {
			return cs, err
		}
		imp, err := tx.MatchImport(ctx, county, t.ImportID)
		if err != nil {
			return cs, err
		}
		rows, err := tx.MatchRows(ctx, county, t.ImportID, []int{t.Row})
		if err != nil || len(rows) != 1 {
			return cs, err
		}
		row, err := reparse(imp, &rows[0])
		if err != nil {
			return cs, err
		}
		cs[1], _ = a.moveTarget(county, row.Event.Region)
		return cs, nil
	}
}

func (a *App) confirmTask(ctx context.Context, tx *store.Tx, who auth.Actor, county string, id int64, version int, in TaskConfirmation) (*TaskOutcome, error) {
	note := in.Note
	{
		v, err := a.taskView(ctx, tx, who, county, id)
		if err != nil {
			return nil, err
		}
		t := v.Task
		if err := openTask(t, version); err != nil {
			return nil, err
		}
		if t.Reason == matching.TaskIdentity {
			return nil, apperr.Invalidf("reason", "身份待核对的任务请在比对页选择对应人员", "decide an identity task by choosing the person")
		}
		note, err = checkNote("note", note, false)
		if err != nil {
			return nil, err
		}
		row, err := reparse(v.Import, v.Row)
		if err != nil {
			return nil, err
		}
		out := &TaskOutcome{Task: t}
		switch {
		case registersPerson(t.Reason):
			err = a.registerFromTask(ctx, tx, who, t, row, v.Row.Results, in, out)
		case t.Reason == matching.TaskMovedOut:
			err = a.transferFromTask(ctx, tx, who, t, row, note, out)
		default:
			err = a.applyTask(ctx, tx, who, t, row, out)
		}
		if err != nil {
			return nil, err
		}
		before := *t
		now := tx.Now()
		switch {
		case out.Applied && out.Roll == nil && needsRoll(t.Reason):
			// A village recorded the fact; the township follows the roll.
			t.Level, t.Deadline = matching.AtTownship, date.Today(now).AddDays(matching.TownshipDays)
			t.Note = joinNote(t.Note, "村级已核实并登记："+note)
		case out.ToCounty:
			// Verified below the county; the county starts the transfer.
			t.Level, t.Deadline = matching.AtCounty, date.Today(now).AddDays(matching.TownshipDays)
			t.Note = joinNote(t.Note, "已核实，待县级发起跨县迁移："+note)
		default:
			t.Status, t.Decision = matching.TaskConfirmed, note
			t.DecidedBy, t.DecidedByName, t.DecidedAt = who.UserID, actorName(who), now
		}
		t.Version++
		if err := tx.UpdateMatchTask(ctx, t); err != nil {
			return nil, err
		}
		return out, auditTask(ctx, tx, who, "match.task.confirm", &before, t, map[string]any{"applied": out.Applied, "roll": out.Roll,
			"payments": out.Payments, "registered": out.Registered, "closed": closedID(out.Closed), "transfer": transferID(out.Transfer)})
	}
}

func transferID(t *move.Transfer) any {
	if t == nil {
		return nil
	}
	return t.ID
}

func closedID(r *birth.Registration) any {
	if r == nil {
		return nil
	}
	return r.ID
}

func needsRoll(reason string) bool {
	switch reason {
	case matching.TaskDeath, matching.TaskHukouType, matching.TaskMarriage, matching.TaskDivorce, matching.TaskDisability, matching.TaskRetired:
		return true
	}
	return false
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "；" + b
}

func openTask(t *matching.Task, version int) error {
	if t.Status != matching.TaskOpen {
		return apperr.Conflictf("该任务已处理（%s）", "the task was already decided (%s)", matching.TaskStatuses.Name(t.Status, "zh"))
	}
	if version != 0 && version != t.Version {
		return apperr.Conflictf("该任务已被他人处理，请刷新后重试", "the task was changed by someone else; reload and try again")
	}
	return nil
}

func checkNote(field, s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", apperr.Invalidf(field, "请填写理由", "give a reason")
	}
	if utf8.RuneCountInString(s) > 500 {
		return "", apperr.Invalidf(field, "说明不超过 500 字", "at most 500 characters")
	}
	return s, nil
}

func auditTask(ctx context.Context, tx *store.Tx, who auth.Actor, action string, before, after *matching.Task, extra map[string]any) error {
	detail := map[string]any{"task": after, "person": after.Person.ID}
	for k, v := range extra {
		detail[k] = v
	}
	return tx.Audit(ctx, audit.Entry{County: after.County, UserID: who.UserID, Username: who.Username, Action: action,
		Entity: "match_task", EntityID: strconv.FormatInt(after.ID, 10), Region: after.Region,
		Before: audit.JSON(before), After: audit.JSON(detail)})
}

// applyTask records task t's fact in the registry unless it is there
// already, then, when the actor may, applies it to the roll and
// recomputes the person's paid periods.
func (a *App) applyTask(ctx context.Context, tx *store.Tx, who auth.Actor, t *matching.Task, row *matching.Row, out *TaskOutcome) error {
	if t.Person.ID == 0 || !needsRoll(t.Reason) {
		return nil
	}
	st, err := tx.MatchPersonStates(ctx, t.County, []int64{t.Person.ID, t.Other.ID})
	if err != nil {
		return err
	}
	p := st[t.Person.ID]
	e := row.Event
	on := e.Date.Date
	source := fmt.Sprintf("%s比对（第 %d 批第 %d 行）", matching.SpecOf(t.Kind).ZH, t.ImportID, t.Row)
	if len([]rune(source)) > registry.MaxNumber {
		source = string([]rune(source)[:registry.MaxNumber])
	}
	var event string
	switch t.Reason {
	case matching.TaskDeath:
		event = "death"
		if p.Death.IsZero() {
			if _, err := registry.RecordDeath(ctx, tx, who, t.Person, on, source); err != nil {
				return err
			}
		}
	case matching.TaskHukouType:
		event = "hukou"
		if p.HukouType != e.HukouType {
			if _, err := registry.ChangeHukou(ctx, tx, who, t.Person, registry.HukouChange{Type: e.HukouType, From: on, Reason: source}); err != nil {
				return err
			}
		}
	case matching.TaskMarriage:
		event = "marriage"
		if t.Other.ID == 0 {
			return apperr.Invalidf("task", "另一方不在人口库中，请先登记另一方", "the other party is not in the registry: register them first")
		}
		if !slices.Contains(p.Spouses, t.Other.ID) {
			h, w := t.Other, t.Person
			if t.Role == matching.RoleHusband {
				h, w = t.Person, t.Other
			}
			if _, err := registry.AddMarriage(ctx, tx, who, h, w, registry.Marriage{From: on}, ""); err != nil {
				return err
			}
		}
	case matching.TaskDivorce:
		event = "marriage"
		if slices.Contains(p.Spouses, t.Other.ID) {
			mid, err := tx.MarriageBetween(ctx, t.County, t.Person.ID, t.Other.ID)
			if err != nil {
				return err
			}
			if err := registry.EndMarriage(ctx, tx, who, t.County, mid, on, "divorce"); err != nil {
				return err
			}
		}
	case matching.TaskRetired:
		event = "other"
		if !p.Retired {
			if _, err := registry.AddRetirement(ctx, tx, who, t.Person, registry.Retirement{Date: on, Employer: e.Employer}); err != nil {
				return err
			}
		}
	case matching.TaskDisability:
		event = "disability"
		if p.Grade != e.Grade {
			if _, err := registry.AddDisability(ctx, tx, who, t.Person, registry.Disability{Grade: e.Grade, Category: e.Category, From: on}, ""); err != nil {
				return err
			}
		}
	}
	out.Applied = true
	if !auth.Can(who, auth.PermEligibility) {
		return nil
	}
	eng, err := a.evaluator(ctx, tx, "zh")
	if err != nil {
		return err
	}
	res, err := applyRollEvent(ctx, tx, eng, who, t.Person, event, on, source)
	if err != nil {
		return err
	}
	out.Roll = res
	as, err := a.assessor(ctx, tx)
	if err != nil {
		return err
	}
	if out.Payments, err = payment.Recompute(ctx, tx, as, who, t.Person, source); err != nil {
		return err
	}
	if len(out.Payments.Lines) == 0 {
		out.Payments = nil
	}
	return nil
}

// RejectMatchTask rejects task id of county: the department's record is
// wrong or does not concern the person, for reason. A payment hold the
// task raised stays until a finance officer verifies the held lines.
func (a *App) RejectMatchTask(ctx context.Context, who auth.Actor, county string, id int64, version int, reason string) (*matching.Task, error) {
	return write(a, ctx, who, taskOp("match.task.reject", auth.PermRegistryWrite, county, id), func(tx *store.Tx) (*matching.Task, error) {
		t, err := tx.MatchTask(ctx, who.Scope, county, id)
		if err != nil {
			return nil, err
		}
		if err := openTask(t, version); err != nil {
			return nil, err
		}
		if reason, err = checkNote("reason", reason, true); err != nil {
			return nil, err
		}
		before := *t
		t.Status, t.Decision = matching.TaskRejected, reason
		t.DecidedBy, t.DecidedByName, t.DecidedAt = who.UserID, actorName(who), tx.Now()
		t.Version++
		if err := tx.UpdateMatchTask(ctx, t); err != nil {
			return nil, err
		}
		return t, auditTask(ctx, tx, who, "match.task.reject", &before, t, nil)
	})
}

// HandUpMatchTask hands task id of county up to the township, with a note,
// and gives the township its own deadline.
func (a *App) HandUpMatchTask(ctx context.Context, who auth.Actor, county string, id int64, version int, note string) (*matching.Task, error) {
	return write(a, ctx, who, taskOp("match.task.hand_up", auth.PermRegistryWrite, county, id), func(tx *store.Tx) (*matching.Task, error) {
		t, err := tx.MatchTask(ctx, who.Scope, county, id)
		if err != nil {
			return nil, err
		}
		if err := openTask(t, version); err != nil {
			return nil, err
		}
		if t.Level != matching.AtVillage {
			return nil, apperr.Conflictf("只有村级任务可以上报乡镇", "only a village's task is handed up to the township")
		}
		if note, err = checkNote("note", note, true); err != nil {
			return nil, err
		}
		before := *t
		t.Level, t.Deadline = matching.AtTownship, date.Today(tx.Now()).AddDays(matching.TownshipDays)
		t.Note = joinNote(t.Note, "村级上报："+note)
		t.Version++
		if err := tx.UpdateMatchTask(ctx, t); err != nil {
			return nil, err
		}
		return t, auditTask(ctx, tx, who, "match.task.hand_up", &before, t, nil)
	})
}

// DecideMatchReview decides an identity task id of county: the role is
// registry person personID — one of the candidates shown — or nobody in
// the registry (0). The row's result follows, and once every role of the
// row is decided the row's fact makes its tasks (and holds payments) as
// an automatic match would have.
func (a *App) DecideMatchReview(ctx context.Context, who auth.Actor, county string, id int64, version int, personID int64, note string) (*TaskOutcome, error) {
	return write(a, ctx, who, taskOp("match.task.decide", auth.PermRegistryWrite, county, id), func(tx *store.Tx) (*TaskOutcome, error) {
		v, err := a.taskView(ctx, tx, who, county, id)
		if err != nil {
			return nil, err
		}
		t := v.Task
		if err := openTask(t, version); err != nil {
			return nil, err
		}
		if t.Reason != matching.TaskIdentity && t.Reason != matching.TaskIDConflict {
			return nil, apperr.Invalidf("reason", "该任务不是身份核对任务", "the task is not an identity decision")
		}
		if note, err = checkNote("note", note, false); err != nil {
			return nil, err
		}
		var res *matching.Result
		for i := range v.Row.Results {
			if v.Row.Results[i].Role == t.Role {
				res = &v.Row.Results[i]
			}
		}
		if res == nil {
			return nil, fmt.Errorf("task %d: no result for role %s", id, t.Role)
		}
		if personID != 0 {
			ok := res.Person.ID == personID
			for _, c := range res.Candidates {
				ok = ok || c.Person.ID == personID
			}
			if !ok || v.Persons[personID] == nil {
				return nil, apperr.Invalidf("person_id", "请从列出的候选人员中选择", "choose one of the candidates shown")
			}
		}
		reason := "review_" + string(matching.Unmatched)
		if personID != 0 {
			reason = "review_" + string(matching.Matched)
		}
		if err := tx.SetMatchResult(ctx, county, t.ImportID, t.Row, t.Role, personID, reason); err != nil {
			return nil, err
		}
		before := *t
		now := tx.Now()
		t.Status, t.Decision = matching.TaskConfirmed, note
		if personID != 0 {
			t.Person = registry.Key{County: county, ID: personID}
		} else {
			t.Person = registry.Key{}
		}
		t.DecidedBy, t.DecidedByName, t.DecidedAt = who.UserID, actorName(who), now
		t.Version++
		if err := tx.UpdateMatchTask(ctx, t); err != nil {
			return nil, err
		}
		out := &TaskOutcome{Task: t}
		// The row's fact, once no role waits for a decision.
		open, _, err := tx.MatchTasks(ctx, "", county, matching.TaskQuery{ImportID: t.ImportID, Status: matching.TaskOpen, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, o := range open {
			if o.Row == t.Row && (o.Reason == matching.TaskIdentity || o.Reason == matching.TaskIDConflict) {
				return out, auditTask(ctx, tx, who, "match.task.decide", &before, t, nil)
			}
		}
		rows, err := tx.MatchRows(ctx, county, t.ImportID, []int{t.Row})
		if err != nil {
			return nil, err
		}
		row, err := reparse(v.Import, &rows[0])
		if err != nil {
			return nil, err
		}
		people := map[matching.Role]int64{}
		var ids []int64
		for _, r := range rows[0].Results {
			if r.Outcome == matching.Matched && r.Person.ID != 0 {
				people[r.Role] = r.Person.ID
				ids = append(ids, r.Person.ID)
			}
		}
		st, err := tx.MatchPersonStates(ctx, county, ids)
		if err != nil {
			return nil, err
		}
		byRole := map[matching.Role]matching.PersonState{}
		for role, pid := range people {
			if p, ok := st[pid]; ok {
				byRole[role] = p
			}
		}
		news := matching.FactTasks(county, row, byRole, date.Today(now))
		if len(news) > 0 {
			first, err := tx.NextIDs(ctx, "match_task", len(news))
			if err != nil {
				return nil, err
			}
			for i := range news {
				n := &news[i]
				n.ID, n.ImportID, n.CreatedAt, n.Version = first+int64(i), t.ImportID, now, 1
				if n.HoldsPayment() {
					n.Held = true
					why := fmt.Sprintf("公安死亡注销比对：导入第 %d 批第 %d 行（人工核对），死亡日期 %s", t.ImportID, t.Row, n.Event)
					if _, err := payment.FlagSuspectedDeath(ctx, tx, who, n.Person, why); err != nil {
						return nil, err
					}
				}
			}
			if err := tx.InsertMatchTasks(ctx, news); err != nil {
				return nil, err
			}
		}
		out.New = news
		return out, auditTask(ctx, tx, who, "match.task.decide", &before, t, map[string]any{"person_id": personID, "new_tasks": len(news)})
	})
}

// MatchKinds returns the kinds of extract with their columns, for the
// mapping form.
func (a *App) MatchKinds() []matching.Spec {
	out := make([]matching.Spec, len(matching.Kinds))
	for i, k := range matching.Kinds {
		out[i] = matching.SpecOf(k)
	}
	return out
}

// applyRollEvent applies a registry event of person k to the roll
// (workflow.ApplyEvent) and sums up what it changed.
func applyRollEvent(ctx context.Context, tx *store.Tx, eng *policy.Evaluator, who auth.Actor, k registry.Key, kind string, on date.Date, evidence string) (*rollResult, error) {
	res, err := workflow.ApplyEvent(ctx, tx, eng, who, k, workflow.Event{Kind: kind, Date: on, Evidence: evidence})
	if err != nil {
		return nil, err
	}
	out := &rollResult{Changes: len(res.Changes)}
	for _, c := range res.Changes {
		if c.Kind == roll.ChangeExit {
			out.Exited = true
		}
	}
	return out, nil
}

// ExtractRequest describes a dirty extract to generate from a synthetic
// county, as `jiahe gen` generates it into a database.
type ExtractRequest struct {
	County  string
	Persons int // the county's persons, as generated (jiahe gen --persons)
	Seed    uint64
	AsOf    date.Date
	Extract matching.ExtractConfig
}

// GenerateExtract generates the county of r in memory (the same persons,
// with the same ids, that `jiahe gen` writes into an empty database),
// another county of the same prefecture for the persons outside the
// registry, and from them an extract with its truth. It touches no
// database.
func GenerateExtract(ctx context.Context, r ExtractRequest) (*matching.SynthExtract, error) {
	cfg := synth.Config{County: r.County, Persons: r.Persons, Seed: r.Seed, AsOf: r.AsOf}
	reg, err := matching.GenerateCounty(ctx, cfg)
	if err != nil {
		return nil, err
	}
	other := matching.NeighbourCounty(r.County)
	if other == "" {
		return nil, apperr.Invalidf("county", "找不到与 %s 同属一市的其他县，无法生成库外人员", "no other county near %s for the persons outside the registry", r.County)
	}
	outside, err := matching.GenerateCounty(ctx, synth.Config{County: other, Persons: max(20_000, r.Persons/10), Seed: r.Seed + 1, AsOf: r.AsOf})
	if err != nil {
		return nil, err
	}
	return matching.GenerateExtract(reg, outside, r.Extract)
}

// RegistryCounties returns the counties that have persons in the
// registry.
func (a *App) RegistryCounties(ctx context.Context, who auth.Actor) ([]string, error) {
	o := op{name: "registry.counties", perm: auth.PermRegistryRead, target: Target{Entity: "county", Region: who.Scope}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]string, error) {
		cs, err := tx.RegistryCounties(ctx)
		if err != nil {
			return nil, err
		}
		return slices.DeleteFunc(cs, func(c string) bool { return !who.CanSee(region.Code(c)) }), nil
	})
}
