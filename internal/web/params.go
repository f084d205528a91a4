package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
)

// The parameters of paths and queries that both doors read the same way.
// A door reads the keys of persons and cases by its own rule (the API
// answers a malformed key 400, a page 404).

// ParseRegion validates a division code from the request (field names
// the parameter) and returns it in canonical form.
func ParseRegion(field, s string) (region.Code, error) {
	c, err := region.ParseCode(s)
	if err != nil {
		e := err.(*region.Error)
		return "", &apperr.Error{Kind: apperr.Invalid, Field: field, ZH: e.ZH, EN: e.EN, Err: err}
	}
	return c, nil
}

// County reads the six-digit county code of the path or, for lists, of
// ?county= (default: the county of the actor's scope in tree).
func County(r *http.Request, tree *region.Tree) (string, error) {
	s := r.PathValue("county")
	if s == "" {
		s = r.URL.Query().Get("county")
	}
	if s == "" {
		s = string(tree.County(Actor(r).Scope))
	}
	c, err := region.ParseCode(s)
	if err != nil || c.Level() != region.County {
		return "", apperr.Invalidf("county", "应为 6 位县级区划代码", "must be a six-digit county code")
	}
	return string(c), nil
}

// CountyKey reads the county (as County) and the {id} of a path.
func CountyKey(r *http.Request, tree *region.Tree) (string, int64, error) {
	county, err := County(r, tree)
	if err != nil {
		return "", 0, err
	}
	id, err := PathID(r, "id")
	return county, id, err
}

// UserRef parses the {id} of a user path.
func UserRef(r *http.Request) (app.UserRef, error) {
	id, err := PathID(r, "id")
	return app.UserRef{ID: id}, err
}

// AuditQuery reads the chain (?county=) and the filters of an audit
// listing: entity, entity_id, user (a username or an id) and user_id.
func AuditQuery(q url.Values) (app.AuditQuery, error) {
	aq := app.AuditQuery{County: q.Get("county"), Entity: q.Get("entity"), EntityID: q.Get("entity_id"), User: q.Get("user")}
	if s := q.Get("user_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return aq, apperr.Invalidf("user_id", "须为非负整数", "must be a non-negative integer")
		}
		aq.UserID = n
	}
	return aq, nil
}

// BatchFilter reads ?status= and ?cycle= of a list of batches.
func BatchFilter(r *http.Request) (payment.BatchFilter, error) {
	q := r.URL.Query()
	f := payment.BatchFilter{Status: q.Get("status")}
	if s := q.Get("cycle"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return f, apperr.Invalidf("cycle", "周期编号无效", "invalid cycle id")
		}
		f.CycleID = id
	}
	return f, nil
}
