package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// scratch is per-call working memory, pooled.
type scratch struct {
	vm vm.VM
	// envs holds the facts of each month for the two readings of a
	// doubtful adoption (not counted, counted).
	envs [2][13]Env
	fv   *familyView
	// family facts of the current subject by reference day and way of
	// counting children, shared by all programs
	fam []famEntry
	// owner is the county of the subject's hukou in each month, read on
	// the first of the month (0) and on the first of the next month (1,
	// for exit_timing event_month); "" when no division is recorded.
	owner [2][13]string
	// home is set when every month of owner is the county evaluating (or
	// none is recorded).
	home [2]bool
	// paying is owner with the county evaluating for the months none is
	// recorded.
	paying [2][13]string
	// moved is set when owner[0] changes in the year; elsewhere when it
	// does, or when another county's the year round.
	moved, elsewhere bool
	// person-only facts of the current subject by day, age day and age
	// rule, shared by all programs (familyView.cheap)
	cheap []cheapEntry
	// rs are the rules last used, of rsCounty in rsYear.
	rs       *ruleSet
	rsCounty string
	rsYear   int
}

type cheapEntry struct {
	day, ageDay date.Date
	rule        string
	env         Env
}

// cheapEnv returns the facts of the current subject with only the
// person's own (familyView.cheap) filled in, computed once for each day,
// age day and age rule. Each program sets its parameters and its own facts
// (P, the confirmation year, a claim's) before reading them, and tests the
// clauses on the person's facts there: a month is copied out (into the
// scratch's envs) only when it reaches the family's facts or holds.
func (s *scratch) cheapEnv(fv *familyView, p *registry.Person, y int, day, ageDay date.Date, rule string) *Env {
	for i := range s.cheap {
		if c := &s.cheap[i]; c.day == day && c.ageDay == ageDay && c.rule == rule {
			return &c.env
		}
	}
	s.cheap = append(s.cheap, cheapEntry{day: day, ageDay: ageDay, rule: rule})
	c := &s.cheap[len(s.cheap)-1]
	fv.cheap(&c.env, p, y, day, ageDay, rule)
	return &c.env
}

// famKey says which family facts of the current subject a month reads:
// those of its period (the month of the last event of the family up to
// it, see eventMonths: the facts are the same in every month of a period),
// read on the first of the month or of the next (late, for exit_timing
// event_month), with children counted person by person (own) and doubtful
// adoptions counted or not.
type famKey struct {
	period             int
	late, own, counted bool
}

type famEntry struct {
	key   famKey
	day   date.Date // the day the facts are read on
	cm    int       // and the month (index) whose status it gives
	level int       // the levels of ff computed
	ff    famFacts
}

// family returns the family facts of the current subject for key up to
// level, cached: read on day (of month index cm) the first time the key
// is asked, and a level the first time it is asked. Months evaluated for
// an age reached or a half-year, not for an event of the family, read the
// facts of their period again. The couple's facts are shared by the ways
// of counting children.
func (s *scratch) family(p *registry.Person, key famKey, day date.Date, cm int, level int) *famFacts {
	var x *famEntry
	for i := range s.fam {
		if s.fam[i].key == key {
			x = &s.fam[i]
			break
		}
	}
	if x == nil {
		// A new entry, keeping the storage of the one it replaces.
		n := len(s.fam)
		if n < cap(s.fam) {
			s.fam = s.fam[:n+1]
		} else {
			s.fam = append(s.fam, famEntry{})
		}
		x = &s.fam[n]
		*x = famEntry{key: key, day: day, cm: cm, ff: famFacts{childFacts: childFacts{outOfPolicy: x.ff.outOfPolicy}}}
	}
	if level >= levelCouple && x.level < levelCouple {
		x.level = levelCouple
		shared := false
		for i := range s.fam {
			if y := &s.fam[i]; y != x && y.level >= levelCouple && y.key.period == key.period && y.key.late == key.late && y.day == x.day {
				x.ff.coupleFacts, shared = y.ff.coupleFacts, true
				break
			}
		}
		if !shared {
			s.fv.couple(&x.ff.coupleFacts, p, x.day, x.cm)
		}
	}
	if level >= levelChildren && x.level < levelChildren {
		x.level = levelChildren
		s.fv.children(&x.ff.childFacts, &x.ff.coupleFacts, p, x.day, key.own, key.counted)
	}
	return &x.ff
}

