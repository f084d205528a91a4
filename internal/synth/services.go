package synth

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// The services of births and the under-threes in the synthetic county
// (docs/synthetic.md, "Births and the under-threes"): the birth
// registrations of the births since the three-child policy, the
// registrations of pregnancies still running at AsOf and of those that
// ended, the childcare subsidy claims of the children under three once the
// national system opened, with the roll rows of the approved ones, and the
// childcare institutions with their inspections. They are drawn from a
// PCG of their own per village, so the calibrated population is the same
// as without them.

// BirthRegistration is a birth registration (birth.Registration) of the
// synthetic county. Counted are the elder children the parity counts;
// Child is the child born (0 while the registration is open or after it
// was cancelled).
type BirthRegistration struct {
	ID           int64
	Seq          int // the serial's sequence in its year
	Code         string
	Region       string
	Mother       int64
	Father       int64
	Applicant    int64
	Channel      string
	Registered   date.Date
	Expected     date.Date
	Parity       int
	Statistical  int
	PolicyStatus string
	InPolicy     bool
	Counted      []int64
	Status       string
	Born         date.Date
	Child        int64
	Hospital     string
	CertNo       string
	Cancelled    date.Date
	CancelReason string
}

// SubsidyClaim is a childcare subsidy claim (birth.Claim); RecipientID is
// the roll row an approved claim made.
type SubsidyClaim struct {
	ID          int64
	Child       int64
	Applicant   int64
	Relation    string
	Region      string
	Year        int
	Filed       date.Date
	Channel     string
	Status      string
	AmountFen   int64
	Months      int
	Checked     date.Date
	Decided     date.Date
	RecipientID int64
}

// Recipient is a row of the roll made by an approved subsidy claim.
type Recipient struct {
	ID        int64
	PersonID  int64
	Program   string
	Region    string
	Confirmed date.Date
	StartYear int
}

// Institution is a filed childcare institution (childcare.Institution).
type Institution struct {
	ID         int64
	Seq        int // the filing number's sequence in its year
	Name       string
	CreditCode string
	Operator   string
	RegType    string
	Type       string
	Inclusive  bool
	Places     int
	Infant     int
	Toddler    int
	Older      int
	Region     string
	Address    string
	Area       int
	Outdoor    int
	FireSafety bool
	FireDoc    string
	FireDate   date.Date
	Staff      []childcare.Staff
	Filed      date.Date
	Phone      string
	Closed     date.Date
	LastCheck  date.Date
}

// Inspection is an inspection of a synthetic institution.
type Inspection struct {
	ID            int64
	InstitutionID int64
	Region        string
	Date          date.Date
	Kind          string
	Inspectors    []string
	Findings      string
	Grade         string
	Rectify       bool
	Requirement   string
	Deadline      date.Date
	CheckedOn     date.Date
	Checkers      []string
	CheckPassed   bool
	CheckNote     string
	Status        string
}

// The rates of the services (docs/synthetic.md gives the sources).
var (
	// threeChildPolicy is the first day of the births registered: the
	// three-child policy of 2021-05-31 (rules.md §2.10).
	threeChildPolicy = date.Of(2021, 5, 31)
	// registeredShare of births are registered; registeredInPregnancy of
	// those before the birth (the rest late, 补登).
	registeredShare       = 0.96
	registeredInPregnancy = 0.72
	// onlineShare of registrations and claims are made online.
	onlineRegistration = 0.7
	onlineClaim        = 0.8
	// pregnancyLoss is the share of pregnancies registered that end
	// without a birth (recognised pregnancies lost after registration).
	pregnancyLoss = 0.09
	// The childcare subsidy's claims opened on 2025-09-08 (rules.md §8.1);
	// by 2026-01-30, 144 days later, over 30 million children of about 36
	// million were paid: a take-up of 85% reached in 144 days.
	claimsOpen     = date.Of(2025, 9, 8)
	claimTakeUp    = 0.85
	claimRampDays  = 144.0
	claimRejected  = 0.015
	hospitalBirths = 0.999
	// Childcare places per 1,000 residents: 4.08 nationally at the end of
	// 2024, placesUrbanRatio times as many in a town's residents'
	// committee as in a village.
	placesPer1000      = 4.08
	placesUrbanRatio   = 2.9
	institutionClosure = 0.04
	inspectPerQuarter  = 0.6
)

