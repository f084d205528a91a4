package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/printout"
)

// ServeCaseFile writes the index of case k's file (案卷目录) as PDF: the
// signed steps and the files kept with the case and its applicant.
func ServeCaseFile(a *app.App, w http.ResponseWriter, r *http.Request, k app.CaseKey) error {
	f, err := a.CaseFileIndex(r.Context(), Actor(r), k)
	if err != nil {
		return err
	}
	ref := k.County + "-" + strconv.FormatInt(k.ID, 10)
	c := f.History.Case
	program := policy.ProgramName(c.Program)
	if program == "" {
		program = c.Program
	}
	doc := &printout.CaseFile{Title: program + "案卷目录", CaseRef: ref, Program: program, Applicant: f.History.Applicant.Name,
		Place: f.History.Applicant.Place}
	for _, s := range f.History.Steps {
		sg := s.Signature
		doc.Steps = append(doc.Steps, printout.CaseFileStep{Step: s.Step.Chinese(), Signer: sg.Name + "（" + sg.Role.Chinese() + "）",
			At: sg.At.In(date.Beijing).Format("2006-01-02 15:04")})
	}
	for _, x := range f.Files {
		owner := "案件"
		if x.Owner == attach.OwnerPerson {
			owner = "申请人"
		}
		doc.Files = append(doc.Files, printout.CaseFileItem{Kind: attach.Kinds.Chinese(x.Kind), Name: x.Name, Owner: owner,
			AddedBy: x.AddedByName, At: x.AddedAt.In(date.Beijing).Format("2006-01-02"), Size: x.Size, Digest: x.SHA256, KeepUntil: x.KeepUntil.String()})
	}
	return ServePDF(w, "案卷目录-"+ref+".pdf", "casefile-"+ref+".pdf", func(w io.Writer) error {
		return printout.CaseFiles(w, []*printout.CaseFile{doc})
	})
}

// AttachmentFile reads the file and the kind of an upload: the part
// "file" (its name as the browser gave it) and the field "kind" (default
// a scan).
func AttachmentFile(up *Upload) attach.File {
	kind := strings.TrimSpace(up.Fields.Get("kind"))
	if kind == "" {
		kind = attach.KindScan
	}
	return attach.File{Name: up.Name, Kind: kind, Data: up.File}
}
