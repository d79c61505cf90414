-- 16c1rollup00, sqlite: the triggers taken away (downgrade)
-- Frozen as the revision made it: the migration must mean the same on every later checkout.
-- Statements are separated by the line '-- next statement'.
DROP TRIGGER IF EXISTS hours_rollups_update
-- next statement
DROP TRIGGER IF EXISTS hours_rollups_insert
-- next statement
DROP TRIGGER IF EXISTS hours_rollups_delete
