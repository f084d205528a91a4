package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// referenceTables hold no person's data and are not split by county: in a
// sharded deployment (docs/scaling.md) they are reference tables, copied
// to every node, or live on the coordinator only.
var referenceTables = []string{
	"id_locks", "id_seq", "jiahe_meta", "key_generations", "policy_layers", "schema_migrations", "sessions",
	"users", "workflow_params",
}

// shapeExceptions are unique indexes that do not include county today,
// each with what a sharded deployment needs of it. The test fails when
// one is fixed, so that the list stays true.
var shapeExceptions = map[string]string{
	"birth_registrations_serial":    "slip serials are unique nationwide; sharded, the serial must carry its county (it is issued per county) or be checked in a reference table",
	"childcare_institutions_filing": "filing numbers are unique nationwide; sharded, the same",
	"family_certificates_serial":    "certificate serials begin with their county code; sharded, the serial is checked with its county or in a reference table",
}

// TestDistributionShape checks on PostgreSQL the rules that distributing
// the tables by county needs (docs/scaling.md): every table with a county
// column has county first in its primary key, every unique index of such
// a table includes county, no foreign key joins a county's rows to
// another table except on county, tables without county are the known
// reference tables, and no sequence hands out ids (ids come from blocks
// reserved in id_seq, see NextIDs).
func TestDistributionShape(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), store.Postgres) {
		t.Skip("PostgreSQL is not available")
	}
	db := storetest.Open(t, store.Postgres)
	ctx := context.Background()
	query := func(q string, fn func(rows *sql.Rows) error) {
		t.Helper()
		if err := db.View(ctx, func(tx *store.Tx) error { return store.EachRow(ctx, tx.Query, q, nil, fn) }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	withCounty := map[string]bool{}
	query(`SELECT t.table_name, bool_or(c.column_name = 'county') FROM information_schema.tables t
		JOIN information_schema.columns c USING (table_schema, table_name)
		WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE' GROUP BY t.table_name`, func(rows *sql.Rows) error {
		var name string
		var county bool
		if err := rows.Scan(&name, &county); err != nil {
			return err
		}
		withCounty[name] = county
		if !county && !slices.Contains(referenceTables, name) {
			t.Errorf("table %s has no county column and is not a known reference table", name)
		}
		return nil
	})
	if len(withCounty) < 20 {
		t.Fatalf("only %d tables found", len(withCounty))
	}
	query(`SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c
		JOIN pg_namespace n ON n.oid = c.connamespace
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'p' AND n.nspname = current_schema()`, func(rows *sql.Rows) error {
		var table, first string
		if err := rows.Scan(&table, &first); err != nil {
			return err
		}
		if withCounty[table] && first != "county" {
			t.Errorf("the primary key of %s starts with %s, not county", table, first)
		}
		return nil
	})
	found := map[string]bool{}
	query(`SELECT i.indrelid::regclass::text, c.relname, EXISTS (SELECT 1 FROM pg_attribute a
			WHERE a.attrelid = i.indrelid AND a.attname = 'county' AND a.attnum = ANY (i.indkey))
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND i.indisunique`, func(rows *sql.Rows) error {
		var table, index string
		var county bool
		if err := rows.Scan(&table, &index, &county); err != nil {
			return err
		}
		if !withCounty[table] || county {
			return nil
		}
		if _, ok := shapeExceptions[index]; ok {
			found[index] = true
			t.Logf("unique index %s on %s without county (known: %s)", index, table, shapeExceptions[index])
			return nil
		}
		t.Errorf("unique index %s on %s does not include county", index, table)
		return nil
	})
	for index := range shapeExceptions {
		if !found[index] {
			t.Errorf("unique index %s now includes county (or is gone): remove it from shapeExceptions", index)
		}
	}
	query(`SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, c.conname,
			EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attname = 'county' AND a.attnum = ANY (c.conkey))
		FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema()`, func(rows *sql.Rows) error {
		var from, to, name string
		var county bool
		if err := rows.Scan(&from, &to, &name, &county); err != nil {
			return err
		}
		if withCounty[from] && withCounty[to] && !county {
			t.Errorf("foreign key %s joins %s to %s without county", name, from, to)
		}
		if withCounty[from] && !withCounty[to] && !slices.Contains(referenceTables, to) {
			t.Errorf("foreign key %s joins %s to %s, which is neither split by county nor a reference table", name, from, to)
		}
		return nil
	})
	query(`SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()`, func(rows *sql.Rows) error {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		t.Errorf("sequence %s: ids must come from blocks reserved in id_seq, not from a sequence per node", name)
		return nil
	})
}
