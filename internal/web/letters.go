package web

import (
	"io"
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/printout"
	"github.com/jiahe-project/jiahe/internal/region"
)

// ServeSelfLetter sends a citizen's own notification letter of a cycle
// as a PDF, the letter named by the path's {county}, {id} and {person}:
// the portal's page and its API route serve it alike.
func ServeSelfLetter(w http.ResponseWriter, r *http.Request, a *app.App, tree *region.Tree) error {
	county, id, err := CountyKey(r, tree)
	if err != nil {
		return err
	}
	person, err := PathID(r, "person")
	if err != nil {
		return err
	}
	l, err := a.SelfLetter(r.Context(), Actor(r), county, id, person)
	if err != nil {
		return err
	}
	return ServePDF(w, "告知书.pdf", "letter.pdf", func(out io.Writer) error { return printout.Letter(out, *l) })
}
