package synth

import "math"

// The demographic rates of the simulation. Each is a plain function of the
// calendar year (and age), piecewise linear between the anchor years given
// in docs/synthetic.md.

type anchor struct {
	year int
	v    float64
}

// interp interpolates linearly between anchors, holding the end values.
func interp(a []anchor, y int) float64 {
	if y <= a[0].year {
		return a[0].v
	}
	for i := 1; i < len(a); i++ {
		if y <= a[i].year {
			p, q := a[i-1], a[i]
			return p.v + (q.v-p.v)*float64(y-p.year)/float64(q.year-p.year)
		}
	}
	return a[len(a)-1].v
}

// Sex ratio at birth (boys per 100 girls). The census figures by decade
// (≈ 106 before 1985, 111 in 1990, 117 in 2000, 118 in 2010, 111 in 2020)
// are the mix of a near-normal ratio for first births and for births to
// parents who already have a son, and a strongly male ratio for later
// births to parents with daughters only (sex-selective abortion after
// ultrasound spread in the mid-1980s; census 2000: first births ≈ 107,
// second ≈ 152, third ≈ 160).
var (
	srbFirst  = []anchor{{1984, 106}, {1990, 108}, {2000, 108}, {2005, 110}, {2010, 112}, {2015, 109}, {2020, 107}, {2024, 106}}
	srbNoSon  = []anchor{{1982, 107}, {1988, 130}, {1995, 155}, {2005, 158}, {2010, 152}, {2015, 145}, {2020, 130}, {2024, 125}}
	srbHasSon = []anchor{{1984, 105}, {2024, 105}}
)

// maleShare returns the probability that a birth in year y is a boy, for
// a first birth or a later birth to parents with or without a son.
func maleShare(y int, first, hasSon bool) float64 {
	a := srbNoSon
	switch {
	case first:
		a = srbFirst
	case hasSon:
		a = srbHasSon
	}
	r := interp(a, y)
	return r / (r + 100)
}

// infantMortality is the probability of dying in the first year of life.
var imrAnchors = []anchor{{1950, 0.175}, {1958, 0.12}, {1960, 0.15}, {1962, 0.09}, {1970, 0.06}, {1980, 0.04}, {1991, 0.05}, {2000, 0.032}, {2010, 0.013}, {2020, 0.0054}, {2024, 0.0045}}

// mortalityLevel scales adult mortality by year (1 ≈ China around 2000).
// The anchors are fitted so that period life expectancy at birth, with the
// infant and child mortality above, runs ≈ 44 in 1950, 68 in 1981, 71.4 in
// 2000, 74.8 in 2010 and 77.9 in 2020 (census life tables), with the
// 1959–61 famine.
var mortAnchors = []anchor{{1930, 6.0}, {1950, 5.0}, {1958, 4.0}, {1960, 7.0}, {1962, 3.2}, {1970, 2.0}, {1981, 1.35}, {1990, 1.17}, {2000, 1.04}, {2010, 0.89}, {2020, 0.71}, {2024, 0.65}}

// deathProb returns the probability that a person of the given age (in
// completed years at the start of year y) and sex dies during y.
//
// Adults follow a Gompertz–Makeham curve fitted to the China 2000 life
// table (women: ≈ 0.5‰ a year at 20, 1.5‰ at 40, 9‰ at 60, 25‰ at 70,
// 70‰ at 80, 190‰ at 90); men die about twice as often as women between 15
// and 55, the excess narrowing to ≈ 1.3 by 85.
func deathProb(age int, male bool, y int) float64 {
	lvl := interp(mortAnchors, y)
	var q float64
	switch {
	case age == 0:
		return interp(imrAnchors, y) // applied at birth; kept for completeness
	case age < 5:
		q = 0.065 * interp(imrAnchors, y) // U5MR ≈ 1.25 × IMR
	case age < 15:
		q = 0.0003 * lvl
	default:
		q = (0.0004 + 0.000018*math.Exp(0.103*float64(age))) * lvl
		if male {
			q *= maleExcess(age)
		}
	}
	if q > 0.6 {
		q = 0.6
	}
	return q
}

// hukouMortality scales mortality by hukou type: the national rates above
// mix towns, where infants died at about a third of the rural rate (MCH
// monitoring 1991: 17‰ urban, 58‰ rural) and adults lived about four to
// five years longer, with the countryside (weights for an urban share of
// about a fifth).
func hukouMortality(rural bool, age int) float64 {
	switch {
	case age < 5 && rural:
		return 1.15
	case age < 5:
		return 0.45
	case rural:
		return 1.07
	}
	return 0.75
}

// maleExcess is the ratio of men's to women's adult mortality at an age.
func maleExcess(age int) float64 {
	switch {
	case age <= 55:
		return 2.0
	case age >= 85:
		return 1.3
	}
	return 2.0 - 0.7*float64(age-55)/30
}

