package matching

import (
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/term"
)

// The worklist: each fact of an import that the registry does not yet
// record, and each role the matcher could not decide, becomes a task for
// the village (or, without a village, the county) of the person it
// concerns, with a reason code, a deadline and the department's record
// beside the registry's. Tasks decides which; the use-case layer stores
// them and applies a confirmed task through the registry's own use cases.

// The reasons of a task.
const (
	TaskDeath      = "death"       // the police cancelled the hukou for death; the registry has the person alive
	TaskMovedOut   = "moved_out"   // moved out of the county
	TaskHukouType  = "hukou_type"  // the hukou type changed
	TaskNewChild   = "new_child"   // a child born or vaccinated is not in the registry
	TaskMarriage   = "marriage"    // married
	TaskDivorce    = "divorce"     // divorced
	TaskRetired    = "retired"     // retired
	TaskDisability = "disability"  // a disability certificate was issued
	TaskNotFound   = "not_found"   // the department's record names nobody in the registry
	TaskIdentity   = "identity"    // the matcher could not decide who the record names: decide side by side
	TaskMovedIn    = "moved_in"    // moved into the county, not in the registry
	TaskIDConflict = "id_conflict" // the ID number is another person's in the registry
)

// TaskReasons names the reasons of worklist tasks.
var TaskReasons = term.List{
	{Code: TaskDeath, ZH: "已死亡但仍在库", EN: "Dead but still in the registry"},
	{Code: TaskMovedOut, ZH: "已迁出本县", EN: "Moved out of the county"},
	{Code: TaskHukouType, ZH: "户口性质变更", EN: "Hukou type changed"},
	{Code: TaskNewChild, ZH: "新生儿未在库", EN: "New child not in the registry"},
	{Code: TaskMarriage, ZH: "已登记结婚", EN: "Married"},
	{Code: TaskDivorce, ZH: "已登记离婚", EN: "Divorced"},
	{Code: TaskRetired, ZH: "已退休", EN: "Retired"},
	{Code: TaskDisability, ZH: "已办残疾证", EN: "Disability certificate issued"},
	{Code: TaskMovedIn, ZH: "迁入人员未在库", EN: "Moved in, not in the registry"},
	{Code: TaskNotFound, ZH: "库中查无此人", EN: "Record not found"},
	{Code: TaskIdentity, ZH: "身份待人工核对", EN: "Identity to be decided"},
	{Code: TaskIDConflict, ZH: "身份证号与姓名不符", EN: "ID number belongs to another name"},
}

// The statuses of a task.
const (
	TaskOpen      = "open"
	TaskConfirmed = "confirmed"
	TaskRejected  = "rejected"
)

// TaskStatuses names the statuses of tasks.
var TaskStatuses = term.List{
	{Code: TaskOpen, ZH: "待处理", EN: "Open"},
	{Code: TaskConfirmed, ZH: "已确认", EN: "Confirmed"},
	{Code: TaskRejected, ZH: "已驳回", EN: "Rejected"},
}

// The levels a task waits at.
const (
	AtVillage  = "village"
	AtTownship = "township"
	AtCounty   = "county"
)

// TaskLevels names the levels a task waits at.
var TaskLevels = term.List{
	{Code: AtVillage, ZH: "村级", EN: "Village"},
	{Code: AtTownship, ZH: "乡镇级", EN: "Township"},
	{Code: AtCounty, ZH: "县级", EN: "County"},
}

// Deadlines: the days a village has for a task, and the township for a
// task handed up to it.
const (
	VillageDays  = 15
	TownshipDays = 10
)

// PersonState is what the worklist needs to know of a registry person.
type PersonState struct {
	Key       registry.Key
	Name      string
	Region    string // twelve-digit division of the hukou
	Death     date.Date
	HukouType string
	OnRoll    bool    // an active or suspended recipient of some program
	Spouses   []int64 // current spouses
	Retired   bool
	Grade     int // the best (lowest) disability grade in force, 0 when none
}