// owners fills s.owner and s.home for p in year y, evaluated by county.
func (s *scratch) owners(fv *familyView, p *registry.Person, y int, county string) {
	s.fillOwners(fv, p, y)
	for ob := range s.owner {
		s.home[ob] = true
		for m := 1; m <= 12; m++ {
			c := s.owner[ob][m]
			if c != "" && c != county {
				s.home[ob] = false
			}
			if c == "" {
				c = county
			}
			s.paying[ob][m] = c
		}
	}
	s.moved = false
	for m := 2; m <= 12; m++ {
		if s.owner[0][m] != s.owner[0][1] {
			s.moved = true
		}
	}
	s.elsewhere = s.moved || (s.owner[0][1] != "" && s.owner[0][1] != county)
}

// fillOwners fills s.owner for p in year y (see scratch.owner).
func (s *scratch) fillOwners(fv *familyView, p *registry.Person, y int) {
	// Most people's hukou never left one county: no need to read it month
	// by month.
	one, c := true, county6(p.Region)
	for _, h := range p.Hukou {
		if h.Region == "" {
			continue
		}
		if hc := county6(h.Region); c == "" {
			c = hc
		} else if hc != c {
			one = false
			break
		}
	}
	if one {
		for m := 1; m <= 12; m++ {
			s.owner[0][m], s.owner[1][m] = c, c
		}
		return
	}
	for m := 1; m <= 12; m++ {
		s.owner[0][m] = fv.countyOf(p, date.Of(y, time.Month(m), 1))
		s.owner[1][m] = fv.countyOf(p, date.Of(y, time.Month(m)+1, 1))
	}
}

// eventMonths returns, as a bit set over months 1–12, the months of year y
// whose status may differ from the month before: for each event, its own
// month and the next (a status read on the first of a month sees an
// event a month later; with event_month, in its own month).
func (fv *familyView) eventMonths(y int) (months uint16) {
	add := func(d date.Date) {
		if d.IsZero() {
			return
		}
		var bits uint16
		switch {
		case d.Year() == y:
			bits = 1<<uint(d.Month()) | 1<<uint(min(int(d.Month())+1, 12))
		case d.Year() == y-1 && d.Month() == 12:
			bits = 1 << 1
		default:
			return
		}
		months |= bits
	}
	for _, p := range fv.f.Persons {
		add(p.Death)
		if p.Birth.Year() == y {
			add(p.Birth)
		}
		for _, h := range p.Hukou {
			add(h.From)
			if !h.To.IsZero() {
				add(h.To.AddDays(1)) // the spell's last day: the change is the day after
			}
		}
	}
	for _, m := range fv.f.Marriages {
		add(m.From)
		add(m.To)
	}
	for _, t := range fv.f.Children {
		add(t.From)
	}
	for _, d := range fv.f.Disabilities {
		add(d.From)
		add(d.To)
	}
	for _, c := range fv.f.Certificates {
		add(c.Issued)
		add(c.Cancelled)
	}
	for _, c := range fv.f.Complications {
		add(c.From)
		add(c.To)
	}
	for _, x := range fv.f.Pensions {
		add(x.Enrolled)
		add(x.Ended)
		add(x.Drawing)
	}
	return months
}

// birthMonths returns the months of the persons' birthdays as a bit set.
func (fv *familyView) birthMonths() uint16 {
	var b uint16
	for _, p := range fv.f.Persons {
		if !p.Birth.IsZero() {
			b |= 1<<uint(p.Birth.Month()) | 1<<uint(min(int(p.Birth.Month())+1, 12))
		}
	}
	return b
}

// statusDay is the day on which month m's status is read (see begun): the
// first of the month, or the first of the next month when the program
// stops in the month of the event (exit_timing event_month). ageDay is the
// day ages are taken on: the first or the last day of the month.
func statusDay(y, m int, exit string) (day, ageDay date.Date) {
	if exit == ExitThisMonth {
		day = date.Of(y, time.Month(m)+1, 1)
		return day, day.AddDays(-1)
	}
	day = date.Of(y, time.Month(m), 1)
	return day, day
}

