package web

import (
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// Sorting of lists, for the pages and the API alike: ?sort= names a key
// of the list (the domain package's list of keys; the store turns it into
// SQL through a whitelist of its own) and ?order= is asc or desc. A key
// the list does not have is refused with the field named, never ignored.

// listSort is the order a list was asked for.
type listSort struct {
	Key  string
	Desc bool
}

// name returns the order as ?order= spells it.
func (s listSort) name() string {
	if s.Desc {
		return "desc"
	}
	return "asc"
}

// sortOf reads ?sort= and ?order= for a list sorted by keys, the first of
// which is the default.
func sortOf(q url.Values, keys []string) (listSort, error) {
	s := listSort{Key: q.Get("sort")}
	if s.Key == "" {
		s.Key = keys[0]
	} else if err := apperr.OneOf("sort", s.Key, keys); err != nil {
		return listSort{Key: keys[0]}, err
	}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		s.Desc = true
	default:
		return listSort{Key: keys[0]}, apperr.Invalidf("order", "order 应为 asc 或 desc", "order must be asc or desc")
	}
	return s, nil
}

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
func sortHeaders(path string, query url.Values, keys []string, cur listSort) map[string]sortHeader {
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
func sortFields(s listSort, keys []string) map[string]string {
	m := map[string]string{}
	if s.Key != keys[0] {
		m["sort"] = s.Key
	}
	if s.Desc {
		m["order"] = "desc"
	}
	return m
}

// limitOffset reads ?limit= (1 to most; def when absent) and ?offset= (0
// or more) of an API list.
func limitOffset(q url.Values, def, most int) (limit, offset int, err error) {
	limit = def
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > most {
			return 0, 0, apperr.Invalidf("limit", "limit 应为 1 至 %d 的整数", "limit must be an integer from 1 to %d", most)
		}
		limit = n
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 1<<30 {
			return 0, 0, apperr.Invalidf("offset", "offset 应为非负整数", "offset must be a non-negative integer")
		}
		offset = n
	}
	return limit, offset, nil
}
