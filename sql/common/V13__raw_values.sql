-- Raw values: a direct key's value as the bytes the app sent (text or binary), not JSON text. value_json then holds
-- a JSON string of the bytes in base64, and value_base64 is TRUE; NULL (every row before this migration) means the
-- value is JSON text, as before. The embedded local target keeps such a value the same way in value_text.
ALTER TABLE kv_outbox ADD COLUMN IF NOT EXISTS value_base64 BOOLEAN;
ALTER TABLE kv_entry ADD COLUMN IF NOT EXISTS value_base64 BOOLEAN;
ALTER TABLE kv_local ADD COLUMN IF NOT EXISTS value_base64 BOOLEAN;
