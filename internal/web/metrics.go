package web

import (
	"database/sql"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics of one server, in a registry of its
// own (no global state, so tests can build many servers). As an
// http.Handler it answers a scrape.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  http.Handler
}

// NewMetrics registers the request metrics, the Go runtime's and the
// database connection pool's, read from stats when scraped.
func NewMetrics(stats func() sql.DBStats) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jiahe_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jiahe_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	stat := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jiahe_db_" + name, Help: help}, f)
	}
	reg.MustRegister(
		m.requests, m.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		stat("open_connections", "Open connections of the writer pool.", func() float64 { return float64(stats().OpenConnections) }),
		stat("in_use_connections", "Connections in use.", func() float64 { return float64(stats().InUse) }),
		stat("idle_connections", "Idle connections.", func() float64 { return float64(stats().Idle) }),
		stat("wait_count", "Connections waited for, in total.", func() float64 { return float64(stats().WaitCount) }),
		stat("wait_seconds", "Time spent waiting for connections, in total.", func() float64 { return stats().WaitDuration.Seconds() }),
	)
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

// ServeHTTP answers a scrape of the metrics.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// levelFor is the log level of a finished request. Server errors are
// logged in detail by the door that served them; the request line only notes them.
func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
