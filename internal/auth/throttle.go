package auth

import (
	"sync"
	"time"
)

// Throttle slows down password guessing. It counts failed sign-ins per key
// (the web layer uses one key per username and one per client address).
// The first FreeFailures failures cost nothing; each further one doubles a
// lock that starts at one second, up to MaxLock. A success clears the key.
//
// The counts live in memory, in one process: they are lost on restart and
// not shared between several servers behind a load balancer, where each
// server throttles on its own.
type Throttle struct {
	FreeFailures int
	MaxLock      time.Duration
	Forget       time.Duration // a key with no failure for this long is forgotten

	mu   sync.Mutex
	keys map[string]*throttleState
}

type throttleState struct {
	failures int
	until    time.Time // locked until
	last     time.Time // last failure
}

// NewThrottle returns a Throttle with five free failures and a 15-minute
// maximum lock.
func NewThrottle() *Throttle {
	return &Throttle{FreeFailures: 5, MaxLock: 15 * time.Minute, Forget: time.Hour, keys: map[string]*throttleState{}}
}

// Wait returns how long key must wait at now before another attempt; zero
// means go ahead.
func (t *Throttle) Wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.keys[key]
	if !ok || !now.Before(s.until) {
		return 0
	}
	return s.until.Sub(now)
}

// Fail records a failed attempt for key at now and returns the lock it
// now carries.
func (t *Throttle) Fail(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.keys) > 10000 {
		t.prune(now)
	}
	s, ok := t.keys[key]
	if !ok || now.Sub(s.last) > t.Forget {
		s = &throttleState{}
		t.keys[key] = s
	}
	s.failures++
	s.last = now
	over := s.failures - t.FreeFailures
	if over <= 0 {
		return 0
	}
	lock := t.MaxLock
	if over <= 30 {
		lock = min(time.Second<<(over-1), t.MaxLock)
	}
	s.until = now.Add(lock)
	return lock
}

// Succeed clears key.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

func (t *Throttle) prune(now time.Time) {
	for k, s := range t.keys {
		if now.Sub(s.last) > t.Forget && !now.Before(s.until) {
			delete(t.keys, k)
		}
	}
}
