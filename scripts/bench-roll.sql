-- A roll for benchmarks (docs/performance.md, "Several counties on one
-- PostgreSQL"): every person with an eligible 2024 determination of jf,
-- tf_death or tf_disability enrolled, as if their cases had been approved
-- (the generator makes no cases, so a generated county has no roll).
-- PostgreSQL only; run after `jiahe eval --year 2024`:
--   psql "$PG" -f scripts/bench-roll.sql
BEGIN;
INSERT INTO id_seq (name, next) VALUES ('recipient', 1) ON CONFLICT (name) DO NOTHING;
CREATE TEMPORARY TABLE roll_new AS
  SELECT d.county, d.person_id, d.program, p.region, ROW_NUMBER() OVER (ORDER BY d.county, d.person_id, d.program) AS n
  FROM determinations d JOIN persons p ON p.county = d.county AND p.id = d.person_id
  WHERE d.year = 2024 AND d.eligible AND d.program IN ('jf', 'tf_death', 'tf_disability')
    AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.county = d.county AND r.person_id = d.person_id AND r.program = d.program);
INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, status, created_at, updated_at)
  SELECT county, (SELECT next FROM id_seq WHERE name = 'recipient') + n - 1, person_id, program, region, '2023-12-31', 2024, 'active', now(), now()
  FROM roll_new;
UPDATE id_seq SET next = next + (SELECT COUNT(*) FROM roll_new) WHERE name = 'recipient';
COMMIT;
