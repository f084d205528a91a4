package stats

import (
	"strconv"

	"github.com/jiahe-project/jiahe/internal/date"
)

// The population pyramid of a region on a day: the living residents by
// five-year age band and sex.

// BandYears is the width of an age band; TopBand the age from which the
// last band is open (100 and over).
const (
	BandYears = 5
	TopBand   = 100
)

// AgeSex is the number of persons of one sex born on one day.
type AgeSex struct {
	Birth date.Date
	Sex   string
	N     int64
}

// Band is one age band of the pyramid.
type Band struct {
	From   int    `json:"from"` // the band's first age
	Label  string `json:"label"`
	Male   int64  `json:"male"`
	Female int64  `json:"female"`
}

// Pyramid is a region's population by age band and sex on a day, the
// youngest band first.
type Pyramid struct {
	Region string    `json:"region"`
	Name   string    `json:"name"`
	On     date.Date `json:"on"`
	Bands  []Band    `json:"bands"`
	Male   int64     `json:"male"`
	Female int64     `json:"female"`
}

// BuildPyramid sums rows (persons alive on day on, by birth day and sex)
// into the bands.
func BuildPyramid(reg, name string, on date.Date, rows []AgeSex) *Pyramid {
	p := &Pyramid{Region: reg, Name: name, On: on}
	for from := 0; from <= TopBand; from += BandYears {
		label := strconv.Itoa(from) + "–" + strconv.Itoa(from+BandYears-1)
		if from == TopBand {
			label = strconv.Itoa(from) + "+"
		}
		p.Bands = append(p.Bands, Band{From: from, Label: label})
	}
	for _, r := range rows {
		age := r.Birth.YearsBetween(on)
		if age < 0 {
			continue
		}
		i := min(age/BandYears, len(p.Bands)-1)
		if r.Sex == Male {
			p.Bands[i].Male += r.N
			p.Male += r.N
		} else {
			p.Bands[i].Female += r.N
			p.Female += r.N
		}
	}
	return p
}
