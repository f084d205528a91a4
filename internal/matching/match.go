package matching

import (
	"context"
	"math"
	"runtime"
	"strconv"
	"sync"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Outcome is what matching decided for one role of a row.
type Outcome string

// The outcomes.
const (
	Matched   Outcome = "matched"   // linked to a registry person automatically
	Review    Outcome = "review"    // a person must decide, with the candidates side by side
	Unmatched Outcome = "unmatched" // no registry person is likely enough
)

// Params are the matcher's thresholds. A role is matched when the score of
// its best candidate is at least Match, sent to review when it is at least
// Review, and otherwise unmatched.
type Params struct {
	// Match is the score from which a role is matched automatically.
	Match float64 `json:"match"`
	// Review is the score from which a role is sent to review.
	Review float64 `json:"review"`
	// Outside is the prior share of rows whose person is not in the
	// registry at all. It weighs "nobody" against the candidates.
	Outside float64 `json:"outside"`
	// Workers is the number of goroutines MatchRows and Duplicates use;
	// 0 means one per CPU.
	Workers int `json:"workers"`
}

// DefaultParams are the thresholds measured in docs/matching.md.
func DefaultParams() Params {
	return Params{Match: 0.98, Review: 0.10, Outside: 0.10}
}

// Check validates p.
func (p Params) Check() error {
	switch {
	case !(p.Match > 0 && p.Match <= 1):
		return apperr.Invalidf("match", "自动匹配阈值应在 0 到 1 之间", "the match threshold must be in (0, 1]")
	case !(p.Review > 0 && p.Review <= p.Match):
		return apperr.Invalidf("review", "人工核对阈值应大于 0 且不大于自动匹配阈值", "the review threshold must be in (0, match]")
	case !(p.Outside > 0 && p.Outside < 1):
		return apperr.Invalidf("outside", "库外人员比例应在 0 到 1 之间", "the share of persons outside the registry must be in (0, 1)")
	case p.Workers < 0:
		return apperr.Invalidf("workers", "并发数不能为负", "workers must not be negative")
	}
	return nil
}

// Reasons of a result.
const (
	ReasonIDExact      = "id_exact"         // a valid ID number found in the registry
	ReasonIDConflict   = "id_name_conflict" // a valid ID number found, but the name is another's
	ReasonScored       = "scored"           // scored on ID digits, name, birth date, sex, place and parents
	ReasonNoIdentity   = "no_identity"      // the row names nobody in this role
	ReasonNoCandidates = "no_candidates"    // no registry person shares a key with the row
)

// Scored is a registry person considered for a role, with the score and
// the evidence.
type Scored struct {
	Person   registry.Key `json:"person"`
	IDNumber string       `json:"id_number,omitempty"`
	Score    float64      `json:"score"`
	Evidence Evidence     `json:"evidence"`
}

// Result is the outcome of one role of one row.
type Result struct {
	Row     int     `json:"row"`
	Role    Role    `json:"role"`
	Outcome Outcome `json:"outcome"`
	// Score is the probability, as the weights estimate it, that Person
	// is the row's subject; 0 with no candidate.
	Score float64 `json:"score"`
	// Person is the matched person (Matched), the best candidate (Review)
	// or zero (Unmatched). IDNumber is the person's ID number.
	Person   registry.Key `json:"person"`
	IDNumber string       `json:"id_number,omitempty"`
	Reason   string       `json:"reason"`
	// Candidates are the best candidates, best first (at most
	// MaxCandidates), for showing side by side.
	Candidates []Scored `json:"candidates,omitempty"`
}

// ResultHeader is the header of a result file.
var ResultHeader = []string{"row", "role", "outcome", "id_number", "score"}

// Line returns the result as a line of a result file:
// row,role,outcome,id_number,score — id_number only when matched.
func (r *Result) Line() []string {
	id := ""
	if r.Outcome == Matched {
		id = r.IDNumber
	}
	return []string{strconv.Itoa(r.Row), string(r.Role), string(r.Outcome), id, strconv.FormatFloat(r.Score, 'f', 4, 64)}
}

// MaxCandidates bounds the candidates a result lists.
const MaxCandidates = 3

// maxBlock is the largest block of a loose key (surname sound and part
// of a birth date, name sound) a query reads; larger blocks say too little
// to be worth comparing every member.
const maxBlock = 3000

// Matcher links rows of extracts to registry persons.
type Matcher struct {
	ix      *Index
	p       Params
	w0      float64 // the weight of "nobody in the registry"
	scratch sync.Pool
}

// NewMatcher returns a matcher over ix with thresholds p.
func NewMatcher(ix *Index, p Params) (*Matcher, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	m := &Matcher{ix: ix, p: p}
	n := float64(max(len(ix.cands), 1))
	m.w0 = math.Log2(p.Outside * n / (1 - p.Outside))
	m.scratch.New = func() any { return &scratch{seen: make([]uint32, len(ix.cands))} }
	return m, nil
}

// Index returns the matcher's index.
func (m *Matcher) Index() *Index { return m.ix }

// scratch is per-goroutine working memory.
type scratch struct {
	seen   []uint32 // seen[i] == stamp: candidate i already gathered
	stamp  uint32
	found  []int32
	scored []scoredTmp
}

type scoredTmp struct {
	i  int32
	ev Evidence
}

func (s *scratch) reset() {
	s.stamp++
	if s.stamp == 0 { // wrapped: clear
		clear(s.seen)
		s.stamp = 1
	}
	s.found = s.found[:0]
	s.scored = s.scored[:0]
}

func (s *scratch) add(ids []int32) {
	for _, i := range ids {
		if s.seen[i] != s.stamp {
			s.seen[i] = s.stamp
			s.found = append(s.found, i)
		}
	}
}

// gather collects the candidates of q from its blocks.
func (m *Matcher) gather(q *query, s *scratch) {
	ix := m.ix
	loose := func(k uint64) {
		if b := ix.block(k); len(b) <= maxBlock {
			s.add(b)
		}
	}
	if q.hasBody {
		if k, ok := bodyKey(string(q.body[:])); ok {
			s.add(ix.block(k))
		}
	}
	dates := [2]uint64{}
	if !q.birth.IsZero() {
		s.add(ix.block(blockKey(tagDate, dateBits(q.birth))))
		dates[0] = dateBits(q.birth)
		other := q.alt
		if other.IsZero() && q.birth.Day() <= 12 && q.birth.Day() != int(q.birth.Month()) {
			if d, ok := valid(q.birth.Year(), q.birth.Day(), int(q.birth.Month())); ok {
				other = d
			}
		}
		if !other.IsZero() {
			s.add(ix.block(blockKey(tagDate, dateBits(other))))
		}
		if q.hasName() {
			loose(symKey(q.snd, q.birth))
			loose(sydKey(q.snd, q.birth))
		}
	}
	if q.hasName() {
		loose(blockKey(tagName, q.sound))
	}
	if q.mother >= 0 {
		s.add(ix.block(blockKey(tagMother, uint64(q.mother))))
	}
	if q.father >= 0 {
		s.add(ix.block(blockKey(tagFather, uint64(q.father))))
	}
	if q.child >= 0 {
		ch := &ix.cands[q.child]
		if p := ch.mother; p >= 0 && q.role == RoleMother {
			s.add([]int32{p})
		}
		if p := ch.father; p >= 0 && q.role == RoleFather {
			s.add([]int32{p})
		}
	}
}

// matchQuery scores q's candidates and decides the outcome.
// The index of the best candidate comes with it (-1 for none).
func (m *Matcher) matchQuery(q *query, s *scratch) (Result, int32) {
	s.reset()
	res := Result{Role: q.role, Outcome: Unmatched, Reason: ReasonNoCandidates}
	// A valid number in the registry settles it, unless the name is
	// another's: then every candidate is shown.
	if q.number[0] != 0 {
		if k, ok := bodyKey(string(q.body[:])); ok {
			for _, i := range m.ix.block(k) {
				if m.ix.cands[i].idnum != q.number || i == q.exclude {
					continue
				}
				ev := m.ix.compare(q, i)
				if ev.Name == LevelDiffer {
					break
				}
				res.Outcome, res.Reason, res.Score = Matched, ReasonIDExact, 1
				res.Person, res.IDNumber = m.ix.key(i), m.ix.idNumber(i)
				res.Candidates = []Scored{{Person: res.Person, IDNumber: res.IDNumber, Score: 1, Evidence: ev}}
				return res, i
			}
		}
	}
	m.gather(q, s)
	if len(s.found) == 0 {
		return res, -1
	}
	best := -1
	for _, i := range s.found {
		if i == q.exclude {
			continue
		}
		ev := m.ix.compare(q, i)
		s.scored = append(s.scored, scoredTmp{i, ev})
		if best < 0 || ev.Weight > s.scored[best].ev.Weight {
			best = len(s.scored) - 1
		}
	}
	if best < 0 {
		return res, -1
	}
	// Posterior of each candidate against every other and nobody.
	wb := s.scored[best].ev.Weight
	top := max(wb, m.w0)
	sum := math.Exp2(m.w0 - top)
	for _, c := range s.scored {
		sum += math.Exp2(c.ev.Weight - top)
	}
	// The best few first; the rest need no order.
	better := func(a, b scoredTmp) bool { return a.ev.Weight > b.ev.Weight || a.ev.Weight == b.ev.Weight && a.i < b.i }
	for k := range min(MaxCandidates, len(s.scored)) {
		bi := k
		for j := k + 1; j < len(s.scored); j++ {
			if better(s.scored[j], s.scored[bi]) {
				bi = j
			}
		}
		s.scored[k], s.scored[bi] = s.scored[bi], s.scored[k]
	}
	for k := range min(MaxCandidates, len(s.scored)) {
		c := s.scored[k]
		res.Candidates = append(res.Candidates, Scored{Person: m.ix.key(c.i), IDNumber: m.ix.idNumber(c.i),
			Score: math.Exp2(c.ev.Weight-top) / sum, Evidence: c.ev})
	}
	b := res.Candidates[0]
	res.Score = b.Score
	res.Person, res.IDNumber = b.Person, b.IDNumber
	res.Reason = ReasonScored
	switch {
	case b.Evidence.ID == LevelExact && b.Evidence.Name == LevelDiffer:
		res.Outcome, res.Reason = Review, ReasonIDConflict
	case b.Evidence.ID == LevelExact:
		res.Outcome, res.Reason = Matched, ReasonIDExact
	case res.Score >= m.p.Match && q.parentNamed && b.Evidence.Parent != LevelAgree:
		// A child the row gives parents for, but no parent confirms: a
		// namesake born the same day is likelier than it seems.
		res.Outcome = Review
	case res.Score >= m.p.Match:
		res.Outcome = Matched
	case res.Score >= m.p.Review:
		res.Outcome = Review
	default:
		res.Outcome = Unmatched
		res.Person, res.IDNumber = registry.Key{}, ""
	}
	return res, s.scored[0].i
}

// Match links each role of row to a registry person. Results come in
// the order of the kind's roles; a role the row does not name (the father
// of a birth without one) has no result, unless the kind requires it,
// when it is unmatched with ReasonNoIdentity. A child is matched after
// its parents, so that a matched mother's children are candidates.
func (m *Matcher) Match(row *Row) []Result {
	s := m.scratch.Get().(*scratch)
	defer m.scratch.Put(s)
	return m.match(row, s)
}

func (m *Matcher) match(row *Row, s *scratch) []Result {
	results := make([]*Result, len(row.Subjects))
	best := make([]int32, len(row.Subjects))
	matched := func(role Role) int32 {
		for i := range row.Subjects {
			if row.Subjects[i].Role == role && results[i] != nil && results[i].Outcome == Matched {
				return best[i]
			}
		}
		return -1
	}
	ages := ageRanges[row.Kind]
	run := func(i int, child int32) {
		sub := &row.Subjects[i]
		q := m.ix.prepare(sub)
		q.event = row.Event.Date.Date
		q.ages, q.hasAges = ages[sub.Role]
		if sub.Role == RoleChild {
			q.mother, q.father = matched(RoleMother), matched(RoleFather)
			for _, r := range []Role{RoleMother, RoleFather} {
				if p := row.Subject(r); p != nil && p.Present {
					q.parentNamed = true
				}
			}
			if p := row.Subject(RoleMother); p != nil && p.ID.Number != "" {
				copy(q.motherID[:], p.ID.Number)
			} else if p != nil && p.NameKey != "" && q.mother < 0 {
				q.motherName = m.ix.prepare(p)
			}
			if p := row.Subject(RoleFather); p != nil && p.ID.Number != "" {
				copy(q.fatherID[:], p.ID.Number)
			}
		}
		q.child = child
		if !sub.Present || sub.NameKey == "" && !q.hasBody && q.birth.IsZero() && q.mother < 0 && q.father < 0 && child < 0 {
			results[i] = &Result{Row: row.Row, Role: sub.Role, Outcome: Unmatched, Reason: ReasonNoIdentity}
			best[i] = -1
			return
		}
		for k := range row.Subjects { // one person plays one role in a row
			if k != i && results[k] != nil && results[k].Outcome == Matched {
				q.exclude = best[k]
			}
		}
		r, bi := m.matchQuery(q, s)
		r.Row = row.Row
		results[i], best[i] = &r, bi
	}
	// The adults first, then a child (through its matched parents), then
	// again the parents not yet matched (through the matched child).
	for i := range row.Subjects {
		if row.Subjects[i].Role != RoleChild {
			run(i, -1)
		}
	}
	for i := range row.Subjects {
		if row.Subjects[i].Role == RoleChild {
			run(i, -1)
			if results[i].Outcome != Matched {
				continue
			}
			for k := range row.Subjects {
				if r := results[k]; r != nil && (r.Role == RoleMother || r.Role == RoleFather) && r.Outcome != Matched && row.Subjects[k].Present {
					run(k, best[i])
				}
			}
		}
	}
	out := make([]Result, 0, len(row.Subjects))
	for i, r := range results {
		sub := &row.Subjects[i]
		if r == nil || !sub.Present && (sub.Role == RoleFather || sub.Role == RoleMother && row.Kind == Vaccination) {
			continue
		}
		out = append(out, *r)
	}
	return out
}

// MatchRows matches every row, in parallel, and returns the results in
// row order (and role order within a row).
func (m *Matcher) MatchRows(ctx context.Context, rows []Row) ([]Result, error) {
	workers := m.p.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	per := make([][]Result, len(rows))
	const chunk = 256
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := m.scratch.Get().(*scratch)
			defer m.scratch.Put(s)
			for start := range next {
				for i := start; i < min(start+chunk, len(rows)); i++ {
					per[i] = m.match(&rows[i], s)
				}
			}
		}()
	}
	var err error
feed:
	for start := 0; start < len(rows); start += chunk {
		select {
		case next <- start:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	n := 0
	for _, rs := range per {
		n += len(rs)
	}
	out := make([]Result, 0, n)
	for _, rs := range per {
		out = append(out, rs...)
	}
	return out, nil
}
