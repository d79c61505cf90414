-- 16d1rollupl0, postgresql: the roll-up trigger taking the centre's advisory lock first
-- Frozen as the revision made it: the migration must mean the same on every later checkout.
-- Statements are separated by the line '-- next statement'.
CREATE OR REPLACE FUNCTION hours_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    remaining integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM pg_advisory_xact_lock(1601, LEAST(OLD.centre_id, NEW.centre_id));
        PERFORM pg_advisory_xact_lock(1601, GREATEST(OLD.centre_id, NEW.centre_id));
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM pg_advisory_xact_lock(1601, NEW.centre_id);
    ELSE
        PERFORM pg_advisory_xact_lock(1601, OLD.centre_id);
    END IF;
    IF TG_OP <> 'INSERT' AND 1 = 1 THEN
        UPDATE hours_rollup_months SET minutes = minutes - OLD.minutes, entries = entries - 1 WHERE centre_id = OLD.centre_id AND status = OLD.status AND kind = OLD.kind AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer) RETURNING entries INTO remaining;
        IF remaining <= 0 THEN DELETE FROM hours_rollup_months WHERE centre_id = OLD.centre_id AND status = OLD.status AND kind = OLD.kind AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer); END IF;
    END IF;
    IF TG_OP <> 'DELETE' AND 1 = 1 THEN
        INSERT INTO hours_rollup_months (centre_id, status, kind, month, minutes, entries) VALUES (NEW.centre_id, NEW.status, NEW.kind, CAST(EXTRACT(YEAR FROM NEW.work_date) * 100 + EXTRACT(MONTH FROM NEW.work_date) AS integer), NEW.minutes, 1) ON CONFLICT (centre_id, status, kind, month) DO UPDATE SET minutes = hours_rollup_months.minutes + excluded.minutes, entries = hours_rollup_months.entries + 1;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status = 'approved' THEN
        UPDATE hours_rollup_bausteine SET minutes = minutes - OLD.minutes, entries = entries - 1 WHERE centre_id = OLD.centre_id AND kind = OLD.kind AND baustein = OLD.baustein AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer) RETURNING entries INTO remaining;
        IF remaining <= 0 THEN DELETE FROM hours_rollup_bausteine WHERE centre_id = OLD.centre_id AND kind = OLD.kind AND baustein = OLD.baustein AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer); END IF;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'approved' THEN
        INSERT INTO hours_rollup_bausteine (centre_id, kind, baustein, month, minutes, entries) VALUES (NEW.centre_id, NEW.kind, NEW.baustein, CAST(EXTRACT(YEAR FROM NEW.work_date) * 100 + EXTRACT(MONTH FROM NEW.work_date) AS integer), NEW.minutes, 1) ON CONFLICT (centre_id, kind, baustein, month) DO UPDATE SET minutes = hours_rollup_bausteine.minutes + excluded.minutes, entries = hours_rollup_bausteine.entries + 1;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status = 'approved' AND OLD.kind = 'volunteer' THEN
        UPDATE hours_rollup_places SET minutes = minutes - OLD.minutes, entries = entries - 1 WHERE centre_id = OLD.centre_id AND meeting_point_id = COALESCE(OLD.meeting_point_id, 0) AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer) RETURNING entries INTO remaining;
        IF remaining <= 0 THEN DELETE FROM hours_rollup_places WHERE centre_id = OLD.centre_id AND meeting_point_id = COALESCE(OLD.meeting_point_id, 0) AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer); END IF;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'approved' AND NEW.kind = 'volunteer' THEN
        INSERT INTO hours_rollup_places (centre_id, meeting_point_id, month, minutes, entries) VALUES (NEW.centre_id, COALESCE(NEW.meeting_point_id, 0), CAST(EXTRACT(YEAR FROM NEW.work_date) * 100 + EXTRACT(MONTH FROM NEW.work_date) AS integer), NEW.minutes, 1) ON CONFLICT (centre_id, meeting_point_id, month) DO UPDATE SET minutes = hours_rollup_places.minutes + excluded.minutes, entries = hours_rollup_places.entries + 1;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status = 'approved' AND OLD.kind = 'volunteer' THEN
        UPDATE hours_rollup_activities SET minutes = minutes - OLD.minutes, entries = entries - 1 WHERE centre_id = OLD.centre_id AND activity = OLD.activity AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer) RETURNING entries INTO remaining;
        IF remaining <= 0 THEN DELETE FROM hours_rollup_activities WHERE centre_id = OLD.centre_id AND activity = OLD.activity AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer); END IF;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'approved' AND NEW.kind = 'volunteer' THEN
        INSERT INTO hours_rollup_activities (centre_id, activity, month, minutes, entries) VALUES (NEW.centre_id, NEW.activity, CAST(EXTRACT(YEAR FROM NEW.work_date) * 100 + EXTRACT(MONTH FROM NEW.work_date) AS integer), NEW.minutes, 1) ON CONFLICT (centre_id, activity, month) DO UPDATE SET minutes = hours_rollup_activities.minutes + excluded.minutes, entries = hours_rollup_activities.entries + 1;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status = 'approved' AND OLD.kind = 'volunteer' THEN
        UPDATE hours_rollup_people SET minutes = minutes - OLD.minutes, entries = entries - 1 WHERE centre_id = OLD.centre_id AND user_id = OLD.user_id AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer) RETURNING entries INTO remaining;
        IF remaining <= 0 THEN DELETE FROM hours_rollup_people WHERE centre_id = OLD.centre_id AND user_id = OLD.user_id AND month = CAST(EXTRACT(YEAR FROM OLD.work_date) * 100 + EXTRACT(MONTH FROM OLD.work_date) AS integer); END IF;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'approved' AND NEW.kind = 'volunteer' THEN
        INSERT INTO hours_rollup_people (centre_id, user_id, month, minutes, entries) VALUES (NEW.centre_id, NEW.user_id, CAST(EXTRACT(YEAR FROM NEW.work_date) * 100 + EXTRACT(MONTH FROM NEW.work_date) AS integer), NEW.minutes, 1) ON CONFLICT (centre_id, user_id, month) DO UPDATE SET minutes = hours_rollup_people.minutes + excluded.minutes, entries = hours_rollup_people.entries + 1;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.status = 'approved' AND OLD.kind = 'volunteer' THEN
        UPDATE hours_first_days SET first_day = (SELECT min(work_date) FROM hours_entries WHERE user_id = OLD.user_id AND centre_id = OLD.centre_id AND status = 'approved' AND kind = 'volunteer') WHERE centre_id = OLD.centre_id AND user_id = OLD.user_id AND first_day >= OLD.work_date;
        IF FOUND THEN DELETE FROM hours_first_days WHERE centre_id = OLD.centre_id AND user_id = OLD.user_id AND first_day IS NULL; END IF;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'approved' AND NEW.kind = 'volunteer' THEN
        INSERT INTO hours_first_days (centre_id, user_id, first_day) VALUES (NEW.centre_id, NEW.user_id, NEW.work_date) ON CONFLICT (centre_id, user_id) DO UPDATE SET first_day = LEAST(hours_first_days.first_day, excluded.first_day);
    END IF;
    RETURN NULL;
END
$body$
-- next statement
DROP TRIGGER IF EXISTS hours_rollups_insert_delete ON hours_entries
-- next statement
CREATE TRIGGER hours_rollups_insert_delete AFTER INSERT OR DELETE ON hours_entries FOR EACH ROW EXECUTE FUNCTION hours_rollups_apply()
-- next statement
DROP TRIGGER IF EXISTS hours_rollups_update ON hours_entries
-- next statement
CREATE TRIGGER hours_rollups_update AFTER UPDATE OF centre_id, user_id, status, kind, work_date, minutes, baustein, meeting_point_id, activity ON hours_entries FOR EACH ROW WHEN (OLD.centre_id IS DISTINCT FROM NEW.centre_id OR OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.status IS DISTINCT FROM NEW.status OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.work_date IS DISTINCT FROM NEW.work_date OR OLD.minutes IS DISTINCT FROM NEW.minutes OR OLD.baustein IS DISTINCT FROM NEW.baustein OR OLD.meeting_point_id IS DISTINCT FROM NEW.meeting_point_id OR OLD.activity IS DISTINCT FROM NEW.activity) EXECUTE FUNCTION hours_rollups_apply()