// Task is one item of the worklist.
type Task struct {
	County   string       `json:"county"`
	ID       int64        `json:"id"`
	ImportID int64        `json:"import_id"`
	Kind     Kind         `json:"kind"`
	Row      int          `json:"row"`
	Role     Role         `json:"role"`
	Reason   string       `json:"reason"`
	Person   registry.Key `json:"person"` // zero when the record names nobody in the registry
	// Other is the second registry person of the fact: the spouse of a
	// marriage or divorce.
	Other    registry.Key `json:"other"`
	Region   string       `json:"region"` // the division the task belongs to
	Level    string       `json:"level"`
	Status   string       `json:"status"`
	Event    date.Date    `json:"event"` // the date of the fact
	Deadline date.Date    `json:"deadline"`
	// OnRoll says the person was on the roll when the task was made; Held
	// that their payments were held for it.
	OnRoll bool   `json:"on_roll"`
	Held   bool   `json:"held"`
	Note   string `json:"note,omitempty"`
	// Decision records who decided and why.
	DecidedBy     int64     `json:"decided_by,omitempty"`
	DecidedByName string    `json:"decided_by_name,omitempty"`
	DecidedAt     time.Time `json:"decided_at,omitzero"`
	Decision      string    `json:"decision,omitempty"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
}

// Overdue reports whether the task is open past its deadline on day.
func (t *Task) Overdue(day date.Date) bool {
	return t.Status == TaskOpen && t.Deadline.Before(day)
}

// Tasks returns the tasks a row's results call for, given the registry's
// state of the persons they matched (by id). A row with errors makes no
// task of its facts: it goes back to the department. created is the day
// the tasks are made; county the importing county.
func Tasks(county string, row *Row, results []Result, persons map[int64]PersonState, created date.Date) []Task {
	if row.HasErrors() {
		return nil
	}
	byRole := map[Role]*Result{}
	for i := range results {
		byRole[results[i].Role] = &results[i]
	}
	var out []Task
	mk := func(role Role, reason string, p *PersonState) Task {
		t := Task{County: county, Kind: row.Kind, Row: row.Row, Role: role, Reason: reason, Status: TaskOpen,
			Event: row.Event.Date.Date, Region: county, Level: AtCounty}
		if p != nil {
			t.Person, t.OnRoll = p.Key, p.OnRoll
			t.Region, t.Level = p.Region, AtVillage
		}
		days := VillageDays
		if t.Level != AtVillage {
			days = TownshipDays
		}
		t.Deadline = created.AddDays(days)
		return t
	}
	matched := func(role Role) (*PersonState, bool) {
		r := byRole[role]
		if r == nil || r.Outcome != Matched {
			return nil, false
		}
		p, ok := persons[r.Person.ID]
		if !ok {
			return nil, false
		}
		return &p, true
	}
	// Roles the matcher could not decide go to review first; their facts
	// wait for the decision.
	undecided := false
	for i := range results {
		r := &results[i]
		switch {
		case r.Outcome == Review:
			var p *PersonState
			if s, ok := persons[r.Person.ID]; ok {
				p = &s
			}
			out = append(out, mk(r.Role, TaskIdentity, p))
			undecided = true
		case r.Reason == ReasonIDConflict:
			out = append(out, mk(r.Role, TaskIDConflict, nil))
			undecided = true
		}
	}
	if undecided {
		return out
	}
	return append(out, factTasks(county, row, matched, mk)...)
}

// FactTasks returns the tasks of a row's fact once every role is decided:
// people, by role, are the registry persons its roles were linked to
// (absent for a role that names nobody in the registry).
func FactTasks(county string, row *Row, people map[Role]PersonState, created date.Date) []Task {
	results := make([]Result, 0, len(row.Subjects))
	persons := map[int64]PersonState{}
	for _, s := range row.Subjects {
		r := Result{Row: row.Row, Role: s.Role, Outcome: Unmatched}
		if !s.Present {
			r.Reason = ReasonNoIdentity
		}
		if p, ok := people[s.Role]; ok {
			r.Outcome, r.Person = Matched, p.Key
			persons[p.Key.ID] = p
		}
		results = append(results, r)
	}
	return Tasks(county, row, results, persons, created)
}

func factTasks(county string, row *Row, matched func(Role) (*PersonState, bool), mk func(Role, string, *PersonState) Task) []Task {
	e := row.Event
	var out []Task
	switch row.Kind {
	case PoliceDeaths:
		p, ok := matched(RolePerson)
		switch {
		case !ok:
			out = append(out, mk(RolePerson, TaskNotFound, nil))
		case p.Death.IsZero():
			out = append(out, mk(RolePerson, TaskDeath, p))
		}
	case PoliceMoves:
		p, ok := matched(RolePerson)
		switch {
		case !ok && e.Type == MoveIn:
			out = append(out, mk(RolePerson, TaskMovedIn, nil))
		case !ok:
			out = append(out, mk(RolePerson, TaskNotFound, nil))
		case e.Type == MoveOut && p.Death.IsZero() && (len(e.Region) < 6 || e.Region[:6] != county):
			// A move within the county is the registry's own business.
			out = append(out, mk(RolePerson, TaskMovedOut, p))
		case e.Type == HukouChange && e.HukouType != "" && e.HukouType != p.HukouType:
			out = append(out, mk(RolePerson, TaskHukouType, p))
		}
	case CivilMarriages:
		h, hok := matched(RoleHusband)
		w, wok := matched(RoleWife)
		married := hok && wok && containsID(h.Spouses, w.Key.ID)
		reason := TaskMarriage
		if e.Type == Divorce {
			reason = TaskDivorce
		}
		switch {
		case !hok && !wok:
			out = append(out, mk(RoleHusband, TaskNotFound, nil))
		case reason == TaskMarriage && married, reason == TaskDivorce && hok && wok && !married:
			// The registry already says so.
		default:
			// The task goes to the spouse in the registry (the wife
			// first: her village keeps the family's file).
			p, role, other := w, RoleWife, h
			if !wok {
				p, role, other = h, RoleHusband, nil
			}
			t := mk(role, reason, p)
			if other != nil {
				t.Other = other.Key
			}
			out = append(out, t)
		}
	case HospitalBirths, Vaccination:
		if _, ok := matched(RoleChild); ok {
			break
		}
		if m, ok := matched(RoleMother); ok {
			out = append(out, mk(RoleChild, TaskNewChild, m))
		} else if f, ok := matched(RoleFather); ok {
			out = append(out, mk(RoleChild, TaskNewChild, f))
		} else {
			out = append(out, mk(RoleChild, TaskNotFound, nil))
		}
	case Pension:
		p, ok := matched(RolePerson)
		switch {
		case !ok:
			out = append(out, mk(RolePerson, TaskNotFound, nil))
		case !p.Retired:
			out = append(out, mk(RolePerson, TaskRetired, p))
		}
	case Disability:
		p, ok := matched(RolePerson)
		switch {
		case !ok:
			out = append(out, mk(RolePerson, TaskNotFound, nil))
		case p.Grade == 0 || p.Grade != e.Grade:
			out = append(out, mk(RolePerson, TaskDisability, p))
		}
	}
	return out
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// HoldsPayment reports whether a task holds the person's payments at once,
// before anyone confirms it: a police death of a person on the roll.
func (t *Task) HoldsPayment() bool {
	return t.Reason == TaskDeath && t.OnRoll && t.Person.ID != 0
}

// Import is an extract received from a department and matched: what it
// was, who brought it, and what came of it.
type Import struct {
	County   string   `json:"county"`
	ID       int64    `json:"id"`
	Kind     Kind     `json:"kind"`
	Source   string   `json:"source"` // the sending department or office, as staff name it
	FileName string   `json:"file_name"`
	FileHash string   `json:"file_hash"` // SHA-256 of the file's bytes
	Format   string   `json:"format"`
	Encoding string   `json:"encoding,omitempty"`
	Header   []string `json:"header"`
	// Mapping is the column mapping the file was read with.
	Mapping map[string]string `json:"mapping,omitempty"`
	// Rows counts the data rows; New those whose fact was not imported
	// before, Repeated those that were (in this file or an earlier one),
	// Errors those that could not be read.
	Rows     int `json:"rows"`
	New      int `json:"new"`
	Repeated int `json:"repeated"`
	Errors   int `json:"errors"`
	// Matched, Review and Unmatched count roles.
	Matched   int `json:"matched"`
	Review    int `json:"review"`
	Unmatched int `json:"unmatched"`
	Tasks     int `json:"tasks"`
	Held      int `json:"held"` // persons whose payments were held
	// Seconds is how long parsing, matching and storing took.
	Seconds       float64   `json:"seconds"`
	DryRun        bool      `json:"dry_run"`
	CreatedBy     int64     `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
}

