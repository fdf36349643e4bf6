-- Open violations of one account and one type, newest first (the CLI's `--accounts A -t TYPE`): without this
-- index SQLite walks the account's index and reads each row to check its type (~1,500 rows for a page of 50).
CREATE INDEX violation_open_account_type_idx
  ON violation (account_id, violation_type_entity_id, id) WHERE comment IS NULL AND rule_entity_id IS NULL;
