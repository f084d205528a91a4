package synth

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/special"
)

// The care of the special families of the synthetic county
// (docs/synthetic.md, "Special families"): once the register is built
// from the synthetic registry and roll (special.Sweep), SpecialCare plans
// for each family its contacts, its family-doctor signing, green channel
// and insurance, its visits of the last year and the requests raised on
// them, at the rates below. The rates are set below the full coverage the
// counties report, so that the demo shows families to follow up.
const (
	// ContactsRate is the share of families with the full set of
	// contacts; the others lack one kind (most often the village doctor).
	ContactsRate = 0.88
	// DoctorRate, GreenRate and InsuredRate are the shares signed to a
	// family doctor, with the green channel and enrolled in the
	// hospital-care insurance.
	DoctorRate  = 0.9
	GreenRate   = 0.82
	InsuredRate = 0.6
	// TCMRate is the share of signings to a doctor of Chinese medicine.
	TCMRate = 0.3
	// LapseRate is the share of families whose contacts let the visits
	// lapse: their last visit is older than the interval.
	LapseRate = 0.12
	// RequestRate is the share of visits on which the family raises a
	// request; AnsweredRate the share of requests answered, SatisfiedRate
	// of those the family is satisfied with.
	RequestRate   = 0.15
	AnsweredRate  = 0.75
	SatisfiedRate = 0.85
)

// SpecialFamilyRef is a family of the register as the planner needs it.
type SpecialFamilyRef struct {
	ID int64
}

// CarePlan is the planned care of one family.
type CarePlan struct {
	Family   int64
	Contacts []special.Contact // County, ID and FamilyID left to the caller
	Service  []special.Service
	Visits   []special.Visit
	Requests []special.Request
}

// visitFindings and the help and requests drawn for the visits.
var (
	visitFindings = []string{"身体状况稳定，情绪平稳", "血压偏高，按时服药", "独居，生活基本能自理", "腿脚不便，出行困难",
		"近期住院治疗后恢复中", "情绪低落，需要陪伴", "家中房屋需维修", "老两口相互照顾，生活尚可"}
	visitHelp = []string{"测量血压、血糖，讲解用药", "送去慰问品", "陪同聊天，心理疏导", "协助预约县医院复查",
		"帮助打扫卫生", "讲解特别扶助政策"}
	visitRequests = []string{"希望协助办理住院护理险", "希望安排上门体检", "反映特别扶助金到账时间", "希望协调养老院床位",
		"希望帮助申请临时救助", "房屋漏雨，希望协调维修"}
	doctors   = []string{"乡镇卫生院", "村卫生室"}
	hospitals = []string{"县人民医院", "县中医院"}
	insurers  = []string{"中国人寿", "人保财险"}
)

// SpecialCare plans the care of families up to asOf: contacts of the
// kinds the county requires, services, visits every days days (most
// families visited on time, LapseRate of them overdue) and the requests
// raised on them. The same seed gives the same plan.
func SpecialCare(families []SpecialFamilyRef, kinds []string, days int, asOf date.Date, seed uint64) []CarePlan {
	r := rand.New(rand.NewPCG(seed, 0x5bec1a1))
	out := make([]CarePlan, 0, len(families))
	// The lapsed families are spread evenly (LapseRate of every run of
	// families, from a random offset), so that even a small county has
	// its share of overdue visits.
	offset := r.Float64()
	lapsed := func(i int) bool {
		return math.Floor(offset+float64(i+1)*LapseRate) > math.Floor(offset+float64(i)*LapseRate)
	}
	for i, f := range families {
		p := CarePlan{Family: f.ID}
		// The care began before the register was kept in Jiahe: the
		// files of the last year are transcribed.
		first := asOf.AddDays(-365)
		start := first
		// Contacts: the full set, or all but one kind.
		skip := ""
		if r.Float64() >= ContactsRate && len(kinds) > 0 {
			skip = kinds[len(kinds)-1]
			if r.IntN(3) == 0 {
				skip = kinds[r.IntN(len(kinds))]
			}
		}
		var visitor string
		for _, k := range kinds {
			if k == skip {
				continue
			}
			male := r.IntN(2) == 0
			name := drawSurname(r) + givenName(r, male, 1965+r.IntN(30))
			if visitor == "" || k == special.KindVillageDoctor {
				visitor = name
			}
			p.Contacts = append(p.Contacts, special.Contact{Kind: k, Name: name, Phone: phone(r), From: start})
		}
		span := max(int(asOf.Time().Sub(first.Time()).Hours()/24), 0)
		day := func() date.Date { return first.AddDays(r.IntN(span + 1)) }
		if r.Float64() < DoctorRate {
			p.Service = append(p.Service, special.Service{Kind: special.ServiceDoctor, Date: day(),
				By: drawSurname(r) + givenName(r, r.IntN(2) == 0, 1970+r.IntN(25)) + "（" + doctors[r.IntN(len(doctors))] + "）", TCM: r.Float64() < TCMRate})
		}
		if r.Float64() < GreenRate {
			p.Service = append(p.Service, special.Service{Kind: special.ServiceGreen, Date: day(), By: hospitals[r.IntN(len(hospitals))]})
		}
		if r.Float64() < InsuredRate {
			p.Service = append(p.Service, special.Service{Kind: special.ServiceInsurance, Date: day(), By: insurers[r.IntN(len(insurers))]})
		}
		// Visits: back from the last one, every days days with a week's
		// play; a lapsed family's last visit lies beyond the interval.
		if visitor != "" {
			last := asOf.AddDays(-r.IntN(max(days-7, 1)))
			if lapsed(i) {
				last = asOf.AddDays(-days - 1 - r.IntN(days))
			}
			var visits []special.Visit
			for d := last; !d.Before(first); d = d.AddDays(-max(days+7-r.IntN(15), 1)) {
				v := special.Visit{Date: d, Mode: []string{special.ModeHome, special.ModeHome, special.ModeHome, special.ModePhone, special.ModeHospital}[r.IntN(5)],
					Visitor: visitor, Found: visitFindings[r.IntN(len(visitFindings))], Help: visitHelp[r.IntN(len(visitHelp))], NextDue: d.AddDays(days)}
				if r.Float64() < RequestRate {
					v.Requests = visitRequests[r.IntN(len(visitRequests))]
					q := special.Request{Raised: d, Source: special.FromVisit, Content: v.Requests, Handler: visitor,
						Deadline: d.AddDays(special.DefaultRequestDays), Status: special.RequestOpen}
					if r.Float64() < AnsweredRate && !q.Deadline.After(asOf) {
						q.Status, q.Reply, q.Replied = special.RequestReplied, "已联系相关部门办理，并告知家庭", d.AddDays(1+r.IntN(special.DefaultRequestDays))
						if r.Float64() < SatisfiedRate {
							q.Status, q.Satisfied = special.RequestClosed, "yes"
						}
					}
					p.Requests = append(p.Requests, q)
				}
				visits = append(visits, v)
			}
			slices.Reverse(visits)
			p.Visits = visits
		}
		out = append(out, p)
	}
	return out
}

// phone draws a mobile number.
func phone(r *rand.Rand) string {
	prefixes := []string{"139", "138", "137", "159", "158", "187", "155", "180"}
	b := []byte(prefixes[r.IntN(len(prefixes))])
	for i := 0; i < 8; i++ {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return string(b)
}
