package ui_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBrowserSelfApplyWithPhoto: on a phone-sized screen an older mother
// applies for the reward program on /self with a photo of her ID card
// taken with the form; the tracking page lists the photo with the case.
func TestBrowserSelfApplyWithPhoto(t *testing.T) {
	ctx := sizedSession(t, 390, 844)
	ts := newTestServer(t, store.SQLite)
	ts.WFUsers()
	wife := ts.WFFamily()
	ts.AddStaff(t, auth.NewUser{Username: "wxy", Name: "王秀英", Role: auth.RoleCitizen, Region: "341523100201",
		Person: fmt.Sprintf("341523/%d", wife.ID), Password: "orchid3valley"})
	dir := t.TempDir()
	var photo bytes.Buffer
	png.Encode(&photo, image.NewGray(image.Rect(0, 0, 8, 8)))
	file := filepath.Join(dir, "身份证.png")
	if err := os.WriteFile(file, photo.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	citizenSignIn(t, ctx, ts.URL, "wxy", "orchid3valley")
	run(t, ctx, "apply with a photo",
		chromedp.Navigate(ts.URL+"/self"),
		chromedp.WaitVisible(chromedp.ID("program")),
		chromedp.SetValue(chromedp.ID("program"), "jf"),
		chromedp.SetValue(chromedp.ID("year"), "2024"),
		chromedp.SetValue(chromedp.ID("attachments"), "身份证"),
		chromedp.Click(chromedp.ID("pledge")),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
		chromedp.Submit(chromedp.ID("attachments")),
		chromedp.WaitVisible(chromedp.CSS("ul.docs")),
	)
	if docs := textOf(t, ctx, "ul.docs"); !strings.Contains(docs, "身份证") {
		t.Errorf("the tracking page lists %q, want the photo", docs)
	}
}
