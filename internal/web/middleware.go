package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// requestInfo carries what the outermost middleware (Observe) logs but
// learns only further in: the signed-in user.
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

// Observe wraps the whole server: it bounds every request body
// (MaxRequestBody), sets the security headers every answer carries, logs
// every request to log (route pattern and path, never the query, which
// may hold ID numbers, and the signed-in user, which the doors record
// with WithActor) and records its metrics.
func Observe(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r.Body = http.MaxBytesReader(w, r.Body, int64(MaxRequestBody))
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
		m.observe(r.Method, pattern, sw.status, d)
		log.LogAttrs(r.Context(), levelFor(sw.status), "request",
			slog.String("method", r.Method), slog.String("route", pattern), slog.String("path", RedactIDs(r.URL.Path)),
			slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes), slog.Duration("dur", d), slog.Int64("user", info.userID))
	})
}