// womanMarriageRate is the yearly probability that a never-married woman of
// the given age marries in year y: the mean age at first marriage rose from
// about 19–20 before 1970 to 23 in the 1980s and over 27 by 2020.
func womanMarriageRate(age, y int) float64 {
	var minAge int
	var r float64
	switch {
	case y < 1970:
		minAge, r = 17, 0.38
	case y < 1980:
		minAge, r = 20, 0.36 // 晚婚 campaign
	case y < 2000:
		minAge, r = 20, 0.33
	case y < 2010:
		minAge, r = 21, 0.26
	case y < 2020:
		minAge, r = 22, 0.19
	default:
		minAge, r = 22, 0.13
	}
	if age < minAge {
		return 0
	}
	if age >= 35 {
		r *= 0.25
	}
	if age >= 50 {
		return 0
	}
	return r
}

// menMinAge is the youngest age at which men marry in year y.
func menMinAge(y int) int {
	if y < 1980 {
		return 19
	}
	return 21
}

// husbandAgeGap draws the husband's age minus the wife's.
var husbandGaps = []struct {
	gap int
	w   float64
}{{-2, 0.03}, {-1, 0.07}, {0, 0.15}, {1, 0.19}, {2, 0.18}, {3, 0.14}, {4, 0.09}, {5, 0.06}, {6, 0.04}, {7, 0.02}, {8, 0.02}}

// divorceRate is the yearly probability that a marriage ends in divorce
// (crude divorce rate 0.3‰ around 1980, 1‰ in 2000, 3.4‰ in 2019).
var divorceAnchors = []anchor{{1955, 0.0025}, {1960, 0.0008}, {1980, 0.0008}, {1990, 0.0018}, {2000, 0.0030}, {2010, 0.0055}, {2019, 0.0085}, {2021, 0.0060}, {2024, 0.0065}}

// ageFertility scales birth hazards by the mother's age.
func ageFertility(age int) float64 {
	switch {
	case age < 18:
		return 0.3
	case age < 30:
		return 1
	case age < 35:
		return 0.65
	case age < 40:
		return 0.32
	case age < 45:
		return 0.1
	case age < 50:
		return 0.015
	}
	return 0
}

// primaryInfertility is the share of first marriages that never bear a
// child. Censuses find only ≈ 1.5–2% of Chinese women of the cohorts born
// before 1970 childless at 50 (never-married women included), and many
// childless couples adopted.
const primaryInfertility = 0.018

// Policy eras.
func oneChildEra(y int) bool   { return y >= 1980 && y < 2016 }
func twoChildEra(y int) bool   { return y >= 2016 && y < 2021 }
func threeChildEra(y int) bool { return y >= 2021 }

// family is what the birth rules of an era look at in a married woman's
// history.
type family struct {
	parity    int  // births given
	surviving int  // children alive
	sons      int  // surviving sons
	firstGirl bool // her first child was a girl
	rural     bool // her hukou type
	gap       int  // calendar years since her last birth
}

// birthHazard is the yearly probability that a married woman has another
// birth in year y, before the age factor, and whether that birth is within
// the policy of the time (政策内).
//
//   - Before 1971: natural fertility, lower in towns (completed fertility
//     ≈ 3.5–4.5 for rural women born in the 1940s, ≈ 2.5–3 urban).
//   - 1971–1979, 晚、稀、少: at most two children, four years apart. A third
//     or later birth is out of policy, and so is a second birth less than
//     four years after the first.
//     Urban fertility fell to ≈ 1.4 by 1979, rural to ≈ 3.
//   - 1980–2015: one child in towns. In the countryside a strict one
//     child until 1983, then (Central Document No. 7 of 1984 and the
//     provincial regulations that followed) the "1.5-child" rule: a second
//     child only after a first daughter, at least four years later, and
//     not every couple took it up. Births over the quota
//     stayed common in rural areas, most of all where the children were
//     daughters only: most couples with a first son had a second child,
//     and most second children after a daughter came before the four
//     years were up, so few rural couples of the 1950–64 cohorts had no
//     out-of-policy birth. Towns kept to one child more strictly, county
//     towns less than cities.
//   - Two children from 2016, three from 2021.
func birthHazard(f family, y int) (p float64, inPolicy bool) {
	if f.parity == 0 {
		return 0.55, true
	}
	if f.surviving == 0 && y >= 1980 {
		return 0.5, true // a replacement birth after the children's deaths
	}
	switch {
	case y < 1971:
		p = 0.36
		if f.parity >= 5 {
			p = 0.25
		}
		if !f.rural {
			p = 0.30
			if f.parity >= 3 {
				p = 0.16
			}
		}
		if y >= 1959 && y <= 1961 {
			p *= 0.55
		}
		return p, true
	case y < 1980:
		t := float64(y-1971) / 8 // 0 in 1971, 1 in 1979
		if f.rural {
			p = 0.42 - 0.12*t
			if f.parity >= 3 {
				p *= 0.6
			}
		} else {
			p = 0.28 - 0.21*t
			if f.parity >= 2 {
				p *= 0.3
			}
		}
		return p, f.parity == 1 && f.gap >= 4
	case oneChildEra(y):
		late := float64(y-1980) / 35 // 0 in 1980, 1 in 2015
		if !f.rural {
			if f.parity == 1 {
				return 0.025, false
			}
			return 0.003, false
		}
		if f.parity == 1 {
			switch {
			case f.firstGirl && y < 1984:
				return 0.25, false // strict one child until the 1984 "small opening"
			case f.firstGirl && f.gap >= 4:
				return 0.48 - 0.14*late, true // rural "1.5-child" rule
			case f.firstGirl:
				return 0.75 - 0.40*late, false // too soon
			}
			return 0.52 - 0.37*late, false // a first son: over the quota
		}
		if f.sons == 0 {
			return 0.60 - 0.34*late, false // daughters only: trying for a son
		}
		return 0.09 - 0.07*late, false
	case twoChildEra(y):
		if f.parity == 1 {
			return 0.085, true
		}
		return 0.006, false
	default:
		if f.parity == 1 {
			return 0.05, true
		}
		if f.parity == 2 {
			return 0.012, true
		}
		return 0.002, false
	}
}