// outcome is one program assessed for one person under one reading of
// the family.
type outcome struct {
	ok      [13]bool   // every ordinary clause holds (whichever county pays)
	mine    [13]bool   // this county is the one that pays the month
	resp    [13]string // the county responsible for the month
	paid    [13]bool
	envAt   [13]int // index into the bank's envs of the env each month uses
	bank    int
	last    int // the last month evaluated
	firstOK int
	lastOK  int
	n       int // months paid
	base    money.Fen
	byPayer [4]money.Fen
	total   money.Fen
	// excluded names an excluding program received; missing is set when
	// none of the required programs is received.
	excluded string
	missing  bool
	// review lists the review clauses that fail (by index).
	review []int
	// parts are the standards applied, for the explanation; unverified
	// the notes of the figures that are not verified.
	parts      []part
	unverified []string
}

// part is one standard applied: a base rate (key "rate/…") or an
// increment (its id).
type part struct {
	key   string
	label string
	fen   money.Fen
	per   string
	doc   string
}

func (o *outcome) eligible() bool { return o.n > 0 && o.total > 0 }

// decide evaluates one program for one person. earlier holds the person's
// decisions so far (for exclusivity and requirements).
func (e *Evaluator) decide(s *scratch, rs *ruleSet, fv *familyView, p *registry.Person, pr *program, events uint16, earlier []Decision) Decision {
	d := Decision{Person: p.Ref, Program: pr.code, Status: StatusNotEligible, Funding: []Share{}}
	months := events | 1<<1
	if pr.accrual == AccrualHalfYear || pr.ageRule == AgeHalfYear {
		months |= 1 << 7
	}
	if pr.ageRule == AgeBirthday || pr.ageRule == AgeBirthMonth || pr.childAge {
		months |= fv.birthMonths()
	}
	confYear := rs.year
	for _, c := range fv.f.Confirmations {
		if c.Person == p.Ref && c.Program == pr.code {
			confYear = c.Confirmed.Year()
			if c.Confirmed.IsZero() {
				confYear = 9999
			}
		}
	}
	moved, paidElsewhere := s.moved, s.elsewhere
	excluded, missing := bars(pr, earlier)
	if !e.opts.Explain && !paidElsewhere && (excluded != "" || missing) {
		// Barred by another program's decision (rules.md §1.9): nothing
		// is paid whatever the clauses say, under either reading of the
		// family, so the months are not assessed. The explaining path
		// assesses them to show each clause.
		if !rs.provinceEncoded {
			d.Flags = append(d.Flags, FlagRulesNotEncoded)
		}
		return d
	}
	var o outcome
	e.assess(&o, s, 0, rs, fv, p, pr, months, events, confYear, false, excluded, missing)
	var doubt *outcome
	if fv.doubt {
		var alt outcome
		e.assess(&alt, s, 1, rs, fv, p, pr, months, events, confYear, true, excluded, missing)
		if alt.eligible() != o.eligible() || alt.total != o.total || alt.n != o.n {
			doubt = &alt
		}
	}

	switch {
	case doubt != nil:
		d.Status = StatusReview
		d.Review = e.doubtText(fv, p, &o, doubt)
	case o.eligible() && len(o.review) > 0:
		d.Status = StatusReview
		env := &s.envs[o.bank][o.envAt[o.lastOK]]
		var why []string
		for _, i := range o.review {
			c := pr.clauses[i]
			why = append(why, render(e.template(c.ClauseDef), env, pr, false))
		}
		d.Review = strings.Join(why, "；")
	case o.eligible():
		d.Status = StatusEligible
		d.Eligible = true
		d.AmountFen = o.total
		d.Months = o.n
		if pr.accrual == AccrualOnce {
			d.Months = 0
		}
		d.Funding = split(o.base, o.byPayer, pr.funding, pr.centralPct(rs))
	}

	// Flags.
	if !rs.provinceEncoded {
		d.Flags = append(d.Flags, FlagRulesNotEncoded)
	}
	if len(o.unverified) > 0 && d.Status != StatusNotEligible {
		d.Flags = append(d.Flags, FlagAmountUnverified)
	}
	if pr.funding.Unverified != "" && d.Status == StatusEligible {
		d.Flags = append(d.Flags, FlagFundingUnverified)
	}
	if paidElsewhere {
		d.PaidBy = paidBy(&o, rs.county)
		if moved {
			d.Flags = append(d.Flags, FlagMovedCounty)
		}
	}

	if e.opts.Explain {
		d.Clauses = e.explain(s, rs, fv, p, pr, &o, doubt, d)
	}
	return d
}

