package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"

	"github.com/jiahe-project/jiahe/internal/auth"
)

// requestInfo carries what the outermost middleware logs but learns only
// further in: the signed-in user.
type requestInfo struct{ userID int64 }

type infoKey struct{}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs every request (route pattern and path, never the query,
// which may hold ID numbers) and records its metrics.
func (h *Handler) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r.Body = http.MaxBytesReader(w, r.Body, int64(maxRequestBody))
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		sw := &statusWriter{ResponseWriter: w}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		h.metrics.observe(r.Method, pattern, sw.status, d)
		h.log.LogAttrs(r.Context(), levelFor(sw.status), "request",
			slog.String("method", r.Method), slog.String("route", pattern), slog.String("path", redactIDs(r.URL.Path)),
			slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes), slog.Duration("dur", d), slog.Int64("user", info.userID))
	})
}

// adapt turns a route's error-returning function into an http.Handler:
// for signed-in routes it resolves the session into an actor first; any
// error goes to serveError.
func (h *Handler) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.access == signedIn {
			actor, err := h.authenticate(r)
			if err != nil {
				h.serveError(w, r, err)
				return
			}
			r = r.WithContext(auth.WithActor(r.Context(), actor))
			if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
				info.userID = actor.UserID
			}
		}
		r = r.WithContext(app.WithRequest(r.Context(), app.Request{Door: "api", Method: r.Method, Route: rt.pattern}))
		if err := rt.fn(w, r); err != nil {
			h.serveError(w, r, err)
		}
	})
}

// authenticate returns the actor of the request's session cookie
// (app.Authenticate, which also keeps the session alive).
func (h *Handler) authenticate(r *http.Request) (auth.Actor, error) {
	return h.app.Authenticate(r.Context(), sessionToken(r))
}

// actor returns the request's actor; routes marked signedIn always have one.
func actor(r *http.Request) auth.Actor {
	a, _ := auth.ActorFrom(r.Context())
	return a
}
