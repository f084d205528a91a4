package ui

import (
	"net/http"
	"sort"
	"strconv"
)

// pager is the paging bar of a list.
type pager struct {
	Total, Page, Pages, From, To int
	// More says the count stopped at Total: there are more rows.
	More bool
	// Past says the page asked for lies past the last (an old link to a
	// list that has since shrunk): it has no rows, and Prev leads to the
	// last page.
	Past       bool
	Prev, Next string
	Links      []pageLink
}

type pageLink struct {
	N       int
	Href    string
	Current bool
}

// pageSize is the number of rows in a list page.
const pageSize = 20

// pageOf reads ?page= (1-based) and returns the page and its offset.
func pageOf(r *http.Request) (page, offset int) {
	page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	page = min(page, 1_000_000)
	return page, (page - 1) * pageSize
}

// newPager builds the paging bar for total rows, linking to the current
// URL with another page number.
func newPager(r *http.Request, total, page int) pager {
	p := pager{Total: total, Page: page, Pages: (total + pageSize - 1) / pageSize}
	if total > 0 {
		p.From = (page-1)*pageSize + 1
		p.To = min(page*pageSize, total)
	}
	p.Past = total > 0 && page > p.Pages
	link := func(n int) string {
		q := r.URL.Query()
		q.Del("done")
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(min(page-1, max(p.Pages, 1)))
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	var ns []int
	for _, n := range []int{1, page - 2, page - 1, page, page + 1, page + 2, p.Pages} {
		if n >= 1 && n <= p.Pages && !contains(ns, n) {
			ns = append(ns, n)
		}
	}
	sort.Ints(ns)
	for _, n := range ns {
		p.Links = append(p.Links, pageLink{N: n, Href: link(n), Current: n == page})
	}
	return p
}

// shown records that the page shows n rows. A page with rows is not past
// the last, and its last row is From + n - 1: past a count that stopped
// short (More), the count is not where the page ends.
func (p *pager) shown(n int) {
	p.Past = p.Past && n == 0
	if n > 0 {
		p.To = p.From + n - 1
	}
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