// claimMonths is the childcare subsidy's months of year for a child born
// on b (policy AccrualClaim with start 2025-01-01, age 3, three claims).
func claimMonths(b date.Date, year int) int {
	first := max(b.MonthIndex(), date.Of(2025, 1, 1).MonthIndex())
	total := min(36, b.MonthIndex()+36-first+1)
	if total <= 0 {
		return 0
	}
	k := year - max(b.Year(), 2025)
	if k < 0 {
		return 0
	}
	return max(0, min(12, total-12*k))
}

// code returns a check code for a slip.
func (s *sim) code() string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	b := make([]byte, birth.CodeLen)
	for i := range b {
		b[i] = alphabet[s.y.IntN(len(alphabet))]
	}
	return string(b)
}

// emitServices appends the village's registrations, claims, roll rows,
// institutions and inspections to b; persons are b's (s.localID).
func (s *sim) emitServices(b *Batch) {
	s.emitRegistrations(b)
	s.emitOpenRegistrations(b)
	s.emitClaims(b)
	s.emitInstitutions(b)
}

// jointKids counts the living joint children of h and w born before day
// (other than skip), and lists the emitted ones; the mother's births
// before day are her statistical parity.
func (s *sim) jointKids(h, w, skip int32, day date.Date) (counted []int64, n, births int) {
	for _, k := range s.ps[w].kids {
		c := &s.ps[k]
		if k == skip || !c.birth.Before(day) {
			continue
		}
		born := false
		for _, l := range s.links {
			if l.child == k && l.parent == w && l.kind == registry.Birth {
				born = true
				break
			}
		}
		if !born {
			continue
		}
		births++
		if h >= 0 && !s.isParent(h, k) {
			continue
		}
		if !c.death.IsZero() && c.death.Before(day) {
			continue
		}
		n++
		if id := s.localID[k]; id != 0 {
			counted = append(counted, id)
		}
	}
	return counted, n, births
}

func (s *sim) registration(b *Batch, h, w int32, reg date.Date) *BirthRegistration {
	g := s.g
	if s.localID[w] == 0 || s.localID[h] == 0 {
		return nil
	}
	applicant := w
	if s.y.Float64() < 0.25 {
		applicant = h
	}
	channel := birth.ChannelCounter
	if s.y.Float64() < onlineRegistration {
		channel = birth.ChannelOnline
	}
	g.regSeq[reg.Year()]++
	r := BirthRegistration{ID: int64(len(b.Registrations) + 1), Seq: g.regSeq[reg.Year()], Code: s.code(),
		Region: g.all[s.ps[applicant].vil()].code, Mother: s.localID[w], Father: s.localID[h], Applicant: s.localID[applicant],
		Channel: channel, Registered: reg, Status: birth.StatusRegistered}
	b.Registrations = append(b.Registrations, r)
	return &b.Registrations[len(b.Registrations)-1]
}

// parity sets r's parity for the couple h, w on r's day, the child skip
// aside.
func (s *sim) parity(r *BirthRegistration, h, w, skip int32) {
	counted, n, births := s.jointKids(h, w, skip, r.Registered)
	r.Counted, r.Parity, r.Statistical = counted, n+1, births+1
	r.PolicyStatus, r.InPolicy = policy.ParityRegistration, true
	if r.Parity > 3 {
		r.PolicyStatus, r.InPolicy = policy.ParityApprovalRequired, false
	}
}

