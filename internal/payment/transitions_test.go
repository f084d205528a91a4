package payment

import (
	"context"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// TestLineTransitions lists every move of a line's status, allowed or
// refused.
func TestLineTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{
		{Pending, Batched}: true, // GenerateBatches
		{Pending, Held}:    true, // a death recorded or suspected
		{Held, Pending}:    true, // VerifyHeld: released
		{Held, Cancelled}:  true, // VerifyHeld: not due
		{Batched, Paid}:    true, // Reconcile
		{Batched, Failed}:  true,
		{Batched, Missing}: true,
		{Batched, Held}:    true, // pulled out of a draft batch
		{Batched, Pending}: true, // Recall: its released batch taken back
		{Failed, Batched}:  true, // GenerateRetryBatches
		{Failed, Held}:     true,
		{Missing, Paid}:    true, // a later return file
		{Missing, Failed}:  true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := allowed[[2]Status{from, to}]
			if got := from.CanBecome(to); got != want {
				t.Errorf("%s → %s: allowed %v, want %v", from, to, got, want)
			}
			err := checkMove(&Line{ID: 7, Status: from}, to)
			if (err == nil) != want || (err != nil && apperr.KindOf(err) != apperr.Conflict) {
				t.Errorf("checkMove %s → %s: %v", from, to, err)
			}
		}
	}
	for _, final := range []Status{Paid, Cancelled, Recovery} {
		if len(lineMoves[final]) != 0 {
			t.Errorf("%s is final, yet moves to %v", final, lineMoves[final])
		}
	}
	if len(lineMoves) != len(Statuses) {
		t.Errorf("the table has %d statuses, Statuses %d", len(lineMoves), len(Statuses))
	}
}

// TestBatchTransitions lists every move of a batch's status, allowed or
// refused.
func TestBatchTransitions(t *testing.T) {
	tests := []struct {
		from, to string
		ok       bool
	}{
		{Draft, Approved, true},
		{Draft, Reconciled, false}, // an unapproved batch is never sent
		{Draft, Draft, false},
		{Approved, Reconciled, true},
		{Approved, Draft, false},
		{Approved, Approved, false}, // approved once
		{Reconciled, Reconciled, true},
		{Reconciled, Approved, false},
		{Reconciled, Draft, false},
		{Approved, Recalled, true}, // Recall, before the bank confirmed anything
		{Draft, Recalled, false},   // never released: nothing to recall
		{Reconciled, Recalled, false},
		{Recalled, Approved, false}, // final: its lines are batched anew
		{Recalled, Reconciled, false},
		{Recalled, Draft, false},
		{Recalled, Recalled, false},
	}
	for _, tt := range tests {
		if got := BatchCanBecome(tt.from, tt.to); got != tt.ok {
			t.Errorf("%s → %s: allowed %v, want %v", tt.from, tt.to, got, tt.ok)
		}
		s := &moveStore{}
		err := moveBatch(context.Background(), s, &Batch{ID: 3, Status: tt.to}, tt.from)
		if (err == nil) != tt.ok || s.wrote != tt.ok {
			t.Errorf("moveBatch %s → %s: err %v, written %v", tt.from, tt.to, err, s.wrote)
		}
	}
}

// TestBatchStatusesInTable checks that the table names every batch status.
func TestBatchStatusesInTable(t *testing.T) {
	if len(batchMoves) != len(BatchStatuses) {
		t.Errorf("the table has %d statuses, BatchStatuses %d", len(batchMoves), len(BatchStatuses))
	}
	for _, st := range BatchStatuses {
		if _, ok := batchMoves[st]; !ok {
			t.Errorf("batch status %s is not in the table", st)
		}
	}
}

// TestMoveLines checks that lines move only from the statuses the table
// allows, and that a line another run moved meanwhile refuses the change.
func TestMoveLines(t *testing.T) {
	tests := []struct {
		to      Status
		from    []Status // what moveLines asks the store to move from
		changed int      // lines the store finds in those statuses
		ok      bool
	}{
		{Batched, []Status{Pending, Failed}, 2, true},
		{Held, []Status{Pending, Batched, Failed}, 2, true},
		{Pending, []Status{Held, Batched}, 2, true},
		{Paid, []Status{Batched, Missing}, 2, true},
		{Cancelled, []Status{Held}, 2, true},
		{Pending, []Status{Held, Batched}, 1, false}, // one line moved meanwhile
		{Recovery, nil, 0, false},                    // nothing becomes a recovery
	}
	for _, tt := range tests {
		s := &moveStore{changed: tt.changed}
		err := moveLines(context.Background(), s, "341523", []int64{1, 2}, LineUpdate{Status: tt.to})
		if (err == nil) != tt.ok {
			t.Errorf("to %s: %v", tt.to, err)
		}
		if len(s.from) != len(tt.from) {
			t.Errorf("to %s: from %v, want %v", tt.to, s.from, tt.from)
			continue
		}
		for i := range s.from {
			if s.from[i] != tt.from[i] {
				t.Errorf("to %s: from %v, want %v", tt.to, s.from, tt.from)
			}
		}
	}
}

// moveStore records the status writes of moveLines and moveBatch.
type moveStore struct {
	Store
	from    []Status
	changed int
	wrote   bool
}

func (s *moveStore) UpdatePaymentLines(_ context.Context, _ string, _ []int64, from []Status, _ LineUpdate) (int, error) {
	s.from = from
	return s.changed, nil
}

func (s *moveStore) UpdatePaymentBatch(context.Context, *Batch, string) error {
	s.wrote = true
	return nil
}
