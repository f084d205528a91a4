package web

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/printout"
	"github.com/jiahe-project/jiahe/internal/region"
)

// ServePolicySheet writes the 政策明白纸 of county for year as PDF: the
// programs in force there, from the rules.
func ServePolicySheet(a *app.App, w http.ResponseWriter, r *http.Request, county string, year int) error {
	d, err := a.PolicySheet(r.Context(), Actor(r), county, year)
	if err != nil {
		return err
	}
	s := PolicySheet(d, a.Tree(), date.Today(a.Now()))
	return ServePDF(w, "政策明白纸-"+d.Rules.County+"-"+strconv.Itoa(year)+".pdf", "policy-sheet-"+d.Rules.County+"-"+strconv.Itoa(year)+".pdf",
		func(w io.Writer) error { return printout.PolicySheets(w, []*printout.PolicySheet{s}) })
}

// PolicySheet lays the rules in force out as the sheet's plain Chinese.
func PolicySheet(d *app.PolicySheetData, tree *region.Tree, today date.Date) *printout.PolicySheet {
	rs := d.Rules
	name := rs.County
	if div, ok := tree.Lookup(region.Code(rs.County)); ok {
		name = div.Name
	}
	docs := map[string]policy.Document{}
	for _, doc := range rs.Documents {
		docs[doc.ID] = doc
	}
	s := &printout.PolicySheet{Title: name + strconv.Itoa(rs.Year) + "年计划生育家庭扶助政策明白纸", Region: name, Year: rs.Year,
		Enquiry: d.Params.EnquiryPhone, Report: d.Params.ReportPhone, Issuer: d.Params.Payer, Date: today.String()}
	if s.Issuer == "" {
		s.Issuer = name + "卫生健康委员会"
	}
	end := date.Of(rs.Year, 12, 31)
	for _, p := range rs.Programs {
		sp := printout.SheetProgram{Name: p.Name}
		cited := []string{}
		cite := func(id string) {
			if id != "" && !slices.Contains(cited, id) {
				cited = append(cited, id)
			}
		}
		cite(p.Doc)
		for _, c := range p.Clauses {
			if text, ok := policy.PlainClause(c.ClauseDef, p); ok {
				sp.Conditions = append(sp.Conditions, text)
				cite(c.Doc)
			}
		}
		latest := map[string]policy.Rate{}
		for _, rt := range p.Rates {
			if rt.From.After(end) {
				continue
			}
			if cur, ok := latest[rt.Tier]; !ok || rt.From.After(cur.From) {
				latest[rt.Tier] = rt.Rate
			}
		}
		tiers := make([]string, 0, len(latest))
		for t, rt := range latest {
			if all, ok := latest[""]; t != "" && ok && all.From.After(rt.From) {
				continue // a later standard for every tier replaced it
			}
			tiers = append(tiers, t)
		}
		sort.Strings(tiers)
		for _, t := range tiers {
			rt := latest[t]
			line := per(rt.Per) + yuan(rt.Fen)
			if t != "" {
				line = tierName(t) + "：" + line
			}
			sp.Amounts = append(sp.Amounts, line+"（自"+date.Chinese(rt.From.String())+"起）")
			cite(rt.Doc)
		}
		for _, inc := range p.Increments {
			if inc.From.After(end) || !inc.To.IsZero() && inc.To.Before(date.Of(rs.Year, 1, 1)) || inc.Fen == 0 && inc.PctOfBase == 0 {
				continue
			}
			amt := per(inc.Per) + "另加" + yuan(inc.Fen)
			if inc.PctOfBase > 0 {
				amt = fmt.Sprintf("另加基础标准的 %d%%", inc.PctOfBase)
			}
			text := inc.Text
			if text == "" {
				text = "提标"
			}
			sp.Amounts = append(sp.Amounts, text+"："+amt+"，由"+levelName(inc.Payer)+"财政负担")
			cite(inc.Doc)
		}
		sp.Funding = funding(p.Funding)
		cite(p.Funding.Doc)
		for _, id := range cited {
			if doc, ok := docs[id]; ok {
				line := doc.Issuer + "《" + doc.Title + "》"
				if doc.Number != "" {
					line += "（" + doc.Number + "）"
				}
				sp.Documents = append(sp.Documents, line)
			}
		}
		s.Programs = append(s.Programs, sp)
	}
	return s
}

func per(p string) string {
	switch p {
	case "month":
		return "每人每月"
	case "year":
		return "每人每年"
	case "once":
		return "一次性"
	}
	return ""
}

func yuan(f money.Fen) string { return f.String() + " 元" }

func levelName(code string) string {
	if n := policy.FundingLevels.Chinese(code); n != "" {
		return n
	}
	return code
}

// tierName names a tier of the rules (g3, grade3: the third grade;
// rural, urban).
func tierName(t string) string {
	switch t {
	case "rural":
		return "农村"
	case "urban":
		return "城镇"
	}
	n := strings.TrimLeft(t, "abcdefghijklmnopqrstuvwxyz_")
	if n != "" && n != t {
		if i, err := strconv.Atoi(n); err == nil {
			return fmt.Sprintf("%d级", i)
		}
	}
	return "其他情形"
}

// funding says who pays a program, in plain words.
func funding(f policy.Funding) string {
	var parts []string
	if f.Central {
		parts = append(parts, "中央财政按规定比例补助")
	}
	for _, l := range policy.FundingLevels.Codes() {
		if pct, ok := f.Local[l]; ok && pct > 0 {
			parts = append(parts, fmt.Sprintf("%s承担地方部分的 %d%%", levelName(l), pct))
		}
	}
	return strings.Join(parts, "；")
}

// PolicySheetRequest reads ?county= (default: the caller's county) and
// ?year= (default: this year) of a request for the sheet.
func PolicySheetRequest(a *app.App, r *http.Request) (string, int, error) {
	q := r.URL.Query()
	county := q.Get("county")
	if county == "" {
		county = string(a.Tree().County(Actor(r).Scope))
	}
	year := date.Today(a.Now()).Year()
	if s := q.Get("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil {
			return "", 0, InvalidYear()
		}
		year = y
	}
	return county, year, nil
}