// emitRegistrations registers the births since the three-child policy,
// most in pregnancy and the rest late, each closed by its birth; some
// couples registered an earlier pregnancy that ended.
func (s *sim) emitRegistrations(b *Batch) {
	t := region.Default()
	countyName := ""
	if d, ok := t.Lookup(region.Code(s.g.cfg.County)); ok {
		countyName = d.Name
	}
	for _, x := range s.recent {
		c := &s.ps[x.c]
		if c.birth.Before(threeChildPolicy) || s.localID[x.c] == 0 || s.y.Float64() >= registeredShare {
			continue
		}
		var reg date.Date
		if s.y.Float64() < registeredInPregnancy {
			reg = c.birth.AddDays(-(30 + s.y.IntN(210)))
		} else {
			reg = c.birth.AddDays(7 + s.y.IntN(170))
		}
		if reg.Before(threeChildPolicy) {
			reg = threeChildPolicy
		}
		if reg.After(s.asOf) {
			continue // to be registered late, after AsOf
		}
		// A pregnancy registered and lost before this one.
		if lost := reg.AddDays(-(120 + s.y.IntN(300))); s.y.Float64() < pregnancyLoss && !lost.Before(threeChildPolicy) {
			if r := s.registration(b, x.h, x.w, lost); r != nil {
				s.parity(r, x.h, x.w, -1)
				r.Expected = lost.AddDays(150 + s.y.IntN(120))
				r.Status, r.CancelReason, r.Cancelled = birth.StatusCancelled, birth.CancelPregnancyEnded, lost.AddDays(20+s.y.IntN(80))
			}
		}
		r := s.registration(b, x.h, x.w, reg)
		if r == nil {
			continue
		}
		s.parity(r, x.h, x.w, x.c)
		r.Expected = c.birth.AddDays(s.y.IntN(21) - 10)
		if reg.After(c.birth) {
			r.Expected = c.birth
		}
		if x.inPolicy && !r.InPolicy {
			r.PolicyStatus, r.InPolicy = policy.ParityApproved, true
		}
		r.Status, r.Born, r.Child = birth.StatusClosed, c.birth, s.localID[x.c]
		r.CertNo = fmt.Sprintf("R%09d", s.y.IntN(1_000_000_000))
		switch v := s.y.Float64(); {
		case v >= hospitalBirths:
		case v < 0.55:
			r.Hospital = countyName + "人民医院"
		case v < 0.85:
			r.Hospital = countyName + "妇幼保健院"
		default:
			tw := region.Code(s.g.all[s.vil].code[:9] + "000")
			if d, ok := t.Lookup(tw); ok {
				r.Hospital = d.Name + "卫生院"
			} else {
				r.Hospital = countyName + "人民医院"
			}
		}
	}
}

// emitOpenRegistrations registers the pregnancies running at AsOf: a
// married woman's chance of a birth in the next nine months, at the
// simulation's rates, registered by AsOf in pregnancy (most are registered
// in the first three months).
func (s *sim) emitOpenRegistrations(b *Batch) {
	y := s.asOf.Year()
	if s.asOf.Before(threeChildPolicy) {
		return
	}
	for _, m := range s.active {
		mm := &s.marriages[m]
		h, w := mm.a, mm.b
		wp := &s.ps[w]
		if !mm.to.IsZero() || !wp.death.IsZero() || !s.ps[h].death.IsZero() || wp.infertile {
			continue
		}
		age := y - wp.birth.Year()
		if age < 18 || age > 45 {
			continue
		}
		if !wp.lastBirth.IsZero() && wp.lastBirth.After(s.asOf.AddDays(-300)) {
			continue
		}
		f := family{parity: int(wp.parity), firstGirl: wp.firstGirl, rural: wp.rural()}
		f.surviving, f.sons = s.surviving(w, y)
		if !wp.lastBirth.IsZero() {
			f.gap = y - wp.lastBirth.Year()
		}
		hz, _ := birthHazard(f, y)
		if s.y.Float64() >= hz*ageFertility(age)*0.75*registeredInPregnancy {
			continue
		}
		reg := s.asOf.AddDays(-s.y.IntN(150))
		r := s.registration(b, h, w, reg)
		if r == nil {
			continue
		}
		s.parity(r, h, w, -1)
		r.Expected = s.asOf.AddDays(10 + s.y.IntN(250))
		if r.Expected.Before(reg.AddDays(60)) {
			r.Expected = reg.AddDays(60 + s.y.IntN(60))
		}
	}
}

