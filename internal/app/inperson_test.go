package app_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/inperson"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// photo is the start of a JPEG file, as a phone's camera writes one.
var photo = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, bytes.Repeat([]byte{0x42}, 2000)...)

// otherCounty is the county approver of the neighbouring county.
var otherCounty = auth.Actor{UserID: 305, Username: "xian2", Name: "邻县审批", Role: auth.RoleCounty, Scope: "341522"}

// TestInPersonReviewHoldsPayment: with the county's review deadline of
// 30 June, a recipient on the roll since last year who has not been seen
// by then is held from the next batch and listed by township; recording
// that they were not seen, with the reason, puts their line back to
// pending for the next batch. A recipient seen with a photo is paid; the
// photo is kept with the person (in the database, or in a directory on
// disk), read back unchanged and audited. Bad entries are refused field
// by field; another county's staff and the finance officer are refused,
// and the refusals audited.
func TestInPersonReviewHoldsPayment(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		for _, files := range []string{"db", "disk"} {
			t.Run(string(engine)+"/"+files, func(t *testing.T) {
				db := storetest.Open(t, engine)
				e := newPayEnv(t, db)
				if files == "disk" {
					cfg := app.DefaultConfig()
					cfg.Files = t.TempDir()
					e.a = app.New(db, cfg, nil)
					e.a.SetClock(e.clock.now)
				}
				ctx := e.ctx
				seen := e.family("王秀英", "1960-03-01", 1)
				unseen := e.family("李桂兰", "1962-07-01", 2)
				for i, p := range []*registry.Record{seen, unseen} {
					e.enrol(p, 2023, "2023-02-01")
					if _, err := e.a.SetAccount(ctx, finance, registry.Key{County: p.County, ID: p.ID},
						payment.AccountInput{Bank: "103", Number: []string{"6228480402564890018", "6228480402564890026"}[i], Holder: p.Name}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := e.a.SetPaymentParams(ctx, county, "341523", map[string]string{"review_deadline": "06-31"}); apperr.KindOf(err) != apperr.Invalid {
					t.Errorf("a deadline of 31 June: %v", err)
				}
				if _, err := e.a.SetPaymentParams(ctx, county, "341523", map[string]string{"review_deadline": "06-30"}); err != nil {
					t.Fatal(err)
				}
				sk, uk := registry.Key{County: "341523", ID: seen.ID}, registry.Key{County: "341523", ID: unseen.ID}

				e.clock.set("2024-05-10")
				bad := []struct {
					name  string
					who   auth.Actor
					entry inperson.Entry
					field string
					kind  apperr.Kind
				}{
					{"no day", villager, inperson.Entry{Year: 2024, Seen: true, Place: "家中", Proof: inperson.ProofSignature}, "seen_on", apperr.Invalid},
					{"a day to come", villager, inperson.Entry{Year: 2024, Seen: true, SeenOn: date.MustParse("2024-06-01"), Place: "家中", Proof: inperson.ProofSignature}, "seen_on", apperr.Invalid},
					{"no place", villager, inperson.Entry{Year: 2024, Seen: true, SeenOn: date.MustParse("2024-05-10"), Proof: inperson.ProofSignature}, "place", apperr.Invalid},
					{"no photo", villager, inperson.Entry{Year: 2024, Seen: true, SeenOn: date.MustParse("2024-05-10"), Place: "家中", Proof: inperson.ProofPhoto}, "file", apperr.Invalid},
					{"a text for a photo", villager, inperson.Entry{Year: 2024, Seen: true, SeenOn: date.MustParse("2024-05-10"), Place: "家中", Proof: inperson.ProofPhoto,
						Photo: &attach.File{Name: "a.jpg", Data: []byte("not a picture at all")}}, "file", apperr.Invalid},
					{"a PDF for a photo", villager, inperson.Entry{Year: 2024, Seen: true, SeenOn: date.MustParse("2024-05-10"), Place: "家中", Proof: inperson.ProofPhoto,
						Photo: &attach.File{Name: "a.pdf", Data: []byte("%PDF-1.4 ...")}}, "file", apperr.Invalid},
					{"no reason", villager, inperson.Entry{Year: 2024}, "reason", apperr.Invalid},
					{"other, unexplained", villager, inperson.Entry{Year: 2024, Reason: inperson.ReasonOther}, "note", apperr.Invalid},
					{"a year long past", villager, inperson.Entry{Year: 2020, Reason: inperson.ReasonHospital}, "year", apperr.Invalid},
					{"the finance officer", finance, inperson.Entry{Year: 2024, Reason: inperson.ReasonHospital}, "", apperr.Forbidden},
					{"another county", otherCounty, inperson.Entry{Year: 2024, Reason: inperson.ReasonHospital}, "", apperr.NotFound},
				}
				for _, b := range bad {
					_, err := e.a.RecordInPerson(ctx, b.who, sk, b.entry)
					if apperr.KindOf(err) != b.kind || b.field != "" && !strings.Contains(fieldsOf(err), b.field) {
						t.Errorf("%s: %v (fields %q), want %s on %q", b.name, err, fieldsOf(err), b.kind, b.field)
					}
				}
				if n := deniedCount(t, e.a.DB(), "341522", otherCounty.UserID); n != 1 {
					t.Errorf("%d refusals of the other county audited, want 1", n)
				}

				rec, err := e.a.RecordInPerson(ctx, villager, sk, inperson.Entry{Year: 2024, Seen: true, SeenOn: date.MustParse("2024-05-10"),
					Place: "仁和村村委会", Proof: inperson.ProofPhoto, Photo: &attach.File{Name: "IMG_0001.jpg", Data: photo}})
				if err != nil {
					t.Fatal(err)
				}
				if rec.Review.Status != inperson.Seen || rec.Review.AttachmentID == 0 || rec.Review.Version != 1 {
					t.Fatalf("recorded %+v", rec.Review)
				}
				f, err := e.a.Attachment(ctx, township, "341523", rec.Review.AttachmentID)
				if err != nil || !bytes.Equal(f.Data, photo) || f.Attachment.ContentType != "image/jpeg" || f.Attachment.Storage != files ||
					f.Attachment.KeepUntil != date.MustParse("2054-05-10") {
					t.Fatalf("the photo read back: %+v, %v", f, err)
				}
				if _, err := e.a.Attachment(ctx, otherCounty, "341523", rec.Review.AttachmentID); apperr.KindOf(err) != apperr.NotFound {
					t.Errorf("another county reads the photo: %v", err)
				}
				if _, err := e.a.Attachment(ctx, finance, "341523", rec.Review.AttachmentID); apperr.KindOf(err) != apperr.Forbidden {
					t.Errorf("the finance officer reads the photo: %v", err)
				}
				list, err := e.a.PersonAttachments(ctx, villager, sk)
				if err != nil || len(list) != 1 || list[0].Name != "IMG_0001.jpg" || list[0].AddedByName != villager.Name {
					t.Errorf("the person's files: %+v, %v", list, err)
				}
				if _, err := e.a.RecordInPerson(ctx, villager, sk, inperson.Entry{Year: 2024, Reason: inperson.ReasonHospital}); apperr.KindOf(err) != apperr.Conflict {
					t.Errorf("a record over a version not read: %v", err)
				}

				// After the deadline the one not seen is held from the batch.
				e.clock.set("2024-07-10")
				p, err := e.a.InPersonProgress(ctx, township, "341523100", 2024)
				if err != nil {
					t.Fatal(err)
				}
				if !p.Passed || len(p.Townships) != 1 || p.Townships[0].Seen != 1 || p.Townships[0].Unseen != 1 || p.Townships[0].Held != 1 ||
					p.Townships[0].Unseeing[0].PersonID != unseen.ID {
					t.Fatalf("progress %+v", p)
				}
				c, _, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2024"})
				if err != nil {
					t.Fatal(err)
				}
				run, err := e.a.GenerateBatches(ctx, finance, "341523", c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(run.Batches) != 1 || run.Batches[0].Count != 1 || run.Batches[0].Items[0].PersonID != seen.ID ||
					len(run.Held) != 1 || run.Held[0].PersonID != unseen.ID || run.Held[0].HoldReason != payment.UnseenHoldReason(2024) {
					t.Fatalf("the batch run: %+v", run)
				}

				// The reason recorded, the line is pending again and paid next.
				rec, err = e.a.RecordInPerson(ctx, villager, uk, inperson.Entry{Year: 2024, Reason: inperson.ReasonHospital, Note: "县医院住院"})
				if err != nil || rec.Released != 1 {
					t.Fatalf("the reason recorded: %+v, %v", rec, err)
				}
				run, err = e.a.GenerateBatches(ctx, finance, "341523", c.ID)
				if err != nil || len(run.Batches) != 1 || run.Batches[0].Items[0].PersonID != unseen.ID || len(run.Held) != 0 {
					t.Fatalf("the next batch: %+v, %v", run, err)
				}
				p, err = e.a.InPersonProgress(ctx, county, "341523", 2024)
				if err != nil || p.Townships[0].Excused != 1 || p.Townships[0].Held != 0 {
					t.Errorf("progress after the reason: %+v, %v", p, err)
				}
			})
		}
	}
}

// fieldsOf lists the fields an error names.
func fieldsOf(err error) string {
	var fs []string
	switch x := err.(type) {
	case apperr.List:
		for _, e := range x {
			fs = append(fs, e.Field)
		}
	default:
		if e, ok := apperr.As(err); ok {
			fs = append(fs, e.Field)
		}
	}
	return strings.Join(fs, ",")
}

// deniedCount counts the access.denied entries of user on the chain of
// county.
func deniedCount(t *testing.T, db *store.DB, county string, user int64) int {
	t.Helper()
	n := 0
	if err := db.View(t.Context(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(t.Context(), "", store.AuditFilter{County: county, UserID: user, Limit: 100})
		for _, e := range es {
			if e.Action == "access.denied" {
				n++
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