// bars returns what keeps pr from being paid to a person whose decisions
// so far are earlier (rules.md §1.9): the last excluding program received
// (excluded), and whether none of the programs it requires is received
// (missing).
func bars(pr *program, earlier []Decision) (excluded string, missing bool) {
	for _, x := range pr.exclusive {
		for _, prev := range earlier {
			if prev.Program == x && prev.Eligible {
				excluded = x
			}
		}
	}
	if len(pr.requires) > 0 {
		missing = true
		for _, prev := range earlier {
			if prev.Eligible && slices.Contains(pr.requires, prev.Program) {
				missing = false
			}
		}
	}
	return excluded, missing
}

// paidBy lists the counties responsible for the months of o.
func paidBy(o *outcome, county string) []CountyMonths {
	var out []CountyMonths
	for m := 1; m <= 12; m++ {
		c := o.resp[m]
		if c == "" {
			c = county
		}
		if n := len(out); n > 0 && out[n-1].County == c && out[n-1].To == m-1 {
			out[n-1].To = m
			continue
		}
		out = append(out, CountyMonths{County: c, From: m, To: m})
	}
	return out
}

// assess evaluates pr for p month by month under one reading of the
// family (counted: doubtful adoptions count) into o, which is zero, with
// the facts of each month in env bank: the months of months, of which
// events are those whose family facts may differ from the month before's.
// excluded and missing are what bars the program (bars).
func (e *Evaluator) assess(o *outcome, s *scratch, bank int, rs *ruleSet, fv *familyView, p *registry.Person, pr *program, months, events uint16,
	confYear int, counted bool, excluded string, missing bool) {
	y := rs.year
	explain := e.opts.Explain
	o.bank = bank
	envs := &s.envs[bank]
	ob := 0
	if pr.exit == ExitThisMonth {
		ob = 1
	}
	owner := &s.paying[ob]
	home := s.home[ob] // every month's county is this one
	keepsPension := pr.keepsPension
	if keepsPension {
		kept := *owner // changed below
		owner = &kept
	}
	fk := famKey{late: pr.exit == ExitThisMonth, own: pr.own, counted: counted}

	for m := 1; m <= 12; m++ {
		if months&(1<<uint(m)) == 0 {
			o.ok[m], o.envAt[m] = o.ok[m-1], o.envAt[m-1]
			continue
		}
		o.last = m
		if events&(1<<uint(m)) != 0 || fk.period == 0 {
			fk.period = m
		}
		day, ageDay := statusDay(y, m, pr.exit)
		cm := y*12 + m - 1
		env := s.cheapEnv(fv, p, y, day, ageDay, pr.ageRule)
		env.P = pr.p
		if pr.accrual == AccrualClaim {
			claimFacts(env, p, y, pr)
		} else {
			env.EntitledMonths, env.ClaimIndex, env.ClaimMonths = 0, 0, 0
		}
		env.ConfirmationYear = confYear
		if keepsPension && env.PensionHere && owner[m][:2] != rs.county[:2] {
			// A pension drawn here keeps a person whose hukou left the
			// province on this county's roll (Henan urban reward, H-CZ 1).
			owner[m] = rs.county
		}
		// The month's own facts, copied out of the person's when a clause
		// needs the family's or the month holds; until then the month is
		// read by nobody (envAt points to it only for the months that
		// hold, or when explaining).
		own := func() {
			if env != &envs[m] {
				envs[m] = *env
				env = &envs[m]
			}
		}
		good := true
		level := levelPerson // the levels of facts env holds
		for _, ci := range pr.order {
			c := &pr.clauses[ci]
			if c.level > level {
				own()
				s.family(p, fk, day, cm, c.level).fill(env, p, y, ageDay, pr, level, c.level)
				level = c.level
			}
			if !e.runFast(s, c.prog, c.fast, env) {
				good = false
				if !explain {
					break
				}
			}
		}
		if explain || good {
			// Every fact, for the explanation, or for the tier, the
			// increments and the review clauses of a month that holds.
			own()
			if level < levelChildren {
				s.family(p, fk, day, cm, levelChildren).fill(env, p, y, ageDay, pr, level, levelChildren)
			}
		}
		o.ok[m], o.envAt[m] = good, m
	}
	for m := 1; m <= 12; m++ {
		if o.ok[m] {
			if o.firstOK == 0 {
				o.firstOK = m
			}
			o.lastOK = m
		}
	}
	if o.firstOK == 0 && !explain && home {
		// No month eligible, nothing to explain, and every month this
		// county's: nothing is paid, and nobody else pays.
		for m := 1; m <= 12; m++ {
			o.resp[m], o.mine[m] = rs.county, true
			envs[o.envAt[m]].InCounty = true
		}
		return
	}

	// Which county pays (one program, one person, one period): a year (or
	// a once-only award) belongs to the county of its first eligible month,
	// a half-year likewise, a month to the county of that month.
	switch pr.accrual {
	case AccrualYear, AccrualOnce, AccrualClaim:
		c := owner[max(o.firstOK, 1)]
		for m := 1; m <= 12; m++ {
			o.resp[m] = c
		}
	case AccrualHalfYear:
		for h := 0; h < 2; h++ {
			first := 0
			for m := 6*h + 1; m <= 6*h+6; m++ {
				if o.ok[m] && first == 0 {
					first = m
				}
			}
			if first == 0 {
				first = 6*h + 1
			}
			for m := 6*h + 1; m <= 6*h+6; m++ {
				o.resp[m] = owner[first]
			}
		}
	default:
		for m := 1; m <= 12; m++ {
			o.resp[m] = owner[m]
			if o.lastOK > 0 && m > o.lastOK && pr.exit == ExitEndOfYear {
				o.resp[m] = owner[o.lastOK]
			}
		}
	}
	ok := o.ok
	for m := 1; m <= 12; m++ {
		o.mine[m] = o.resp[m] == rs.county
		ok[m] = ok[m] && o.mine[m]
	}
	firstOK, lastOK := 0, 0
	for m := 1; m <= 12; m++ {
		if ok[m] {
			if firstOK == 0 {
				firstOK = m
			}
			lastOK = m
		}
	}

	// Exclusivity and requirements (rules.md §1.9).
	o.excluded, o.missing = excluded, missing

	// Months paid, by accrual and exit timing.
	anyOK := firstOK > 0
	switch pr.accrual {
	case AccrualYear, AccrualOnce:
		for m := 1; m <= 12; m++ {
			o.paid[m] = ok[m] || (anyOK && pr.exit == ExitEndOfYear)
		}
	case AccrualClaim:
		// The year's claim pays its months, whole years first, however
		// many months of the year the clauses held in.
		n := 0
		if anyOK {
			n = envs[o.envAt[firstOK]].ClaimMonths
		}
		for m := 1; m <= 12; m++ {
			o.paid[m] = m <= n
		}
	case AccrualHalfYear:
		h1, h2 := false, false
		for m := 1; m <= 6; m++ {
			h1 = h1 || ok[m]
			h2 = h2 || ok[m+6]
		}
		for m := 1; m <= 6; m++ {
			o.paid[m], o.paid[m+6] = h1, h2
		}
	default: // month
		for m := 1; m <= 12; m++ {
			o.paid[m] = ok[m] || (pr.exit == ExitEndOfYear && o.paid[m-1] && o.mine[m])
		}
	}
	if o.excluded != "" || o.missing {
		o.paid = [13]bool{}
	}

	// Amounts.
	var yearBase money.Fen
	var yearInc [4]money.Fen
	onceDone := false
	note := func(n string) {
		if n != "" && !slices.Contains(o.unverified, n) {
			o.unverified = append(o.unverified, n)
		}
	}
	addPart := func(key string, pt part) {
		if !explain {
			return
		}
		for _, x := range o.parts {
			if x.key == key {
				return
			}
		}
		pt.key = key
		o.parts = append(o.parts, pt)
	}
	for m := 1; m <= 12; m++ {
		if !o.paid[m] {
			continue
		}
		o.n++
		ei := o.envAt[m]
		if !ok[m] {
			// A month paid after an exit or before entry uses the nearest
			// eligible status.
			if m > lastOK && lastOK > 0 {
				ei = o.envAt[lastOK]
			} else if firstOK > 0 {
				ei = o.envAt[firstOK]
			}
		}
		env := &envs[ei]
		day := date.Of(y, time.Month(m), 1)
		tier := ""
		if pr.tier != nil {
			tier = e.runString(s, pr.tier, env)
		}
		var baseMonth money.Fen // the base standard of the month, per month
		if r, found := pr.rate(tier, day); found {
			switch r.Per {
			case "month":
				o.base += r.Fen
				baseMonth = r.Fen
			case "year":
				yearBase += r.Fen
				baseMonth = r.Fen / 12
			case "once":
				if !onceDone {
					o.base += r.Fen
				}
				baseMonth = r.Fen
			}
			note(r.Unverified)
			if explain {
				addPart("rate/"+r.From.String()+"/"+r.Tier, part{fen: r.Fen, per: r.Per, doc: r.Doc})
			}
		}
		for _, in := range pr.increments {
			if day.Before(in.From) || (!in.To.IsZero() && day.After(in.To)) {
				continue
			}
			if in.when != nil && !e.runFast(s, in.when, in.whenFast, env) {
				continue
			}
			li := levelIndex(in.Payer)
			note(in.Unverified)
			fen := in.Fen
			per := in.Per
			if in.PctOfBase > 0 {
				fen, per = baseMonth*money.Fen(in.PctOfBase)/100, "month"
				if pr.accrual == AccrualOnce {
					per = "once"
				}
			}
			addPart(in.ID, part{label: in.Text, fen: fen, per: per, doc: in.Doc})
			switch per {
			case "month":
				o.byPayer[li] += fen
			case "year":
				yearInc[li] += fen
			case "once":
				if !onceDone {
					o.byPayer[li] += fen
				}
			}
		}
		onceDone = true
	}
	o.base += yearBase / 12
	for k, v := range yearInc {
		o.byPayer[k] += v / 12
	}
	if pr.accrual == AccrualOnce && o.n > 0 {
		if v, has := pr.p["amount_fen"]; has {
			o.base += money.Fen(v)
		}
	}
	o.total = o.base
	for _, v := range o.byPayer {
		o.total += v
	}

	// Review clauses: facts staff must confirm.
	if pr.hasReview && o.eligible() {
		env := &envs[o.envAt[lastOK]]
		for i, c := range pr.clauses {
			if c.Review && (c.prog == nil || !e.runFast(s, c.prog, c.fast, env)) {
				o.review = append(o.review, i)
			}
		}
	}
	// The explanation reads the status of the last month paid here (or
	// evaluated); its in_county is whether this county pays it.
	o.firstOK, o.lastOK = firstOK, lastOK
	for m := 1; m <= 12; m++ {
		envs[o.envAt[m]].InCounty = o.mine[o.envAt[m]]
	}
	if lastOK == 0 {
		for m := 1; m <= 12; m++ {
			if o.ok[m] && !o.mine[m] {
				o.lastOK = 0
				o.last = m // show a month paid elsewhere
				break
			}
		}
	}
}

