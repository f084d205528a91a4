package ui_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBrowserInPersonReview is the village specialist's round of the
// annual face-to-face review on a phone-sized screen: the county's
// deadline has passed, so the two recipients of 仁和村 not yet seen are
// listed and held; the specialist opens the form of one, takes the photo
// (uploads a JPEG), saves, and the list shows her seen while the other
// stays held. The photo is kept with the person, byte for byte.
func TestBrowserInPersonReview(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	ts.PaySeed()
	ts.AddStaff(t, auth.NewUser{Username: "renhe", Name: "仁和村专干", Role: auth.RoleVillage, Region: "341523100201", Password: "renhe1234"})
	county := auth.Actor{UserID: ts.UID("county"), Username: "county", Role: auth.RoleCounty, Scope: "341523"}
	if _, err := ts.App.SetPaymentParams(context.Background(), county, "341523", map[string]string{"review_deadline": "04-30"}); err != nil {
		t.Fatal(err)
	}
	base, dir := ts.URL, t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		for y := 0; y < 48; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var photo bytes.Buffer
	if err := jpeg.Encode(&photo, img, nil); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "IMG_20240506.jpg")
	if err := os.WriteFile(file, photo.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	run(t, ctx, "a phone's screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"))
	signIn(t, ctx, base, "renhe", "renhe1234")
	run(t, ctx, "the village's review",
		chromedp.Navigate(base+"/inperson"),
		chromedp.WaitVisible(chromedp.ID("tw-h")),
		shot("inperson_list"),
	)
	if tw := textOf(t, ctx, "#tw-h ~ .table-wrap tbody"); !strings.Contains(tw, "城关镇") || !strings.Contains(tw, "2") {
		t.Errorf("the townships' table = %q", tw)
	}
	if p := textOf(t, ctx, "#tw-h + p"); !strings.Contains(p, "2024年4月30日") && !strings.Contains(p, "2024-04-30") {
		t.Errorf("the deadline = %q", p)
	}
	run(t, ctx, "open the form of 张秀英",
		chromedp.Click(chromedp.CSS(`a[href="/persons/341523/501/inperson?year=2024"]`)),
		chromedp.WaitVisible(chromedp.ID("place")),
	)
	if w := get(t, ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the form is %v pixels wide on a 390-pixel screen", w)
	}
	run(t, ctx, "take the photo and save",
		chromedp.SendKeys(chromedp.ID("place"), "张秀英家中"),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
		shot("inperson_form"),
		chromedp.Click(chromedp.CSS(`form[action$="/inperson"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		chromedp.WaitVisible(chromedp.ID("rows-h")),
		shot("inperson_done"),
	)
	rows := textOf(t, ctx, "table.inperson tbody")
	if !strings.Contains(rows, "张秀英") || !strings.Contains(rows, "已见面") || !strings.Contains(rows, "尚未见面") {
		t.Errorf("the list after saving = %q", rows)
	}
	if tw := textOf(t, ctx, "#tw-h ~ .table-wrap tbody"); !strings.Contains(strings.Join(strings.Fields(tw), " "), "2 1 0 1 1") {
		t.Errorf("the township's figures after saving = %q, want 2 on the roll, 1 seen, 0 excused, 1 not seen, 1 held", tw)
	}

	renhe := auth.Actor{UserID: ts.UID("renhe"), Username: "renhe", Role: auth.RoleVillage, Scope: "341523100201"}
	k := registry.Key{County: "341523", ID: 501}
	rev, err := ts.App.InPersonReview(context.Background(), renhe, k, 2024)
	if err != nil || rev == nil || rev.Place != "张秀英家中" || rev.AttachmentID == 0 || rev.SeenOn.String() != "2024-05-06" {
		t.Fatalf("the record: %+v, %v", rev, err)
	}
	f, err := ts.App.Attachment(context.Background(), renhe, "341523", rev.AttachmentID)
	if err != nil || !bytes.Equal(f.Data, photo.Bytes()) || f.Attachment.Name != "IMG_20240506.jpg" {
		t.Fatalf("the photo kept: %v", err)
	}
	run(t, ctx, "the photo on the form",
		chromedp.Navigate(base+"/persons/341523/501/inperson"),
		chromedp.WaitVisible(chromedp.CSS(".files img")),
	)
	// The image is shown before its bytes arrive: wait until the browser
	// has loaded it or given up, as an eye would.
	get(t, ctx, chromedp.Poll[bool](`document.querySelector(".files img").complete`, chromedp.WithPollingTimeout(20*time.Second)))
	if ok := get(t, ctx, chromedp.Evaluate[bool](`document.querySelector(".files img").naturalWidth === 64`)); !ok {
		t.Error("the kept photo does not show on the form")
	}
}
