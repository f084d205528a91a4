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

// ListSort is the order a list was asked for.
type ListSort struct {
	Key  string
	Desc bool
}

// Order returns the order as ?order= spells it.
func (s ListSort) Order() string {
	if s.Desc {
		return "desc"
	}
	return "asc"
}

// SortOf reads ?sort= and ?order= for a list sorted by keys, the first of
// which is the default.
func SortOf(q url.Values, keys []string) (ListSort, error) {
	s := ListSort{Key: q.Get("sort")}
	if s.Key == "" {
		s.Key = keys[0]
	} else if err := apperr.OneOf("sort", s.Key, keys); err != nil {
		return ListSort{Key: keys[0]}, err
	}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		s.Desc = true
	default:
		return ListSort{Key: keys[0]}, apperr.Invalidf("order", "order 应为 asc 或 desc", "order must be asc or desc")
	}
	return s, nil
}

// LimitOffset reads ?limit= (1 to most; def when absent) and ?offset= (0
// or more) of an API list.
func LimitOffset(q url.Values, def, most int) (limit, offset int, err error) {
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
