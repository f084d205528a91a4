package payment

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
)

// fileHeader are the columns of a bank file. The return file has the same
// columns followed by the bank's result, reason and date (returnColumns).
var fileHeader = []string{"序号", "明细编号", "姓名", "身份证号", "开户银行", "账号", "金额（元）", "项目", "期间"}

func bankShort(code string) string {
	if b, ok := BankByCode(code); ok {
		return b.Short
	}
	return code
}

// BankFile is the content and layout of a batch's bank file: a header,
// one row of cells per item and a total row. Package sheet writes it as
// CSV (CRLF line ends, UTF-8 with a byte-order mark so that Excel reads
// it, or GB18030, which banks' older systems read as GBK) or as an Excel
// workbook: the worksheet Sheet with the column Widths, the amounts of
// column AmountColumn as numbers, and Title and Time as its document
// properties. It depends on nothing but the batch as stored, so writing it
// again gives the same bytes.
type BankFile struct {
	Header       []string
	Rows         [][]string // one per item, then the total row
	Sheet        string
	Widths       []float64
	AmountColumn int // 0-based
	Title        string
	Creator      string
	Language     string
	// Time is the approval time (the creation time of a batch not yet
	// approved).
	Time time.Time

	base string // the file name without its extension
}

// BankFileSheet is the worksheet of a bank file workbook.
const BankFileSheet = "代发明细"

// File returns b's bank file.
func (b *Batch) File() *BankFile {
	rows := make([][]string, 0, len(b.Items)+1)
	for _, it := range b.Items {
		rows = append(rows, []string{strconv.Itoa(it.Seq), strconv.FormatInt(it.LineID, 10), it.Name, it.IDNumber,
			bankShort(it.Bank), it.Account, it.Amount.String(), policy.ProgramName(it.Program), it.Period})
	}
	rows = append(rows, []string{"合计", fmt.Sprintf("%d笔", b.Count), "", "", "", "", b.Total.String(), "", ""})
	at := b.CreatedAt
	if b.ApprovedAt != nil {
		at = *b.ApprovedAt
	}
	return &BankFile{
		Header:       slices.Clone(fileHeader),
		Rows:         rows,
		Sheet:        BankFileSheet,
		Widths:       []float64{6, 10, 10, 21, 12, 22, 12, 36, 10},
		AmountColumn: 6,
		Title:        fmt.Sprintf("批次 %d 代发明细", b.ID),
		Creator:      "家和",
		Language:     "zh-CN",
		Time:         at,
		base:         fmt.Sprintf("jiahe-%s-batch%d-%s", b.County, b.ID, b.Bank),
	}
}

// Name returns the name the file is saved under, with the extension ext
// ("csv" or "xlsx").
func (f *BankFile) Name(ext string) string { return f.base + "." + ext }

// BatchFile returns the bank file of a batch. Only a released batch
// (approved, or already reconciled) has one, and only the finance officer
// may take it.
func BatchFile(ctx context.Context, s Store, a auth.Actor, county string, id int64) (*BankFile, error) {
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
	if b.Status == Draft {
		return nil, apperr.Conflictf("批次 %d 尚未审批，不能导出发放文件", "batch %d is not approved: its file is not released", id)
	}
	return b.File(), nil
}
