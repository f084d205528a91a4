package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/printout"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/workflow"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// The printed papers both doors serve the same way: the case documents
// as HTML or PDF, a letter and a cycle's letters as PDF, a division's
// notice lists as PDF. Each reads its data with one use-case call and
// lays it out with package printout.

// docNames are the Chinese names of the case documents, for file names.
var docNames = map[string]string{"application": "申报表", "survey": "入户调查审核记录表", "notice": "公示名单"}

// PDFLink returns the address of the request's paper as PDF: its path
// and query with format=pdf.
func PDFLink(r *http.Request) string {
	q := r.URL.Query()
	q.Set("format", "pdf")
	return r.URL.Path + "?" + q.Encode()
}

// ServeCaseDocument writes document kind (application, survey, notice) of
// case k, as the self-contained printable page with a link to its PDF, or
// with ?format=pdf as the PDF; ?level= picks the notice.
func ServeCaseDocument(a *app.App, w http.ResponseWriter, r *http.Request, k app.CaseKey, kind string) error {
	level := workflow.Level(r.URL.Query().Get("level"))
	switch level {
	case "", workflow.LevelVillage, workflow.LevelTownship, workflow.LevelCounty:
	default:
		return apperr.Invalidf("level", "公示级别应为 village、township 或 county", "level must be village, township or county")
	}
	pdf, err := WantsPDF(r)
	if err != nil {
		return err
	}
	data, err := a.CaseDocument(r.Context(), Actor(r), k, kind, level)
	if err != nil {
		return err
	}
	ref := k.County + "-" + strconv.FormatInt(k.ID, 10)
	if pdf {
		name := docNames[kind] + "-" + ref
		if l, ok := data.(*documents.NoticeList); ok {
			name = docNames[kind] + "-" + l.Level + "-" + ref
		}
		return ServePDF(w, name+".pdf", kind+"-"+ref+".pdf", func(w io.Writer) error { return printout.Document(w, kind, data) })
	}
	return servePage(w, func(w io.Writer) error { return documents.RenderPage(w, kind, data, PDFLink(r)) })
}

// servePage writes the HTML page that write makes, made in memory first.
func servePage(w http.ResponseWriter, write func(io.Writer) error) error {
	return serveBuffered(w, "text/html; charset=utf-8", write)
}

// ServeLetterPDF writes the notification letter of person for cycle id of
// county as PDF.
func ServeLetterPDF(a *app.App, w http.ResponseWriter, r *http.Request, county string, id, person int64) error {
	d, err := a.LetterContent(r.Context(), Actor(r), county, id, person)
	if err != nil {
		return err
	}
	return ServePDF(w, "告知书-"+d.Name+"-"+d.No+".pdf", "letter-"+d.No+".pdf", func(w io.Writer) error { return printout.Letter(w, *d) })
}

// ServeCycleLetters writes every notification letter of cycle id of county
// as one PDF, or those of ?township= only; the read is audited as a bulk
// read of personal data.
func ServeCycleLetters(a *app.App, tree *region.Tree, w http.ResponseWriter, r *http.Request, county string, id int64) error {
	township := r.URL.Query().Get("township")
	ls, err := a.CycleLetters(r.Context(), Actor(r), county, id, township)
	if err != nil {
		return err
	}
	where, code := tree.FullName(region.Code(county)), county
	if township != "" {
		where, code = tree.FullName(region.Code(township)), township
	}
	name := "告知书-" + where + "-周期" + strconv.FormatInt(id, 10) + ".pdf"
	fallback := "letters-" + code + "-cycle" + strconv.FormatInt(id, 10) + ".pdf"
	return ServePDF(w, name, fallback, func(w io.Writer) error { return printout.Letters(w, ls) })
}

// NoticeListsQuery reads ?region= (a division within the actor's scope;
// default the scope), ?level= and ?day= (YYYY-MM-DD) of a bulk print of
// notice lists.
func NoticeListsQuery(q url.Values, scope region.Code) (region.Code, workflow.Level, date.Date, error) {
	var errs apperr.List
	within := scope
	if s := q.Get("region"); s != "" {
		c, err := ParseRegion("region", s)
		if err != nil {
			errs = append(errs, err.(*apperr.Error))
		}
		within = c
	}
	level := workflow.Level(q.Get("level"))
	switch level {
	case workflow.LevelVillage, workflow.LevelTownship, workflow.LevelCounty:
	default:
		errs = append(errs, apperr.Invalidf("level", "请选择公示级别：村级、乡级或县级", "choose the level: village, township or county"))
	}
	day, err := date.Parse(q.Get("day"))
	if err != nil {
		errs = append(errs, apperr.Invalidf("day", "请填写公示开始日期（年-月-日）", "give the day the notices were posted (YYYY-MM-DD)"))
	}
	return within, level, day, errs.Err()
}

// ServeNoticeLists writes the public notice lists of a level posted on a
// day within a division (NoticeListsQuery) as one PDF, each list from a
// new page.
func ServeNoticeLists(a *app.App, tree *region.Tree, w http.ResponseWriter, r *http.Request) error {
	within, level, day, err := NoticeListsQuery(r.URL.Query(), Actor(r).Scope)
	if err != nil {
		return err
	}
	ls, err := a.NoticeLists(r.Context(), Actor(r), within, level, day)
	if err != nil {
		return err
	}
	name := "公示名单-" + tree.FullName(within) + "-" + level.Chinese() + "-" + day.String() + ".pdf"
	fallback := "notices-" + string(within) + "-" + string(level) + "-" + day.String() + ".pdf"
	return ServePDF(w, name, fallback, func(w io.Writer) error { return printout.NoticeLists(w, ls) })
}
