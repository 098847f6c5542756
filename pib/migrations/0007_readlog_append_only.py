"""The read log is append-only in PostgreSQL too, not only in the application.

A trigger refuses every UPDATE and DELETE of ``pib_readlogentry``, with two exceptions:
- the retention function ``pib_readlog_apply_retention()`` deletes rows older than the retention
  period (2 years; docs/privacy.md) — and even it cannot delete younger rows;
- an UPDATE that only sets ``person_id`` to NULL (``on_delete=SET_NULL`` when a person is erased
  from the registry) is allowed; every other column must stay as it was.
On SQLite (the embedded demo) this migration does nothing.
"""

from django.db import migrations

FORWARDS = """
CREATE OR REPLACE FUNCTION pib_readlog_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('pib.readlog_retention', true) = 'on' AND OLD.at < now() - interval '2 years' THEN
            RETURN OLD;
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.person_id IS NULL AND OLD.person_id IS NOT NULL
           AND (NEW.id, NEW.at, NEW.user_id, NEW.municipality_id, NEW.role, NEW.screen, NEW.bsn_hash,
                NEW.bsn_key_id, NEW.result)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.at, OLD.user_id, OLD.municipality_id, OLD.role, OLD.screen, OLD.bsn_hash,
                OLD.bsn_key_id, OLD.result) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'De leesregistratie kan alleen worden aangevuld (% geweigerd).', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS pib_readlogentry_append_only ON pib_readlogentry;
CREATE TRIGGER pib_readlogentry_append_only BEFORE UPDATE OR DELETE ON pib_readlogentry
    FOR EACH ROW EXECUTE FUNCTION pib_readlog_guard();

CREATE OR REPLACE FUNCTION pib_readlog_apply_retention() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    removed bigint;
BEGIN
    PERFORM set_config('pib.readlog_retention', 'on', true);
    DELETE FROM pib_readlogentry WHERE at < now() - interval '2 years';
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('pib.readlog_retention', 'off', true);
    RETURN removed;
END $$;
"""

BACKWARDS = """
DROP TRIGGER IF EXISTS pib_readlogentry_append_only ON pib_readlogentry;
DROP FUNCTION IF EXISTS pib_readlog_guard();
DROP FUNCTION IF EXISTS pib_readlog_apply_retention();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS, params=None)


class Migration(migrations.Migration):
    dependencies = [("pib", "0006_duo_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