// emitClaims files the childcare subsidy claims of the children under
// three once the national system opened (2025-09-08), at a take-up that
// rises to 85% in 144 days; the older claims are decided and the approved
// children put on the roll.
func (s *sim) emitClaims(b *Batch) {
	if s.asOf.Before(claimsOpen) {
		return
	}
	for _, x := range s.recent {
		c := &s.ps[x.c]
		if s.localID[x.c] == 0 || s.localID[x.w] == 0 || c.birth.Before(date.Of(2022, 1, 1)) {
			continue
		}
		if !c.death.IsZero() && c.death.Before(date.Of(2025, 1, 1)) {
			continue
		}
		from := claimsOpen
		if c.birth.After(from) {
			from = c.birth.AddDays(10)
		}
		if from.After(s.asOf) {
			continue
		}
		open := float64(s.asOf.Time().Sub(from.Time()).Hours() / 24)
		if s.y.Float64() >= claimTakeUp*math.Min(1, open/claimRampDays+0.15) {
			continue
		}
		filed := from.AddDays(s.y.IntN(int(math.Min(open, claimRampDays)) + 1))
		year := filed.Year()
		if claimMonths(c.birth, year) == 0 && c.birth.Year() == year-1 {
			year--
		}
		months := claimMonths(c.birth, year)
		if months == 0 || (!c.death.IsZero() && c.death.Year() < year) {
			continue
		}
		applicant, relation := x.w, birth.RelationMother
		if s.y.Float64() < 0.2 && s.localID[x.h] != 0 {
			applicant, relation = x.h, birth.RelationFather
		}
		channel := birth.ChannelCounter
		if s.y.Float64() < onlineClaim {
			channel = birth.ChannelOnline
		}
		cl := SubsidyClaim{ID: int64(len(b.Claims) + 1), Child: s.localID[x.c], Applicant: s.localID[applicant], Relation: relation,
			Region: s.g.all[c.vil()].code, Year: year, Filed: filed, Channel: channel, Status: birth.ClaimSubmitted,
			AmountFen: int64(months) * 30000, Months: months}
		if checked := filed.AddDays(3 + s.y.IntN(13)); !checked.After(s.asOf) {
			cl.Status, cl.Checked = birth.ClaimChecked, checked
			if decided := checked.AddDays(3 + s.y.IntN(13)); !decided.After(s.asOf) {
				cl.Decided = decided
				cl.Status = birth.ClaimApproved
				if s.y.Float64() < claimRejected {
					cl.Status = birth.ClaimRejected
				}
			}
		}
		if cl.Status == birth.ClaimApproved {
			confirmed := filed
			if end := date.Of(year, 12, 31); confirmed.After(end) {
				confirmed = end
			}
			b.Recipients = append(b.Recipients, Recipient{ID: int64(len(b.Recipients) + 1), PersonID: cl.Child,
				Program: policy.ProgramChildcareSubsidy, Region: cl.Region, Confirmed: confirmed, StartYear: year})
			cl.RecipientID = int64(len(b.Recipients))
		}
		b.Claims = append(b.Claims, cl)
	}
}

// institutionTypes are the kinds of institution with their share of
// institutions and their range of places.
var institutionTypes = []struct {
	kind     string
	share    float64
	min, max int
	suffix   string // of the name; "" for the type's own name
}{
	{childcare.TypeFullDay, 0.35, 40, 120, "托育中心"},
	{childcare.TypeKindergarten, 0.30, 20, 60, ""},
	{childcare.TypeCommunity, 0.15, 15, 40, ""},
	{childcare.TypeHalfDay, 0.08, 20, 50, "早教托育园"},
	{childcare.TypeHourly, 0.07, 10, 30, "亲子托育馆"},
	{childcare.TypeEmployer, 0.05, 30, 80, "职工托育室"},
}

var (
	findingsFine = []string{"未发现问题", "各项制度健全，记录完整", "环境整洁，安全措施到位"}
	findingsBad  = []string{"晨午检记录不全", "消毒记录不规范", "部分保育人员未持健康证上岗", "户外活动时间不足2小时",
		"视频监控录像保存不足90天", "食品留样不规范", "安全出口标识不清", "保育人员与婴幼儿比例不足"}
	qualifications = map[string][]string{
		childcare.RoleDirector: {"幼儿园教师资格证", "托育机构负责人培训合格证"},
		childcare.RoleCarer:    {"保育师（四级）", "育婴员（中级）", "幼儿园教师资格证"},
		childcare.RoleHealth:   {"护士执业证书", "托育机构卫生保健培训合格证"},
		childcare.RoleCook:     {"健康证"},
		childcare.RoleSecurity: {"保安员证"},
	}
)

// staffName draws a staff member's name.
func (s *sim) staffName(male bool) string {
	return drawSurname(s.y) + givenName(s.y, male, 1975+s.y.IntN(25))
}

