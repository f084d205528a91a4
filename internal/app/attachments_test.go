package app_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestCaseFiles: the village specialist keeps a scanned PDF with a case
// and the township a photo with the applicant; both are listed with who
// added them, and the case file lists them with the case's steps. A file
// that is neither a picture nor a PDF, an empty one and one over 10 MB
// are refused; the supervisor cannot add files, another county cannot
// see the case. The county sets its retention, and a file added after
// is kept for that many years; the city cannot set it. A file changed on
// disk is refused rather than served.
func TestCaseFiles(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			e := newPayEnv(t, db)
			dir := t.TempDir()
			cfg := app.DefaultConfig()
			cfg.Files = dir
			e.a = app.New(db, cfg, nil)
			e.a.SetClock(e.clock.now)
			ctx := e.ctx
			e.clock.set("2024-03-01")
			w := e.family("王秀英", "1960-03-01", 1)
			c, err := e.a.Apply(ctx, villager, workflow.NewApplication{County: w.County, PersonID: w.ID, Program: "jf", Year: 2024,
				Application: workflow.Application{Declared: workflow.Declared{HukouType: "rural", Marriage: "1983年初婚", Births: "1985年生育一子",
					Adoptions: "无", SurvivingChildren: 1}, Attachments: []string{"结婚证"}, Pledge: true}})
			if err != nil {
				t.Fatal(err)
			}
			k := app.CaseKey{County: c.County, ID: c.ID}
			scan := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 5000)...)
			bad := []struct {
				name string
				f    attach.File
			}{
				{"a program", attach.File{Name: "a.pdf", Kind: attach.KindScan, Data: []byte("MZ\x90\x00 not a scan")}},
				{"nothing", attach.File{Name: "a.pdf", Kind: attach.KindScan}},
				{"too large", attach.File{Name: "a.pdf", Kind: attach.KindScan, Data: append([]byte("%PDF-"), make([]byte, attach.MaxSize)...)}},
			}
			for _, b := range bad {
				if _, err := e.a.AddCaseAttachment(ctx, villager, k, b.f); fieldsOf(err) != "file" {
					t.Errorf("%s: %v (fields %q)", b.name, err, fieldsOf(err))
				}
			}
			if _, err := e.a.AddCaseAttachment(ctx, supervisor, k, attach.File{Name: "a.pdf", Kind: attach.KindScan, Data: scan}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the supervisor adds a file: %v", err)
			}
			if _, err := e.a.CaseAttachments(ctx, otherCounty, k); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("another county lists the files: %v", err)
			}
			x, err := e.a.AddCaseAttachment(ctx, villager, k, attach.File{Name: "结婚证.pdf", Kind: attach.KindScan, Data: scan})
			if err != nil || x.ContentType != "application/pdf" || x.KeepUntil != date.MustParse("2054-03-01") || x.Storage != "disk" {
				t.Fatalf("the scan: %+v, %v", x, err)
			}

			if err := e.a.SetAttachmentRetention(ctx, cityOfficer, "341523", 10); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the city sets the county's retention: %v", err)
			}
			if err := e.a.SetAttachmentRetention(ctx, county, "341523", 0); fieldsOf(err) != "value" {
				t.Errorf("a retention of 0 years: %v", err)
			}
			if err := e.a.SetAttachmentRetention(ctx, county, "341523", 10); err != nil {
				t.Fatal(err)
			}
			if n, err := e.a.AttachmentRetention(ctx, supervisor, "341523"); err != nil || n != 10 {
				t.Errorf("the retention read: %d, %v", n, err)
			}
			p, err := e.a.AddPersonAttachment(ctx, township, registry.Key{County: w.County, ID: w.ID},
				attach.File{Name: "IMG_0001.jpg", Kind: attach.KindPhoto, Data: photo})
			if err != nil || p.KeepUntil != date.MustParse("2034-03-01") || p.AddedByName != township.Name {
				t.Fatalf("the photo: %+v, %v", p, err)
			}
			files, err := e.a.CaseAttachments(ctx, township, k)
			if err != nil || len(files) != 1 || files[0].Name != "结婚证.pdf" || files[0].AddedByName != villager.Name {
				t.Errorf("the case's files: %+v, %v", files, err)
			}
			cf, err := e.a.CaseFileIndex(ctx, county, k)
			if err != nil || len(cf.Files) != 2 || len(cf.History.Steps) == 0 {
				t.Fatalf("the case file: %+v, %v", cf, err)
			}

			// A file changed on disk is refused.
			path := filepath.Join(dir, "341523", "")
			ents, _ := os.ReadDir(path)
			for _, en := range ents {
				os.WriteFile(filepath.Join(path, en.Name()), []byte("%PDF-changed"), 0o600)
			}
			if _, err := e.a.Attachment(ctx, villager, "341523", x.ID); err == nil {
				t.Error("a file changed on disk was served")
			}
		})
	}
}
