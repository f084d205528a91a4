package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Divisions that change (docs/regions.md, migration 0026): the versions
// of a county's changed divisions, the changes, and the keys that re-key
// the records of a retired code to its successor in one statement per
// table.

// DivisionChange is one recorded change of a county's divisions.
type DivisionChange struct {
	County   string       `json:"county"`
	ID       int64        `json:"id"`
	Kind     string       `json:"kind"`
	Code     string       `json:"code"`
	Target   string       `json:"target,omitempty"`
	Day      date.Date    `json:"day"`
	Name     string       `json:"name,omitempty"`
	Basis    string       `json:"basis,omitempty"`
	Rekeyed  []Rekeyed    `json:"rekeyed,omitempty"`
	Keys     []region.Key `json:"keys,omitempty"`
	Users    []MovedUser  `json:"users,omitempty"` // the staff users it moved (not kept: in the audit entry)
	UserID   int64        `json:"user_id"`
	Username string       `json:"username"`
	At       time.Time    `json:"at"`
}

// Rekeyed is how many rows of a table a change re-keyed.
type Rekeyed struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// MovedUser is a staff user whose scope a change moved from a retired
// division to its successor.
type MovedUser struct {
	ID       int64       `json:"id"`
	Username string      `json:"username"`
	From     region.Code `json:"from"`
	To       region.Code `json:"to"`
}

// rekeyTables are the tables whose current records follow a re-keyed
// code, each with the rows that count as current: the registry, the open
// hukou spell, the roll, open cases and claims, open tasks, the special
// families and the childcare institutions in business. Closed history
// (payments, closed spells, reports, the audit) keeps the codes of its
// time.
var rekeyTables = []struct{ table, current string }{
	{"persons", ""},
	{"hukou_spells", "to_date IS NULL"},
	{"recipients", "status <> 'exited'"},
	{"cases", "state NOT IN ('rejected', 'withdrawn')"},
	{"birth_registrations", "status = 'registered'"},
	{"subsidy_claims", "status IN ('submitted', 'checked', 'approved')"},
	{"match_tasks", "status = 'open'"},
	{"special_families", "status = 'active'"},
	{"childcare_institutions", "closed IS NULL"},
}