// explain builds the clause-by-clause explanation of d.
func (e *Evaluator) explain(s *scratch, rs *ruleSet, fv *familyView, p *registry.Person, pr *program, o *outcome, doubt *outcome, d Decision) []ClauseResult {
	at := o.last
	if o.lastOK > 0 {
		at = o.lastOK
	}
	env := &s.envs[o.bank][o.envAt[at]]
	var out []ClauseResult
	for i, c := range pr.clauses {
		good := false
		switch {
		case c.Review && o.eligible():
			good = !slices.Contains(o.review, i)
		case c.prog != nil:
			good = e.runFast(s, c.prog, c.fast, env)
		}
		out = append(out, ClauseResult{ID: c.ID, OK: good, Text: render(e.template(c.ClauseDef), env, pr, good),
			Source: e.cite(rs, firstNonEmpty(c.Doc, pr.doc)), Review: c.Review})
	}
	if len(pr.exclusive) > 0 {
		cr := e.exclusiveClause(rs, o.excluded, pr)
		cr.Source = e.cite(rs, pr.doc)
		out = append(out, cr)
	}
	if len(pr.requires) > 0 {
		names := e.programNames(rs, pr.requires)
		cr := ClauseResult{ID: "requires", OK: !o.missing, Source: e.cite(rs, pr.doc)}
		if o.missing {
			cr.Text = e.pick("本年未享受"+names+"中的任何一项", "receives none of "+names+" this year")
		} else {
			cr.Text = e.pick("本年享受"+names+"之一", "receives one of "+names+" this year")
		}
		out = append(out, cr)
	}
	if d.PaidBy != nil {
		out = append(out, e.paidByClause(fv, p, o, d.PaidBy, rs.county))
	}
	if o.n > 0 && o.total == 0 && o.excluded == "" && !o.missing {
		out = append(out, ClauseResult{ID: "amount", OK: false, Text: e.pick(
			"本地区尚未配置该项目的发放标准", "no amount is configured for this program in this region"), Source: e.cite(rs, pr.doc)})
	}
	if doubt != nil {
		out = append(out, ClauseResult{ID: "review", OK: false, Review: true, Text: d.Review, Source: e.cite(rs, "adoption_law")})
	}
	if d.Status != StatusNotEligible && len(o.parts) > 0 {
		out = append(out, e.standardClause(rs, o))
	}
	if _, own := pr.p["central_pct"]; own && d.Status == StatusEligible {
		out = append(out, e.fundingClause(rs, pr, d))
	}
	if len(o.unverified) > 0 && d.Status != StatusNotEligible {
		out = append(out, ClauseResult{ID: "unverified", OK: true, Text: e.pick("金额未经核实：", "amount not verified: ") + strings.Join(o.unverified, "；")})
	}
	if !rs.provinceEncoded {
		out = append(out, ClauseResult{ID: "rules_not_encoded", OK: true, Text: e.pick(
			"本省的计划生育奖励扶助规则尚未录入本系统，本结论只按国家基础标准测算，省级标准和条件须另行核实",
			"the rules of this province are not encoded: this decision rests on the national baseline only; check the provincial standards and conditions")})
	}
	return out
}

