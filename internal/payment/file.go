package payment

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
)

func bankShort(code string) string {
	if b, ok := BankByCode(code); ok {
		return b.Short
	}
	return code
}

// BankFile is the content and layout of a batch's bank file (or of one
// township's part of it): a first line, Header, and the lines after it,
// Rows, each a list of cells, as the layout (BankLayout) says. Package
// sheet writes it as CSV (CRLF line ends, UTF-8 with a byte-order mark so
// that Excel reads it, or GB18030, which banks' older systems read as
// GBK), as delimited text (never quoted), or as an Excel workbook: the
// worksheet Sheet with the column Widths, the amounts of column
// AmountColumn as numbers, and Title and Time as its document properties.
// It depends on nothing but the batch as stored and the layout, so
// writing it again gives the same bytes.
type BankFile struct {
	Header       []string
	Rows         [][]string
	Sheet        string
	Widths       []float64
	AmountColumn int // 0-based; -1 when the amounts are in fen only
	// Numbers are the columns of amounts, which hold plain numbers.
	Numbers  []int
	Title    string
	Creator  string
	Language string
	// Time is the approval time (the creation time of a batch not yet
	// approved).
	Time time.Time
	// Layout is the layout the file follows.
	Layout BankLayout
	// Township is the township whose persons the file pays, when the
	// layout makes one file per township.
	Township string
	// Items is the number of the batch's items in the file.
	Items int

	base  string // the file name without its extension, in ASCII
	title string // the same in Chinese
}

// BankFileSheet is the worksheet of a bank file workbook.
const BankFileSheet = "代发明细"

// File returns b's bank file in the generic layout.
func (b *Batch) File() *BankFile {
	return b.Files(GenericLayout, nil, nil)[0]
}

// Name returns the name the file is saved under, with the extension ext
// ("csv", "txt" or "xlsx").
func (f *BankFile) Name(ext string) string { return f.base + "." + ext }

// Names returns the names the file is saved under, in ASCII and in
// Chinese, with suffix before the extension ext ("-gbk", say).
func (f *BankFile) Names(suffix, ext string) (ascii, chinese string) {
	return f.base + suffix + "." + ext, f.title + strings.ToUpper(suffix) + "." + ext
}

// Ext is the extension of the file its layout makes: csv or txt.
func (f *BankFile) Ext() string {
	if f.Layout.Format == LayoutCSV {
		return "csv"
	}
	return "txt"
}

// BankFiles are the files of a batch as the county's template for its
// bank lays them out: one, or one per township.
type BankFiles struct {
	Batch *Batch
	// Template is the county's template for the bank; nil when the bank
	// has none and the generic layout applies.
	Template *BankTemplate
	Layout   BankLayout
	Files    []*BankFile
}

// ZipNames returns the names of the zip of every file of a batch that
// has one per township, as BankFile.Names.
func (fs *BankFiles) ZipNames(suffix string) (ascii, chinese string) {
	b := fs.Batch
	return fmt.Sprintf("jiahe-%s-batch%d-%s-townships%s.zip", b.County, b.ID, b.Bank, suffix),
		fmt.Sprintf("代发-%s-批次%d-按乡镇%s.zip", bankShort(b.Bank), b.ID, strings.ToUpper(suffix))
}

// BatchFile returns the bank file of a batch, laid out as the county's
// template for the batch's bank says (the generic layout when it has
// none). Only a released batch (approved, or already reconciled) has
// one, and only the finance officer may take it.
func BatchFile(ctx context.Context, s Store, a auth.Actor, tree *region.Tree, county string, id int64) (*BankFiles, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	b, err := s.PaymentBatch(ctx, county, id)
	if err != nil {
		return nil, err
	}
	switch b.Status {
	case Draft:
		return nil, apperr.Conflictf("批次 %d 尚未审批，不能导出发放文件", "batch %d is not approved: its file is not released", id)
	case Recalled:
		return nil, apperr.Conflictf("批次 %d 已撤回，其发放文件已作废", "batch %d was recalled: its file is void", id)
	}
	out := &BankFiles{Batch: b, Layout: GenericLayout}
	t, err := s.BankTemplate(ctx, county, b.Bank)
	switch {
	case err == nil:
		out.Template, out.Layout = t, t.Layout
	case apperr.KindOf(err) != apperr.NotFound:
		return nil, err
	}
	var towns map[int64]region.Code
	if out.Layout.Split == SplitTownship || slices.Contains(out.Layout.Columns, ColTownship) {
		ids := make([]int64, len(b.Items))
		for i, it := range b.Items {
			ids[i] = it.LineID
		}
		regions, err := s.LineRegions(ctx, county, ids)
		if err != nil {
			return nil, err
		}
		towns = make(map[int64]region.Code, len(regions))
		for id, r := range regions {
			towns[id] = townshipOf(region.Code(r))
		}
	}
	out.Files = b.Files(out.Layout, towns, tree)
	return out, nil
}

// townshipOf returns the township a division lies in ("" above one).
func townshipOf(c region.Code) region.Code {
	switch c.Level() {
	case region.Village:
		return c.Parent()
	case region.Township:
		return c
	}
	return ""
}
