-- 16c1rollup00, postgresql: the roll-ups from the entries as they are
-- Frozen as the revision made it: the migration must mean the same on every later checkout.
-- Statements are separated by the line '-- next statement'.
INSERT INTO hours_rollup_months (centre_id, status, kind, month, minutes, entries) SELECT e.centre_id, e.status, e.kind, CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer), sum(e.minutes), count(*) FROM hours_entries e WHERE 1 = 1 GROUP BY e.centre_id, e.status, e.kind, CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer)
-- next statement
INSERT INTO hours_rollup_bausteine (centre_id, kind, baustein, month, minutes, entries) SELECT e.centre_id, e.kind, e.baustein, CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer), sum(e.minutes), count(*) FROM hours_entries e WHERE e.status = 'approved' GROUP BY e.centre_id, e.kind, e.baustein, CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer)
-- next statement
INSERT INTO hours_rollup_places (centre_id, meeting_point_id, month, minutes, entries) SELECT e.centre_id, COALESCE(e.meeting_point_id, 0), CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer), sum(e.minutes), count(*) FROM hours_entries e WHERE e.status = 'approved' AND e.kind = 'volunteer' GROUP BY e.centre_id, COALESCE(e.meeting_point_id, 0), CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer)
-- next statement
INSERT INTO hours_rollup_activities (centre_id, activity, month, minutes, entries) SELECT e.centre_id, e.activity, CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer), sum(e.minutes), count(*) FROM hours_entries e WHERE e.status = 'approved' AND e.kind = 'volunteer' GROUP BY e.centre_id, e.activity, CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer)
-- next statement
INSERT INTO hours_rollup_people (centre_id, user_id, month, minutes, entries) SELECT e.centre_id, e.user_id, CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer), sum(e.minutes), count(*) FROM hours_entries e WHERE e.status = 'approved' AND e.kind = 'volunteer' GROUP BY e.centre_id, e.user_id, CAST(EXTRACT(YEAR FROM e.work_date) * 100 + EXTRACT(MONTH FROM e.work_date) AS integer)
-- next statement
INSERT INTO hours_first_days (centre_id, user_id, first_day) SELECT e.centre_id, e.user_id, min(e.work_date) FROM hours_entries e WHERE e.status = 'approved' AND e.kind = 'volunteer' GROUP BY e.centre_id, e.user_id