// standardClause lists the standards applied with their documents.
func (e *Evaluator) standardClause(rs *ruleSet, o *outcome) ClauseResult {
	var texts, docs []string
	for _, pt := range o.parts {
		if pt.fen == 0 {
			continue
		}
		per := map[string][2]string{"month": {"元/月", "/month"}, "year": {"元/年", "/year"}, "once": {"元（一次性）", " once"}}[pt.per]
		label := pt.label
		if label == "" {
			label = e.pick("基础标准", "base standard")
		}
		switch {
		case e.opts.Lang == "en":
			texts = append(texts, fmt.Sprintf("%s %s yuan%s", label, yuan(pt.fen), per[1]))
		case pt.label != "" && strings.Contains(pt.label, "元"):
			texts = append(texts, label) // the increment's text states its amount
		default:
			texts = append(texts, fmt.Sprintf("%s%s%s", label, yuan(pt.fen), per[0]))
		}
		for _, id := range docIDs(pt.doc) {
			if !slices.Contains(docs, id) {
				docs = append(docs, id)
			}
		}
	}
	return ClauseResult{ID: "standard", OK: true, Text: e.pick("发放标准：", "standards: ") + strings.Join(texts, e.pick("；", "; ")),
		Source: e.cite(rs, strings.Join(docs, ","))}
}

