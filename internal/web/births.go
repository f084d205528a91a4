package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/printout"
)

// SiteURL is the address of the site the request came to (scheme and
// host), which printed papers put before the paths their QR codes open:
// https when the request came over TLS, or the server is told it sits
// behind a TLS-terminating proxy (Config.SecureCookies).
func SiteURL(r *http.Request, cfg Config) string {
	scheme := "http"
	if r.TLS != nil || cfg.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ServeBirthSlip sends the slip of a birth registration as a PDF named by
// its number, its QR code opening the site's public verification page.
func ServeBirthSlip(w http.ResponseWriter, r *http.Request, cfg Config, s *birth.Slip) error {
	name := "生育登记服务单-" + s.Registration.Serial + ".pdf"
	return ServePDF(w, name, "birth-slip-"+s.Registration.Serial+".pdf", func(out io.Writer) error {
		return printout.BirthSlip(out, s, SiteURL(r, cfg))
	})
}

// QueryInt reads the optional integer ?name= between lo and hi (0 when
// absent).
func QueryInt(q url.Values, name string, lo, hi int) (int, error) {
	s := strings.TrimSpace(q.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, apperr.Invalidf(name, "应为%d–%d之间的整数", "must be a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

// InvalidQuery is the error of a query parameter that does not parse.
func InvalidQuery(name, zh, en string) error {
	return &apperr.Error{Kind: apperr.Invalid, Field: name, ZH: zh, EN: en}
}
