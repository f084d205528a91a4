package workflow

import (
	"context"
	"fmt"
	"slices"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// Document returns the data of a printed document of case id: kind is
// "application", "survey" or "notice". For a notice, level picks the
// notice (the latest one when empty), and the list holds every case whose
// notice of that level was posted in the same region on the same day.
func Document(ctx context.Context, s Store, a auth.Actor, county string, id int64, kind string, level Level) (any, error) {
	if err := auth.Require(a, auth.PermCaseRead); err != nil {
		return nil, err
	}
	c, err := s.Case(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	p, err := s.PersonByKey(ctx, "", registry.Key{County: c.County, ID: c.PersonID})
	if err != nil {
		return nil, err
	}
	steps, err := s.Steps(ctx, c.County, c.ID)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "application":
		f := &documents.ApplicationForm{Title: policy.ProgramName(c.Program) + "对象申报表", CaseRef: c.County + "-" + c.Ref(), Year: c.Year,
			Applicant: docPerson(p), HukouType: hukouName(c.Application.Declared.HukouType), Marriage: c.Application.Declared.Marriage,
			Births: c.Application.Declared.Births, Adoptions: c.Application.Declared.Adoptions,
			Surviving: c.Application.Declared.SurvivingChildren, Attachments: c.Application.Attachments, Pledge: c.Application.Pledge,
			Submitted: c.Submitted.Chinese()}
		if c.Application.Phone != "" {
			f.Applicant.Phone = c.Application.Phone
		}
		if c.SpouseID != 0 {
			sp, err := s.PersonByKey(ctx, "", registry.Key{County: c.County, ID: c.SpouseID})
			if err != nil {
				return nil, err
			}
			dp := docPerson(sp)
			f.Spouse = &dp
		}
		for _, h := range steps {
			if h.Step == StepApply {
				f.TakenBy = docSignature(h.Signature)
			}
		}
		return f, nil
	case "survey":
		var rec *StepRecord
		for i := range steps {
			if steps[i].Step == StepSurvey {
				rec = &steps[i]
			}
		}
		if rec == nil {
			return nil, apperr.NotFoundf("本案尚无入户调查记录", "the case has no household survey yet")
		}
		sv, err := decodeDetail[Survey](*rec)
		if err != nil {
			return nil, err
		}
		d := &documents.SurveyRecord{Title: "入户调查审核记录表", CaseRef: c.County + "-" + c.Ref(), Program: policy.ProgramName(c.Program),
			Applicant: docPerson(p), Date: sv.Date.Chinese(), Visited: sv.Visited, MetInPerson: sv.MetInPerson, Evidence: sv.Evidence,
			Conclusion: conclusionNames[sv.Conclusion], Remarks: sv.Remarks, SignedBy: docSignature(rec.Signature)}
		for _, inv := range sv.Investigators {
			n := inv.Name
			if inv.Unit != "" {
				n += "（" + inv.Unit + "）"
			}
			d.Investigators = append(d.Investigators, n)
		}
		for _, f := range sv.Findings {
			d.Findings = append(d.Findings, documents.Finding{Fact: FactName(f.Fact), Result: findingNames[f.Result], Note: f.Note})
		}
		return d, nil
	case "notice":
		ns, err := s.Notices(ctx, c.County, c.ID)
		if err != nil {
			return nil, err
		}
		var n *Notice
		for i := range ns {
			if level == "" || ns[i].Level == level {
				n = &ns[i]
			}
		}
		if n == nil {
			return nil, apperr.NotFoundf("本案尚无该级公示", "the case has no notice of this level")
		}
		return noticeList(ctx, s, c, n)
	}
	return nil, apperr.Invalidf("kind", "未知文书类型 %q（可选：application、survey、notice）", "unknown document %q (application, survey or notice)", kind)
}

// NoticeLists returns the notice lists of one level posted on day within
// the division within (a township, say): one list for each village,
// township or county that posted notices of the level that day, each with
// the cases of it that lie within the division — so a township's part of
// the county's announcement, or every village's list of the township. No
// list is a NotFound error.
func NoticeLists(ctx context.Context, s Store, a auth.Actor, within region.Code, level Level, day date.Date) ([]*documents.NoticeList, error) {
	if err := auth.Require(a, auth.PermCaseRead); err != nil {
		return nil, err
	}
	if _, err := region.ParseCode(string(within)); err != nil || within.Level() < region.County {
		return nil, apperr.Invalidf("region", "应为县、乡镇或村的区划代码", "must be the code of a county, a township or a village")
	}
	if err := a.CheckScope(within); err != nil {
		return nil, err
	}
	switch level {
	case LevelVillage, LevelTownship, LevelCounty:
	default:
		return nil, apperr.Invalidf("level", "公示级别应为 village、township 或 county", "level must be village, township or county")
	}
	county := region.Default().County(within)
	entries, err := s.NoticeBoards(ctx, string(county), level, within, day)
	if err != nil {
		return nil, err
	}
	var out []*documents.NoticeList
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].Notice.Region == entries[i].Notice.Region {
			j++
		}
		out = append(out, boardList(entries[i].Case.Year, &entries[i].Notice, entries[i:j]))
		i = j
	}
	if len(out) == 0 {
		return nil, &apperr.Error{Kind: apperr.NotFound, ZH: "该日没有" + level.Chinese() + "公示",
			EN: "no " + string(level) + " notice was posted that day"}
	}
	return out, nil
}