// Row statuses of an import.
const (
	RowNew      = "new"
	RowRepeated = "repeated"
	RowError    = "error"
)

// Exchange directions.
const (
	Received = "received" // an extract imported
	Sent     = "sent"     // a feedback file given back
)

// Exchange is one line of the exchange log: what was received from or
// sent to a source in a month.
type Exchange struct {
	County    string    `json:"county"`
	ID        int64     `json:"id"`
	Month     string    `json:"month"` // YYYY-MM
	Direction string    `json:"direction"`
	Source    string    `json:"source"`
	Kind      Kind      `json:"kind"`
	ImportID  int64     `json:"import_id"`
	Rows      int       `json:"rows"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// ImportRow is a stored row of an import: the department's cells, what
// was found wrong, whether its fact was new, and each role's result.
type ImportRow struct {
	Row    int    `json:"row"`
	Line   int    `json:"line"`
	Status string `json:"status"`
	// FactKey is the stored form of the row's fact key: a keyed hash.
	FactKey  string    `json:"fact_key"`
	Cells    []string  `json:"cells"`
	Problems []Problem `json:"problems,omitempty"`
	Results  []Result  `json:"results"`
}

// TaskQuery selects tasks of the worklist.
type TaskQuery struct {
	Region   string `json:"region,omitempty"` // a division within the county
	Status   string `json:"status,omitempty"`
	Level    string `json:"level,omitempty"`
	Reason   string `json:"reason,omitempty"`
	ImportID int64  `json:"import_id,omitempty"`
	PersonID int64  `json:"person_id,omitempty"`
	// OverdueOn selects the open tasks whose deadline is before it.
	OverdueOn date.Date `json:"overdue_on,omitzero"`
	Limit     int       `json:"limit,omitempty"`
	Offset    int       `json:"offset,omitempty"`
}

// KindNames names the kinds of extract.
var KindNames = func() term.List {
	l := make(term.List, len(Kinds))
	for i, k := range Kinds {
		l[i] = term.Term{Code: string(k), ZH: specs[k].ZH, EN: specs[k].EN}
	}
	return l
}()

// RoleNames names the roles of a row.
var RoleNames = term.List{
	{Code: string(RolePerson), ZH: "本人", EN: "Person"},
	{Code: string(RoleMother), ZH: "母亲", EN: "Mother"},
	{Code: string(RoleFather), ZH: "父亲", EN: "Father"},
	{Code: string(RoleHusband), ZH: "男方", EN: "Husband"},
	{Code: string(RoleWife), ZH: "女方", EN: "Wife"},
	{Code: string(RoleChild), ZH: "子女", EN: "Child"},
}

// OutcomeNames names the outcomes of matching.
var OutcomeNames = term.List{
	{Code: string(Matched), ZH: "已匹配", EN: "Matched"},
	{Code: string(Review), ZH: "待人工核对", EN: "To review"},
	{Code: string(Unmatched), ZH: "未匹配", EN: "Unmatched"},
}

// RowStatusNames names the statuses of an import's rows.
var RowStatusNames = term.List{
	{Code: RowNew, ZH: "新记录", EN: "New"},
	{Code: RowRepeated, ZH: "已导入过", EN: "Imported before"},
	{Code: RowError, ZH: "有错误", EN: "Has errors"},
}