// DivisionHistory reads the versions and keys of county's changed
// divisions.
func (tx *Tx) DivisionHistory(ctx context.Context, county string) ([]region.Version, []region.Key, error) {
	where, args := "county = ?", []any{county}
	if county == "" {
		where, args = "1=1", nil
	}
	rows, err := tx.Query(ctx, `SELECT code, name, parent, valid_from, valid_to FROM division_versions WHERE `+where+` ORDER BY code, valid_from`, args...)
	if err != nil {
		return nil, nil, err
	}
	var vs []region.Version
	for rows.Next() {
		var v region.Version
		if err := rows.Scan(&v.Code, &v.Name, &v.Parent, &v.From, &v.To); err != nil {
			rows.Close()
			return nil, nil, err
		}
		vs = append(vs, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	ks, err := tx.divisionKeys(ctx, where, args...)
	return vs, ks, err
}

func (tx *Tx) divisionKeys(ctx context.Context, where string, args ...any) ([]region.Key, error) {
	rows, err := tx.Query(ctx, `SELECT old_code, new_code, day FROM division_keys WHERE `+where+` ORDER BY day, change_id, old_code`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ks []region.Key
	for rows.Next() {
		var k region.Key
		var d date.Date
		if err := rows.Scan(&k.Old, &k.New, &d); err != nil {
			return nil, err
		}
		k.Day = d.String()
		ks = append(ks, k)
	}
	return ks, rows.Err()
}

// DivisionCodesInUse lists the distinct divisions below prefix that the
// registry's persons hold in county.
func (tx *Tx) DivisionCodesInUse(ctx context.Context, county string, within region.Code) ([]region.Code, error) {
	p, _ := within.Prefix()
	rows, err := tx.Query(ctx, `SELECT DISTINCT region FROM persons WHERE county = ? AND region >= ? AND region < ? ORDER BY region`, county, p, p+":")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []region.Code
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, region.Code(c))
	}
	return out, rows.Err()
}

// RecordDivisionChange writes change c with its plan: the versions closed
// and opened, the keys, and the re-keying of the current records, one
// statement per table. c.ID and c.Rekeyed are filled.
func (tx *Tx) RecordDivisionChange(ctx context.Context, c *DivisionChange, p region.Plan) error {
	id, err := tx.NextIDs(ctx, "division_changes", 1)
	if err != nil {
		return err
	}
	c.ID = id
	for _, v := range p.Close {
		res, err := tx.Exec(ctx, `UPDATE division_versions SET valid_to = ? WHERE county = ? AND code = ? AND valid_from = ?`, v.To, c.County, v.Code, v.From)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if err := tx.insertVersion(ctx, c.County, v, id); err != nil {
				return err
			}
		}
	}
	for _, v := range p.Open {
		if err := tx.insertVersion(ctx, c.County, v, id); err != nil {
			return err
		}
	}
	for _, k := range p.Keys {
		if _, err := tx.Exec(ctx, `INSERT INTO division_keys (county, change_id, old_code, new_code, day) VALUES (?, ?, ?, ?, ?)`,
			c.County, id, k.Old, k.New, c.Day); err != nil {
			return err
		}
	}
	c.Rekeyed = nil
	if len(p.Keys) > 0 {
		for _, t := range rekeyTables {
			extra := ""
			if t.current != "" {
				extra = " AND " + t.current
			}
			res, err := tx.Exec(ctx, `UPDATE `+t.table+` SET region = (SELECT k.new_code FROM division_keys k
				WHERE k.county = `+t.table+`.county AND k.change_id = ? AND k.old_code = `+t.table+`.region)
				WHERE county = ? AND region IN (SELECT old_code FROM division_keys WHERE county = ? AND change_id = ?)`+extra,
				id, c.County, c.County, id)
			if err != nil {
				return fmt.Errorf("re-keying %s: %w", t.table, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				c.Rekeyed = append(c.Rekeyed, Rekeyed{Table: t.table, Rows: n})
			}
		}
	}
	if len(p.Keys) > 0 {
		if err := tx.rekeySettings(ctx, c, id); err != nil {
			return err
		}
	}
	rk, err := json.Marshal(c.Rekeyed)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO division_changes (county, id, kind, code, target, day, name, basis, rekeyed, user_id, username, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.County, id, c.Kind, c.Code, c.Target, c.Day, c.Name, c.Basis, string(rk),
		c.UserID, c.Username, ts(c.At))
	return err
}

func (tx *Tx) insertVersion(ctx context.Context, county string, v region.Version, change int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO division_versions (county, code, valid_from, valid_to, name, parent, change_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		county, v.Code, v.From, v.To, v.Name, v.Parent, change)
	if IsUniqueViolation(err) {
		return fmt.Errorf("division %s already has a version from %q", v.Code, v.From)
	}
	return err
}

// DivisionChanges lists county's changes touching code ("" all), in order
// of day, with their keys.
func (tx *Tx) DivisionChanges(ctx context.Context, county string, code region.Code) ([]DivisionChange, error) {
	q := `SELECT county, id, kind, code, target, day, name, basis, rekeyed, user_id, username, at FROM division_changes WHERE county = ?`
	args := []any{county}
	if code != "" {
		q += ` AND (code = ? OR target = ? OR id IN (SELECT change_id FROM division_keys WHERE county = ? AND (old_code = ? OR new_code = ?)))`
		args = append(args, code, code, county, code, code)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY day, id`, args...)
	if err != nil {
		return nil, err
	}
	var out []DivisionChange
	for rows.Next() {
		var c DivisionChange
		var rk string
		var at any
		if err := rows.Scan(&c.County, &c.ID, &c.Kind, &c.Code, &c.Target, &c.Day, &c.Name, &c.Basis, &rk, &c.UserID, &c.Username, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if rk != "" {
			if err := json.Unmarshal([]byte(rk), &c.Rekeyed); err != nil {
				rows.Close()
				return nil, err
			}
		}
		if c.At, err = timeValue(at); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Keys, err = tx.divisionKeys(ctx, `county = ? AND change_id = ?`, county, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// successorOf is the SQL of the code change id keyed the column col to.
func successorOf(col string) string {
	return `(SELECT k.new_code FROM division_keys k WHERE k.county = ? AND k.change_id = ? AND k.old_code = ` + col + `)`
}

// rekeySettings moves what is set for a retired division to its
// successor, in the change's transaction: the staff users scoped to it
// (listed in c.Users) and the region parameters set for it
// (workflow_params: time limits, thresholds, targets), unless the
// successor has its own value of the same parameter, which stays.
func (tx *Tx) rekeySettings(ctx context.Context, c *DivisionChange, id int64) error {
	retired := `(SELECT old_code FROM division_keys WHERE county = ? AND change_id = ?)`
	rows, err := tx.Query(ctx, `SELECT id, username, region, `+successorOf("users.region")+` FROM users WHERE region IN `+retired+` ORDER BY id`,
		c.County, id, c.County, id)
	if err != nil {
		return err
	}
	c.Users = nil
	for rows.Next() {
		var u MovedUser
		if err := rows.Scan(&u.ID, &u.Username, &u.From, &u.To); err != nil {
			rows.Close()
			return err
		}
		c.Users = append(c.Users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range c.Users {
		if _, err := tx.Exec(ctx, `UPDATE users SET region = ?, updated_at = ? WHERE id = ?`, u.To, ts(c.At), u.ID); err != nil {
			return err
		}
	}
	if len(c.Users) > 0 {
		c.Rekeyed = append(c.Rekeyed, Rekeyed{Table: "users", Rows: int64(len(c.Users))})
	}
	// A parameter is set for a division's prefix (Tx.SetParam).
	var params int64
	for _, k := range c.Keys {
		from, _ := k.Old.Prefix()
		to, _ := k.New.Prefix()
		res, err := tx.Exec(ctx, `UPDATE workflow_params SET region = ? WHERE region = ?
			AND NOT EXISTS (SELECT 1 FROM workflow_params w WHERE w.region = ? AND w.name = workflow_params.name)`, to, from, to)
		if err != nil {
			return fmt.Errorf("re-keying workflow_params: %w", err)
		}
		n, _ := res.RowsAffected()
		params += n
	}
	if params > 0 {
		c.Rekeyed = append(c.Rekeyed, Rekeyed{Table: "workflow_params", Rows: params})
	}
	return nil
}