// emitInstitutions files the village's childcare institutions: places at
// the national rate per 1,000 residents, more in towns than in villages,
// in institutions of the usual kinds and sizes, with their inspections.
func (s *sim) emitInstitutions(b *Batch) {
	g := s.g
	v := g.all[s.vil]
	residents := 0 // the village's simulated people alive at AsOf
	for i := range s.ps {
		if p := &s.ps[i]; p.death.IsZero() && !p.birth.After(s.asOf) {
			residents++
		}
	}
	// The village rate that gives the county its mean, with the towns'
	// share of the people simulated and the closures.
	factor := 1 / (1 + (placesUrbanRatio-1)*g.urbanShare) / (1 - institutionClosure)
	if v.urban {
		factor *= placesUrbanRatio
	}
	first := date.Of(2020, 1, 1)
	if s.asOf.Before(first) {
		return
	}
	want := float64(residents) * placesPer1000 * factor * math.Exp(0.35*s.y.NormFloat64()-0.06125) / 1000
	name := strings.NewReplacer("村民委员会", "", "居民委员会", "", "村委会", "", "居委会", "", "社区", "").Replace(regionName(v.code))
	for n := 0; want > 0; n++ {
		x := s.y.Float64()
		k := 0
		for ; k < len(institutionTypes)-1 && x >= institutionTypes[k].share; k++ {
			x -= institutionTypes[k].share
		}
		it := institutionTypes[k]
		places := it.min + s.y.IntN(it.max-it.min+1)
		if float64(places) > want && s.y.Float64() >= want/float64(places) {
			break
		}
		want -= float64(places)
		suffix := it.suffix
		if suffix == "" {
			suffix = childcare.Types.Chinese(it.kind)
		}
		s.institution(b, it.kind, suffix, name, places, n, first)
	}
}

func regionName(code string) string {
	if d, ok := region.Default().Lookup(region.Code(code)); ok {
		return d.Name
	}
	return ""
}

