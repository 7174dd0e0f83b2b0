from django.db import migrations

# On Postgres the database itself refuses to change or delete ledger rows: a mistake is
# corrected by a new (voiding) row, whatever code or console touches the table.
FORBID = """
CREATE FUNCTION inventory_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the stock ledger is append-only: record a new movement instead'
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER inventory_stockmovement_append_only
    BEFORE UPDATE OR DELETE ON inventory_stockmovement
    FOR EACH ROW EXECUTE FUNCTION inventory_ledger_append_only();
"""
ALLOW = """
DROP TRIGGER inventory_stockmovement_append_only ON inventory_stockmovement;
DROP FUNCTION inventory_ledger_append_only();
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(forbid, allow)]