// sterilisationShare is the probability of a sterilisation after the last
// birth the policy allowed in 1980–2005: after the first child in towns,
// after the second in the countryside (less often where both are daughters).
func sterilisationShare(rural bool, parity, sons int) float64 {
	switch {
	case !rural:
		return 0.15
	case parity < 2:
		return 0
	case sons == 0:
		return 0.15
	}
	return 0.60
}

// reversalRate is the yearly probability that a sterilised woman under 45
// whose children have all died has the sterilisation reversed (复通,
// offered free to such families) and can bear a replacement child.
const reversalRate = 0.3

// Disability: certificate holders were about 2.6% of the population around
// 2020, most of them old; grades 1–2 are about a third.
const congenitalDisability = 0.004

func disabilityHazard(age int) float64 {
	switch {
	case age < 20:
		return 0.00012
	case age < 45:
		return 0.0003
	case age < 60:
		return 0.0008
	case age < 75:
		return 0.0015
	}
	return 0.003
}

var disabilityCategories = []struct {
	name string
	w    float64
}{{"limb", 0.50}, {"sight", 0.10}, {"hearing", 0.09}, {"speech", 0.01}, {"intellect", 0.09}, {"mental", 0.15}, {"multiple", 0.06}}

// Land requisition: the yearly probability that part of a rural village is
// requisitioned (征地), and the share of its rural residents converted.
func landRequisitionRate(y int) float64 {
	switch {
	case y >= 1992 && y < 2016:
		return 0.006
	case y >= 2016:
		return 0.002
	case y >= 1980:
		return 0.002
	}
	return 0
}

// conversionRate is the yearly probability that a rural person aged 18–22
// converts to urban hukou by education, employment or the army (农转非).
func conversionRate(y int) float64 {
	switch {
	case y < 1978:
		return 0.002
	case y < 1995:
		return 0.006
	case y < 2014:
		return 0.012
	}
	return 0.004
}

// moveRate is the yearly probability that an adult moves hukou to another
// village or community of the county.
const moveRate = 0.004

// Facts added for the seed counties' own programs (rules.md §1.4), drawn
// from a separate stream (sim.x). Approximate [I]: an IUD after about
// half the births not followed by a sterilisation (the IUD was the most
// used method, 国统制〔2008〕78号 table 2); one in ten rural first-girl
// families who took the one-child certificate had been allowed a second
// child; 85% of adults outside the employee scheme enrolled in the
// resident scheme; admissions to bachelor and college courses at 18 rising
// with the expansion of higher education (gross enrolment ≈ 5% in 1995,
// 15% in 2002, 40% in 2015, 55% in 2022, about half of it bachelor).
const (
	iudShare                  = 0.5
	voluntaryCertificateShare = 0.1
	residentPensionCoverage   = 0.85
)

var (
	bachelorAdmission = []anchor{{1993, 0.02}, {2000, 0.05}, {2005, 0.10}, {2010, 0.14}, {2015, 0.19}, {2020, 0.24}, {2024, 0.27}}
	collegeAdmission  = []anchor{{1993, 0.02}, {2000, 0.05}, {2005, 0.10}, {2010, 0.13}, {2015, 0.18}, {2020, 0.25}, {2024, 0.28}}
)
