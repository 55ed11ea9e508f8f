-- The ledger is written ahead of the requests it counts: a row is committed, and on disk, before its request is sent
-- (in_flight), and settled when the answer comes. A row a crash left in flight counts as spent, as KV may have billed
-- its request; the budget and the report count it like any other. Rows written before this migration are settled.
ALTER TABLE kv_ledger ADD COLUMN IF NOT EXISTS in_flight BOOLEAN DEFAULT FALSE NOT NULL;
