package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/payment"
)

const bankTemplateColumns = `county, bank, layout, version, updated_by, updated_by_name, updated_at`

func scanBankTemplate(s scanner) (payment.BankTemplate, error) {
	var t payment.BankTemplate
	var layout string
	var at any
	if err := s.Scan(&t.County, &t.Bank, &layout, &t.Version, &t.UpdatedBy, &t.UpdatedByName, &at); err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(layout), &t.Layout); err != nil {
		return t, fmt.Errorf("bank template %s/%s: %w", t.County, t.Bank, err)
	}
	var err error
	t.UpdatedAt, err = timeValue(at)
	return t, err
}

// BankTemplates returns the county's bank templates in bank order.
func (tx *Tx) BankTemplates(ctx context.Context, county string) ([]payment.BankTemplate, error) {
	rows, err := tx.Query(ctx, `SELECT `+bankTemplateColumns+` FROM bank_templates WHERE county = ? ORDER BY bank`, county)
	if err != nil {
		return nil, fmt.Errorf("bank templates: %w", err)
	}
	defer rows.Close()
	var out []payment.BankTemplate
	for rows.Next() {
		t, err := scanBankTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// BankTemplate returns the county's template for bank, NotFound when the
// bank has none.
func (tx *Tx) BankTemplate(ctx context.Context, county, bank string) (*payment.BankTemplate, error) {
	t, err := scanBankTemplate(tx.QueryRow(ctx, `SELECT `+bankTemplateColumns+` FROM bank_templates WHERE county = ? AND bank = ?`, county, bank))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("该银行没有文件模板", "the bank has no template")
	}
	if err != nil {
		return nil, fmt.Errorf("bank template: %w", err)
	}
	return &t, nil
}

// SaveBankTemplate inserts t (Version 1) or updates it over Version-1.
func (tx *Tx) SaveBankTemplate(ctx context.Context, t *payment.BankTemplate) error {
	layout, err := json.Marshal(t.Layout)
	if err != nil {
		return err
	}
	if t.Version == 1 {
		_, err := tx.Exec(ctx, `INSERT INTO bank_templates (`+bankTemplateColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.County, t.Bank, string(layout), t.Version, t.UpdatedBy, t.UpdatedByName, ts(t.UpdatedAt))
		if IsUniqueViolation(err) {
			return apperr.Conflictf("该银行的文件模板已被他人设置，请刷新后重试", "the bank's template was set by someone else; reload and try again")
		}
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE bank_templates SET layout = ?, version = ?, updated_by = ?, updated_by_name = ?, updated_at = ?
		WHERE county = ? AND bank = ? AND version = ?`,
		string(layout), t.Version, t.UpdatedBy, t.UpdatedByName, ts(t.UpdatedAt), t.County, t.Bank, t.Version-1)
	if err != nil {
		return fmt.Errorf("save bank template: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该银行的文件模板已被他人修改，请刷新后重试", "the bank's template was changed by someone else; reload and try again")
	}
	return nil
}

// DeleteBankTemplate deletes the county's template for bank of version.
func (tx *Tx) DeleteBankTemplate(ctx context.Context, county, bank string, version int) error {
	res, err := tx.Exec(ctx, `DELETE FROM bank_templates WHERE county = ? AND bank = ? AND version = ?`, county, bank, version)
	if err != nil {
		return fmt.Errorf("delete bank template: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该银行的文件模板已被他人修改，请刷新后重试", "the bank's template was changed by someone else; reload and try again")
	}
	return nil
}

// LineRegions returns the region of each of the county's lines ids.
func (tx *Tx) LineRegions(ctx context.Context, county string, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for _, part := range chunks(ids) {
		in, args := tx.oneOf(part)
		rows, err := tx.Query(ctx, `SELECT id, region FROM payment_lines WHERE county = ? AND id `+in, append([]any{county}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("line regions: %w", err)
		}
		for rows.Next() {
			var id int64
			var r string
			if err := rows.Scan(&id, &r); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
