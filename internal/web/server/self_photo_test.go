package server_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestSelfApplyWithPhoto: the citizen's application form of the reward
// programs takes a photo of a document with the application. A file that
// is no photo is named on the form and nothing is submitted; with a
// photo the case is taken, the photo stored with it, and the tracking
// route lists it.
func TestSelfApplyWithPhoto(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.WFUsers()
			wife := ts.WFFamily()
			ts.AddStaff(t, auth.NewUser{Username: "wxy", Name: "王秀英", Role: auth.RoleCitizen, Region: "341523100201",
				Person: fmt.Sprintf("341523/%d", wife.ID), Password: "orchid3valley"})
			p := ts.Browser().Login("wxy", "orchid3valley")
			p.Get("/self").Want(200, `enctype="multipart/form-data"`, `name="file"`)
			form := map[string]string{"program": "jf", "year": "2024", "hukou_type": "rural", "children": "1",
				"attachments": "身份证\n户口簿", "pledge": "1"}
			p.Multipart("/self", form, []byte("not a photo")).Want(422, "只能上传照片")
			cit := ts.Login("wxy", "orchid3valley")
			if code, out := ts.Call(cit, "GET", "/api/v1/self/applications", nil); code != 200 || len(out["applications"].([]any)) != 0 {
				t.Fatalf("a refused form took an application: %d %v", code, out)
			}
			var photo bytes.Buffer
			png.Encode(&photo, image.NewGray(image.Rect(0, 0, 4, 4)))
			p.Multipart("/self", form, photo.Bytes()).Want(303)
			if !strings.HasPrefix(p.Loc, "/self/track?done=self_submitted#case-") {
				t.Errorf("after the form: %q", p.Loc)
			}
			code, out := ts.Call(cit, "GET", "/api/v1/self/applications", nil)
			apps, _ := out["applications"].([]any)
			if code != 200 || len(apps) != 1 || len(webtest.Field(apps[0].(map[string]any), "documents").([]any)) != 1 {
				t.Fatalf("applications = %d %v", code, out)
			}
			p.Get("/self/track").Want(200, "file.png")
		})
	}
}