func noticeList(ctx context.Context, s Store, c *Case, n *Notice) (*documents.NoticeList, error) {
	board, err := s.NoticeBoard(ctx, c.County, n.Level, n.Region, n.Start)
	if err != nil {
		return nil, err
	}
	return boardList(c.Year, n, board), nil
}

// boardList is the list of notice n of a case of year, posted with the
// notices of board.
func boardList(year int, n *Notice, board []BoardEntry) *documents.NoticeList {
	tree := region.Default()
	place := tree.FullName(region.Code(n.Region))
	issuer := place
	if d, ok := tree.Lookup(region.Code(n.Region)); ok {
		issuer = d.Name
	}
	switch n.Level {
	case LevelTownship:
		issuer += "人民政府"
	case LevelCounty:
		issuer += "卫生健康委员会"
	}
	word := "公示"
	if n.Level == LevelCounty {
		word = "公布"
	}
	l := &documents.NoticeList{
		Title:  fmt.Sprintf("%s %d年度计划生育奖励扶助对象%s%s", place, year, n.Level.Chinese(), word),
		Issuer: issuer, Level: n.Level.Chinese(), Word: word, Place: n.Place, Start: n.Start.Chinese(), End: n.End.Chinese(),
		Days: int(n.End.Time().Sub(n.Start.Time()).Hours() / 24), Issued: n.Start.Chinese(),
	}
	for _, e := range board {
		l.Rows = append(l.Rows, documents.NoticeRow{Name: e.Person.Name, Sex: sexName(e.Person.Sex),
			Age: e.Case.Year - e.Person.Birth.Year(), IDNumber: e.Person.IDNumber, Address: addressOf(&e.Person),
			Program: policy.ProgramName(e.Case.Program)})
	}
	slices.SortStableFunc(l.Rows, func(a, b documents.NoticeRow) int {
		if a.Program != b.Program {
			if a.Program < b.Program {
				return -1
			}
			return 1
		}
		return 0
	})
	return l
}

func addressOf(p *registry.Record) string {
	if p.Address != "" {
		return p.Address
	}
	return region.Default().FullName(region.Code(p.Region))
}

func docPerson(p *registry.Record) documents.Person {
	return documents.Person{Name: p.Name, Sex: sexName(p.Sex), Birth: p.Birth.Chinese(), IDNumber: p.IDNumber,
		Place: region.Default().FullName(region.Code(p.Region)), Address: p.Address, Phone: p.Phone}
}

func docSignature(s Signature) documents.Signature {
	return documents.Signature{Name: s.Name, Role: s.Role.Chinese(), At: date.Chinese(s.At.In(date.Beijing).Format("2006-01-02 15:04"))}
}

func sexName(s string) string {
	return map[string]string{registry.Male: "男", registry.Female: "女"}[s]
}

func hukouName(s string) string {
	return map[string]string{registry.Rural: "农业（农村居民）", registry.Urban: "非农业（城镇居民）"}[s]
}

var conclusionNames = map[string]string{
	ConclusionEligible: "符合条件", ConclusionIneligible: "不符合条件", ConclusionDoubtful: "事实存疑",
}

var findingNames = map[string]string{
	FindingConsistent: "与申报一致", FindingInconsistent: "与申报不一致", FindingDoubtful: "存疑",
}
