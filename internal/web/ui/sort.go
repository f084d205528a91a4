package ui

import (
	"net/url"

	"github.com/jiahe-project/jiahe/internal/web"
)

// The sortable headers of the pages' lists; the order itself is read by
// web.SortOf, as for the API.

// sortHeader is a sortable column header: a link that sorts the list by
// the column, keeping the filters and going back to the first page.
type sortHeader struct {
	Href string
	// State is the header's aria-sort ("ascending", "descending"), or ""
	// for the columns the list is not sorted by.
	State string
	Arrow string
	// Desc is the order the link asks for: a click on the sorted column
	// reverses it, any other column starts ascending.
	Desc bool
}

// sortHeaders returns the headers of the list at path with the query q
// (its filters), by key.
func sortHeaders(path string, query url.Values, keys []string, cur web.ListSort) map[string]sortHeader {
	out := make(map[string]sortHeader, len(keys))
	for _, k := range keys {
		h := sortHeader{Arrow: "↕"}
		if k == cur.Key {
			h.State, h.Arrow, h.Desc = "ascending", "▲", true
			if cur.Desc {
				h.State, h.Arrow, h.Desc = "descending", "▼", false
			}
		}
		q := url.Values{}
		for k, vs := range query {
			q[k] = append([]string(nil), vs...)
		}
		q.Del("page")
		q.Del("done")
		q.Del("lang")
		q.Set("sort", k)
		if h.Desc {
			q.Set("order", "desc")
		} else {
			q.Del("order")
		}
		h.Href = path + "?" + q.Encode()
		out[k] = h
	}
	return out
}

// sortFields returns the hidden fields a filter form carries so that a new
// search keeps the order chosen (a default order needs none).
func sortFields(s web.ListSort, keys []string) map[string]string {
	m := map[string]string{}
	if s.Key != keys[0] {
		m["sort"] = s.Key
	}
	if s.Desc {
		m["order"] = "desc"
	}
	return m
}
