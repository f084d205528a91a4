package app

import (
	"context"
	"sync"

	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/store"
)

// rulebook holds the compiled rules in force: one evaluator per language
// over the embedded rules and the stored layers. It is rebuilt when the
// stored layers change (their stamp, read cheaply in each transaction that
// needs rules, differs), so several servers over one database agree.
type rulebook struct {
	mu    sync.Mutex
	stamp string
	ev    map[string]*policy.Evaluator // by explanation language
}

func newRulebook() *rulebook { return &rulebook{ev: map[string]*policy.Evaluator{}} }

// evaluator returns the evaluator of the rules in force as tx sees them,
// explaining in lang ("zh" or "en").
func (a *App) evaluator(ctx context.Context, tx *store.Tx, lang string) (*policy.Evaluator, error) {
	if lang != "en" {
		lang = "zh"
	}
	stamp, err := tx.PolicyStamp(ctx)
	if err != nil {
		return nil, err
	}
	rb := a.rules
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if rb.stamp != stamp {
		rb.stamp, rb.ev = stamp, map[string]*policy.Evaluator{}
	}
	if ev, ok := rb.ev[lang]; ok {
		return ev, nil
	}
	layers, err := tx.PolicyRules(ctx)
	if err != nil {
		return nil, err
	}
	ev, err := policy.NewEvaluator(policy.Options{Layers: layers, Explain: true, Lang: lang})
	if err != nil {
		return nil, err
	}
	rb.ev[lang] = ev
	return ev, nil
}
