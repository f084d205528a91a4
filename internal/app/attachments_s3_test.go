package app_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/s3"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// memS3 is an S3 endpoint in memory (the signature is checked by
// package attach's own tests): objects by path.
type memS3 struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func (m *memS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	switch r.Method {
	case http.MethodPut:
		m.objects[r.URL.Path], _ = io.ReadAll(r.Body)
	case http.MethodGet:
		data, ok := m.objects[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Write(data)
	}
}

// TestAttachmentsInS3: a deployment that kept its files in the database
// and then configures an S3-compatible store keeps new files there
// (storage s3, one object named by county, id and digest) and still reads
// the older ones from the database; an object changed in the store is
// refused; a deployment without the store cannot read the files kept
// there.
func TestAttachmentsInS3(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			e := newPayEnv(t, db)
			ctx := e.ctx
			e.clock.set("2024-03-01")
			p := e.family("王秀英", "1960-03-01", 1)
			k := registry.Key{County: p.County, ID: p.ID}
			photo := func(n int) attach.File {
				return attach.File{Name: "照片.jpg", Kind: attach.KindPhoto, Data: append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{byte(n)}, 3000)...)}
			}
			old, err := e.a.AddPersonAttachment(ctx, villager, k, photo(1))
			if err != nil || old.Storage != "db" {
				t.Fatalf("in the database: %+v, %v", old, err)
			}

			mem := &memS3{objects: map[string][]byte{}}
			srv := httptest.NewServer(mem)
			defer srv.Close()
			cfg := app.DefaultConfig()
			cfg.S3 = &s3.Store{Endpoint: srv.URL, Bucket: "jiahe", Region: "us-east-1", AccessKey: "k", SecretKey: "s", Client: srv.Client()}
			s3 := app.New(db, cfg, nil)
			s3.SetClock(e.clock.now)
			x, err := s3.AddPersonAttachment(ctx, villager, k, photo(2))
			if err != nil || x.Storage != "s3" {
				t.Fatalf("in the S3 store: %+v, %v", x, err)
			}
			key := "/jiahe/" + x.County + "/" + itoa(x.ID) + "-" + x.SHA256
			if _, ok := mem.objects[key]; !ok || len(mem.objects) != 1 {
				t.Fatalf("the store holds %v, want %s", mem.objects, key)
			}
			for _, c := range []struct {
				id   int64
				want []byte
			}{{old.ID, photo(1).Data}, {x.ID, photo(2).Data}} {
				f, err := s3.Attachment(ctx, villager, k.County, c.id)
				if err != nil || !bytes.Equal(f.Data, c.want) {
					t.Errorf("attachment %d read back: %v", c.id, err)
				}
			}
			if _, err := e.a.Attachment(ctx, villager, k.County, x.ID); err == nil {
				t.Error("a deployment without the store reads its file")
			}
			mem.objects[key][100] ^= 1
			if _, err := s3.Attachment(ctx, villager, k.County, x.ID); err == nil {
				t.Error("a changed object is shown")
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPortalDocumentsInFileStore: the documents uploaded with an
// application keep their bytes in the deployment's one file store (here
// the S3 store, beside the case files), while a document stored before,
// its bytes in its own row, is still read; an object changed in the store
// is refused.
func TestPortalDocumentsInFileStore(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			e := newPayEnv(t, db)
			ctx := e.ctx
			e.clock.set("2024-03-01")
			w := e.family("王秀英", "1960-03-01", 1)
			c, err := e.a.Apply(ctx, villager, workflow.NewApplication{County: w.County, PersonID: w.ID, Program: "jf", Year: 2024,
				Application: workflow.Application{Declared: workflow.Declared{HukouType: "rural", Marriage: "1983年初婚", Births: "1985年生育一子",
					Adoptions: "无", SurvivingChildren: 1}, Attachments: []string{"结婚证"}, Pledge: true}})
			if err != nil {
				t.Fatal(err)
			}
			old := []byte("%PDF-1.4 an old scan")
			if err := db.Update(ctx, func(tx *store.Tx) error {
				return tx.InsertDocument(ctx, &portal.Document{County: c.County, ID: 900, Entity: portal.EntityCase, EntityID: c.ID,
					Region: c.Region, Name: "结婚证.pdf", Type: "application/pdf", Size: len(old), Data: old, UploadedBy: villager.UserID,
					CreatedAt: e.clock.now()})
			}); err != nil {
				t.Fatal(err)
			}
			mem := &memS3{objects: map[string][]byte{}}
			srv := httptest.NewServer(mem)
			defer srv.Close()
			cfg := app.DefaultConfig()
			cfg.S3 = &s3.Store{Endpoint: srv.URL, Bucket: "jiahe", Region: "us-east-1", AccessKey: "k", SecretKey: "s", Client: srv.Client()}
			s3 := app.New(db, cfg, nil)
			s3.SetClock(e.clock.now)
			photo := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{7}, 2000)...)
			d, err := s3.AttachDocument(ctx, villager, portal.EntityCase, c.County, c.ID, "户口簿.jpg", photo)
			if err != nil || d.Storage != "s3" || len(mem.objects) != 1 {
				t.Fatalf("the upload: %+v, %v (objects %d)", d, err, len(mem.objects))
			}
			var inline string
			if err := db.View(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT data FROM documents WHERE county = ? AND id = ?`, d.County, d.ID).Scan(&inline)
			}); err != nil || inline != "" {
				t.Errorf("the new row keeps %d bytes itself (%v)", len(inline), err)
			}
			for _, x := range []struct {
				id   int64
				want []byte
			}{{900, old}, {d.ID, photo}} {
				got, err := s3.Document(ctx, villager, portal.EntityCase, c.County, c.ID, x.id)
				if err != nil || !bytes.Equal(got.Data, x.want) {
					t.Errorf("document %d read back: %v", x.id, err)
				}
			}
			for k := range mem.objects {
				mem.objects[k][10] ^= 1
			}
			if _, err := s3.Document(ctx, villager, portal.EntityCase, c.County, c.ID, d.ID); err == nil {
				t.Error("a changed object is shown")
			}
		})
	}
}