// centralPct is the central share of pr's base standard: its own
// central_pct parameter, or the share of the province's tier.
func (pr *program) centralPct(rs *ruleSet) int {
	if v, ok := pr.p["central_pct"]; ok {
		return v
	}
	return rs.centralPct(date.Of(rs.year, 1, 1))
}

// fundingClause explains the split of a program with a central share of
// its own (central_pct): who pays what, with the document it rests on and
// why it is not verified when it is not.
func (e *Evaluator) fundingClause(rs *ruleSet, pr *program, d Decision) ClauseResult {
	var parts []string
	for _, s := range d.Funding {
		parts = append(parts, e.pick(FundingLevels.Chinese(s.Level)+yuan(s.Fen)+"元", FundingLevels.Name(s.Level, "en")+" "+yuan(s.Fen)+" yuan"))
	}
	pct := 0
	if pr.funding.Central {
		pct = pr.p["central_pct"]
	}
	text := e.pick(fmt.Sprintf("资金分担：中央财政承担基础标准的%d%%，其余由地方承担：", pct),
		fmt.Sprintf("funding: the central government pays %d%% of the base standard, local governments the rest: ", pct)) +
		strings.Join(parts, e.pick("，", ", "))
	if pr.funding.Unverified != "" {
		text += e.pick("（分担比例未经核实：", " (split not verified: ") + pr.funding.Unverified + e.pick("）", ")")
	}
	return ClauseResult{ID: "funding", OK: true, Text: text, Source: e.cite(rs, firstNonEmpty(pr.funding.Doc, pr.doc))}
}

