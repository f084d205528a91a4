package registry

// An export writes persons as a roster in the columns ParseRoster reads,
// so that it imports again unchanged: RosterHeader, then RosterCells of
// each person, written with package sheet's Writer. It masks nothing: it
// is the staff's own export, limited by the caller to the actor's scope.

// RosterSheet is the name of the worksheet of an exported workbook.
const RosterSheet = "人员名册"

// RosterHeader returns the header row of an exported roster.
func RosterHeader() []string {
	header := make([]string, len(rosterColumns))
	for i, c := range rosterColumns {
		header[i] = c.header
	}
	return header
}

// RosterWidths returns the widths of the columns of an exported workbook,
// in Excel's units (characters).
func RosterWidths() []float64 {
	widths := make([]float64, len(rosterColumns))
	for i, c := range rosterColumns {
		widths[i] = c.width
	}
	return widths
}

var (
	sexLabels     = map[string]string{Male: "男", Female: "女"}
	hukouLabels   = map[string]string{Rural: "农业", Urban: "非农业"}
	pensionLabels = map[string]string{"": "无", PensionNone: "无", PensionUrbanEmployee: "城镇职工", PensionResident: "城乡居民"}
)

// RosterCells returns r's row of an exported roster, in the columns of
// RosterHeader. Every cell is text as staff type it (dates as
// YYYY-MM-DD, 男/女, 农业/非农业).
func RosterCells(r *Record) []string {
	death := ""
	if !r.Death.IsZero() {
		death = r.Death.String()
	}
	return []string{r.IDNumber, r.Name, sexLabels[r.Sex], r.Birth.String(), r.Region, hukouLabels[r.HukouType],
		pensionLabels[r.Pension], r.Ethnic, r.Address, r.Phone, death}
}