func (s *sim) institution(b *Batch, kind, suffix, place string, places, n int, first date.Date) {
	g := s.g
	days := int(s.asOf.Time().Sub(first.Time()).Hours() / 24)
	// More filings in the later years: the places doubled from 2020 to 2024.
	filed := first.AddDays(int(float64(days) * math.Sqrt(s.y.Float64())))
	g.filingSeq[filed.Year()]++
	x := Institution{ID: int64(len(b.Institutions) + 1), Seq: g.filingSeq[filed.Year()], Type: kind, Places: places,
		Region: g.all[s.vil].code, Filed: filed}
	x.Name = place + suffix
	if n > 0 {
		x.Name = fmt.Sprintf("%s%s（%d）", place, suffix, n+1)
	}
	county := g.cfg.County
	switch {
	case kind == childcare.TypeKindergarten && s.y.Float64() < 0.5 || kind == childcare.TypeCommunity && s.y.Float64() < 0.3:
		x.RegType, x.Operator = childcare.RegPublic, place+"中心幼儿园"
	case kind == childcare.TypeCommunity || kind != childcare.TypeEmployer && s.y.Float64() < 0.4:
		x.RegType, x.Operator = childcare.RegSocial, place+"托育服务中心"
	default:
		x.RegType, x.Operator = childcare.RegEnterprise, place+"育婴服务有限公司"
	}
	prefix := map[string]string{childcare.RegPublic: "12", childcare.RegSocial: "52", childcare.RegEnterprise: "91"}[x.RegType]
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	var org strings.Builder
	for range 9 {
		org.WriteByte(alphabet[s.y.IntN(len(alphabet))])
	}
	code := prefix + county + org.String()
	x.CreditCode = code + string(childcare.CreditCheck(code))
	x.Inclusive = x.RegType == childcare.RegPublic || kind == childcare.TypeCommunity && s.y.Float64() < 0.8 || s.y.Float64() < 0.35
	switch kind {
	case childcare.TypeFullDay:
		x.Infant = places / 10
		x.Toddler = places * 2 / 5
		x.Older = places - x.Infant - x.Toddler
	case childcare.TypeKindergarten:
		x.Older = places
	default:
		x.Toddler = places
	}
	x.Area = places * (8 + s.y.IntN(5))
	x.Outdoor = places * (2 + s.y.IntN(3))
	x.Address = place + fmt.Sprintf("%d号", 1+s.y.IntN(200))
	x.Phone = fmt.Sprintf("1%d%09d", 3+s.y.IntN(7), s.y.IntN(1_000_000_000))
	if s.y.Float64() < 0.97 {
		x.FireSafety, x.FireDate = true, filed.AddDays(-(10 + s.y.IntN(190)))
		x.FireDoc = fmt.Sprintf("消验字〔%d〕%d号", x.FireDate.Year(), 1+s.y.IntN(300))
	}
	add := func(role string, male bool) {
		qs := qualifications[role]
		st := childcare.Staff{Name: s.staffName(male), Role: role}
		if len(qs) > 0 {
			st.Qualification = qs[s.y.IntN(len(qs))]
		}
		x.Staff = append(x.Staff, st)
	}
	add(childcare.RoleDirector, s.y.Float64() < 0.15)
	for range (places + 4) / 5 { // one carer to five toddlers (国卫人口发〔2019〕58号)
		add(childcare.RoleCarer, false)
	}
	add(childcare.RoleHealth, false)
	if places >= 30 {
		add(childcare.RoleCook, s.y.Float64() < 0.4)
	}
	if kind == childcare.TypeFullDay {
		add(childcare.RoleSecurity, true)
	}
	end := s.asOf
	if s.y.Float64() < institutionClosure {
		x.Closed = filed.AddDays(180 + s.y.IntN(720))
		if x.Closed.After(s.asOf) {
			x.Closed = date.Date{}
		} else {
			end = x.Closed
		}
	}
	b.Institutions = append(b.Institutions, x)
	inst := &b.Institutions[len(b.Institutions)-1]
	// The filing check, then a joint or routine inspection in most
	// quarters.
	if day := filed.AddDays(5 + s.y.IntN(15)); !day.After(end) {
		s.inspection(b, inst, day, childcare.InspectFiling)
	}
	q := date.Of(filed.Year(), time.Month((int(filed.Month())-1)/3*3+1), 1).AddMonths(3)
	for ; !q.After(end); q = q.AddMonths(3) {
		if s.y.Float64() >= inspectPerQuarter {
			continue
		}
		day := q.AddDays(s.y.IntN(80))
		if day.After(end) {
			break
		}
		kind := childcare.InspectJoint
		switch v := s.y.Float64(); {
		case v >= 0.95:
			kind = childcare.InspectComplaint
		case v >= 0.7:
			kind = childcare.InspectRoutine
		}
		s.inspection(b, inst, day, kind)
	}
}

func (s *sim) inspection(b *Batch, inst *Institution, day date.Date, kind string) {
	r := Inspection{ID: int64(len(b.Inspections) + 1), InstitutionID: inst.ID, Region: inst.Region, Date: day, Kind: kind,
		Inspectors: []string{s.staffName(s.y.Float64() < 0.5), s.staffName(s.y.Float64() < 0.5)}, Status: childcare.InspectionClosed}
	switch v := s.y.Float64(); {
	case v < 0.25:
		r.Grade = "A"
	case v < 0.70:
		r.Grade = "B"
	case v < 0.94:
		r.Grade = "C"
	default:
		r.Grade = "D"
	}
	if r.Grade == "A" || r.Grade == "B" && s.y.Float64() < 0.7 {
		r.Findings = findingsFine[s.y.IntN(len(findingsFine))]
	} else {
		r.Findings = findingsBad[s.y.IntN(len(findingsBad))]
		if r.Grade == "D" || r.Grade == "C" && s.y.Float64() < 0.6 {
			r.Rectify, r.Requirement, r.Deadline = true, "限期整改："+r.Findings, day.AddDays(30)
			r.Status = childcare.InspectionRectifying
			if check := r.Deadline.AddDays(s.y.IntN(15)); !check.After(s.asOf) {
				r.CheckedOn, r.Checkers = check, r.Inspectors[:1]
				if s.y.Float64() < 0.9 {
					r.CheckPassed, r.Status = true, childcare.InspectionClosed
				} else {
					r.CheckNote, r.Deadline = "整改未完成，延长整改期限", check.AddDays(30)
				}
			}
		}
	}
	if day.After(inst.LastCheck) {
		inst.LastCheck = day
	}
	b.Inspections = append(b.Inspections, r)
}