// paidByClause explains which county pays after a move.
func (e *Evaluator) paidByClause(fv *familyView, p *registry.Person, o *outcome, parts []CountyMonths, county string) ClauseResult {
	var moves []string
	prev := ""
	for i := range p.Hukou {
		h := p.Hukou[i]
		if len(h.Region) < 6 {
			continue
		}
		c := h.Region[:6]
		if prev != "" && c != prev && h.From.Year() == fv.year {
			moves = append(moves, e.pick(fmt.Sprintf("%s户籍由%s迁至%s", h.From, prev, c), fmt.Sprintf("hukou moved from %s to %s on %s", prev, c, h.From)))
		}
		prev = c
	}
	var segs []string
	here := false
	for _, x := range parts {
		segs = append(segs, e.pick(fmt.Sprintf("%d–%d月由%s负责", x.From, x.To, x.County), fmt.Sprintf("months %d–%d: %s", x.From, x.To, x.County)))
		if x.County == county {
			here = true
		}
	}
	text := strings.Join(moves, "；")
	if text != "" {
		text += e.pick("。", ". ")
	}
	text += e.pick("一人一项目一期，不跨县重复发放：", "One program, one person, one period across counties: ") + strings.Join(segs, e.pick("，", ", "))
	return ClauseResult{ID: "paid_by", OK: here, Text: text}
}

// doubtText explains why a doubtful adoption makes a decision need review.
func (e *Evaluator) doubtText(fv *familyView, p *registry.Person, without, with *outcome) string {
	var kids []string
	for _, t := range fv.f.Children {
		if fv.doubtful(t) && !slices.Contains(kids, t.Child+"@"+fv.tieStart(t).String()) {
			kids = append(kids, t.Child+"@"+fv.tieStart(t).String())
		}
	}
	for i, k := range kids {
		ref, day, _ := strings.Cut(k, "@")
		kids[i] = e.pick(ref+"（"+day+"起事实收养）", ref+" (de-facto adoption from "+day+")")
	}
	res := func(o *outcome) string {
		if o.eligible() {
			return e.pick("符合（"+yuan(o.total)+"元）", "eligible ("+yuan(o.total)+" yuan)")
		}
		return e.pick("不符合", "not eligible")
	}
	cutoff := fv.readings.defactoCutoff.String()
	return e.pick(
		fmt.Sprintf("%s在%s《收养法》施行后，未办理民政收养登记：不计入子女时%s，计入时%s。按“疑者从无”原则不作肯定或否定结论，须经人工审核（查验民政收养登记或作出认定）后确定",
			strings.Join(kids, "、"), cutoff, res(without), res(with)),
		fmt.Sprintf("%s began on or after %s (the adoption law) without civil-affairs registration: without the child %s, with the child %s. When in doubt the engine decides neither way: staff must review (check the civil-affairs papers or rule on the tie)",
			strings.Join(kids, ", "), cutoff, res(without), res(with)))
}

// cite renders the documents ids names.
func (e *Evaluator) cite(rs *ruleSet, ids string) string {
	var out []string
	for _, id := range docIDs(ids) {
		if d, ok := rs.docs[id]; ok {
			out = append(out, d.Citation(e.opts.Lang))
		}
	}
	return strings.Join(out, e.pick("；", "; "))
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// yuan formats fen as yuan: "960" or "4.5".
func yuan(f money.Fen) string {
	if f%100 == 0 {
		return strconv.FormatInt(int64(f)/100, 10)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%d.%02d", int64(f)/100, int64(f)%100), "0"), ".")
}

// county6 returns the county (six digits) of a division code, or "".
func county6(code string) string {
	if len(code) < 6 {
		return ""
	}
	return code[:6]
}
