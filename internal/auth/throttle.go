package auth

import (
	"sync"
	"time"
)

// Throttle slows down password guessing. It counts failed sign-ins per key
// (the sign-in uses one key per username and one per client address).
// The first FreeFailures failures cost nothing; each further one doubles a
// lock that starts at one second, up to MaxLock. A success clears the key.
//
// An attempt is counted when it starts, before its password is checked
// (Attempt), and settled when the check is done: Fail, Succeed, or Release
// for an attempt that was no guess (the check was never made). Attempts
// under way count against the free failures, so however many arrive at
// once, no more are checked than could fail before the lock: the free
// failures left plus one, and one at a time past them.
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
	pending  int       // attempts started and not settled
	until    time.Time // locked until
	last     time.Time // last failure
}

// NewThrottle returns a Throttle with five free failures and a 15-minute
// maximum lock.
func NewThrottle() *Throttle {
	return &Throttle{FreeFailures: 5, MaxLock: 15 * time.Minute, Forget: time.Hour, keys: map[string]*throttleState{}}
}

// busyWait is the wait of an attempt refused because enough attempts on
// its key are under way.
const busyWait = time.Second

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

// Attempt starts an attempt on every key at now. When a key is locked, or
// has as many attempts under way as may still fail before its lock, it
// returns how long to wait and counts nothing. Otherwise it counts the
// attempt on every key and returns zero; settle it on each key with Fail,
// Succeed or Release.
func (t *Throttle) Attempt(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		s, ok := t.keys[k]
		if !ok {
			continue
		}
		t.forget(s, now)
		switch {
		case now.Before(s.until):
			wait = max(wait, s.until.Sub(now))
		case s.pending >= max(1, t.FreeFailures+1-s.failures):
			wait = max(wait, busyWait)
		}
	}
	if wait > 0 {
		return wait
	}
	for _, k := range keys {
		t.state(k, now).pending++
	}
	return 0
}

// Release settles an attempt on key that was no failed guess: its
// password was never checked.
func (t *Throttle) Release(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.keys[key]
	if !ok {
		return
	}
	if s.pending > 0 {
		s.pending--
	}
	if s.pending == 0 && s.failures == 0 {
		delete(t.keys, key)
	}
}

// Fail records a failed attempt for key at now (settling one started by
// Attempt, if any) and returns the lock it now carries.
func (t *Throttle) Fail(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.keys) > 10000 {
		t.prune(now)
	}
	s := t.state(key, now)
	if s.pending > 0 {
		s.pending--
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

// state returns key's state, forgetting old failures.
func (t *Throttle) state(key string, now time.Time) *throttleState {
	s, ok := t.keys[key]
	if !ok {
		s = &throttleState{}
		t.keys[key] = s
	}
	t.forget(s, now)
	return s
}

// forget clears the failures of a key that had none for t.Forget.
func (t *Throttle) forget(s *throttleState, now time.Time) {
	if s.failures > 0 && now.Sub(s.last) > t.Forget {
		s.failures, s.until = 0, time.Time{}
	}
}

func (t *Throttle) prune(now time.Time) {
	for k, s := range t.keys {
		if s.pending == 0 && now.Sub(s.last) > t.Forget && !now.Before(s.until) {
			delete(t.keys, k)
		}
	}
}
