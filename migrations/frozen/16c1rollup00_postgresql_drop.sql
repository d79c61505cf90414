-- 16c1rollup00, postgresql: the triggers taken away (downgrade)
-- Frozen as the revision made it: the migration must mean the same on every later checkout.
-- Statements are separated by the line '-- next statement'.
DROP TRIGGER IF EXISTS hours_rollups_update ON hours_entries
-- next statement
DROP TRIGGER IF EXISTS hours_rollups_insert_delete ON hours_entries
-- next statement
DROP FUNCTION IF EXISTS hours_rollups_apply()
