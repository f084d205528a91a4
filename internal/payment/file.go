package payment

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
)

// File formats and encodings of bank files.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
	UTF8       = "utf8"
	GBK        = "gbk"
)

// fileHeader are the columns of a bank file. The return file has the same
// columns followed by the bank's result, reason and date (returnColumns).
var fileHeader = []string{"序号", "明细编号", "姓名", "身份证号", "开户银行", "账号", "金额（元）", "项目", "期间"}

// ProgramNames are the Chinese names of the programs (design §5).
var ProgramNames = map[string]string{
	"jf":              "农村部分计划生育家庭奖励扶助",
	"tf_death":        "计划生育家庭特别扶助（独生子女死亡）",
	"tf_disability":   "计划生育家庭特别扶助（独生子女伤残）",
	"tf_complication": "计划生育手术并发症特别扶助",
	"urban_reward":    "城镇独生子女父母奖励扶助",
	"one_child_fee":   "独生子女父母奖励费",
	"retiree_award":   "企业退休职工独生子女父母一次性奖励",
}

// ProgramName returns the Chinese name of a program, or its code.
func ProgramName(code string) string {
	if n, ok := ProgramNames[code]; ok {
		return n
	}
	return code
}

func bankShort(code string) string {
	if b, ok := BankByCode(code); ok {
		return b.Short
	}
	return code
}

// rows returns the table of a bank file: the header, one row per item and
// a total row.
func (b *Batch) rows() [][]string {
	out := [][]string{fileHeader}
	for _, it := range b.Items {
		out = append(out, []string{strconv.Itoa(it.Seq), strconv.FormatInt(it.LineID, 10), it.Name, it.IDNumber,
			bankShort(it.Bank), it.Account, it.Amount.String(), ProgramName(it.Program), it.Period})
	}
	return append(out, []string{"合计", fmt.Sprintf("%d笔", b.Count), "", "", "", "", b.Total.String(), "", ""})
}

// FileName returns the name a bank file of b is saved under.
func (b *Batch) FileName(format string) string {
	return fmt.Sprintf("jiahe-%s-batch%d-%s.%s", b.County, b.ID, b.Bank, format)
}

// EncodeFile returns the bank file of b. The file depends on nothing but
// the batch as stored, so regenerating it gives the same bytes: CSV has
// CRLF line ends (UTF-8 with a byte-order mark so that Excel reads it, or
// GB18030, which banks' older systems read as GBK); the Excel workbook's
// document dates are the approval time.
func EncodeFile(b *Batch, format, encoding string) ([]byte, string, error) {
	switch format {
	case FormatCSV, "":
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = true
		if err := w.WriteAll(b.rows()); err != nil {
			return nil, "", err
		}
		switch encoding {
		case UTF8, "":
			return append([]byte("\ufeff"), buf.Bytes()...), "text/csv; charset=utf-8", nil
		case GBK:
			out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(buf.Bytes())
			if err != nil {
				return nil, "", fmt.Errorf("encode batch %d as GB18030: %w", b.ID, err)
			}
			return out, "text/csv; charset=gb18030", nil
		}
		return nil, "", apperr.Invalidf("encoding", "编码应为 utf8 或 gbk", "encoding must be utf8 or gbk")
	case FormatXLSX:
		out, err := b.xlsx()
		return out, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", err
	}
	return nil, "", apperr.Invalidf("format", "格式应为 csv 或 xlsx", "format must be csv or xlsx")
}

const sheetName = "代发明细"

func (b *Batch) xlsx() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return nil, err
	}
	at := b.CreatedAt
	if b.ApprovedAt != nil {
		at = *b.ApprovedAt
	}
	stamp := at.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "家和", LastModifiedBy: "家和", Created: stamp, Modified: stamp,
		Title: fmt.Sprintf("批次 %d 代发明细", b.ID), Language: "zh-CN"}); err != nil {
		return nil, err
	}
	money2, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return nil, err
	}
	for r, row := range b.rows() {
		for c, v := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return nil, err
			}
			isAmount := c == 6 && r > 0
			if isAmount {
				yuan, _ := strconv.ParseFloat(v, 64) // exact: at most 2 decimals, far below 2^53
				if err = f.SetCellFloat(sheetName, cell, yuan, 2, 64); err == nil {
					err = f.SetCellStyle(sheetName, cell, cell, money2)
				}
			} else {
				err = f.SetCellStr(sheetName, cell, v)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	for i, width := range []float64{6, 10, 10, 21, 12, 22, 12, 36, 10} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheetName, col, col, width); err != nil {
			return nil, err
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// File is a bank file ready to send.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// BatchFile returns the bank file of a batch. Only a released batch
// (approved, or already reconciled) has one, and only the finance officer
// may take it.
func BatchFile(ctx context.Context, s Store, a auth.Actor, county string, id int64, format, encoding string) (*File, error) {
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
	if format == "" {
		format = FormatCSV
	}
	data, ctype, err := EncodeFile(b, format, encoding)
	if err != nil {
		return nil, err
	}
	return &File{Name: b.FileName(format), ContentType: ctype, Data: data}, nil
}
