"""The contract list's filter choices in one pass (years, CPV divisions and procedures together,
`selectors.filter_choices`): the notification year joins the columns the `contract_list` index covers, so that
pass stays an index-only scan instead of a scan of the table (PostgreSQL only, as 0002).
"""

from django.db import migrations

COLUMNS = "(buyer_siret, notification_date DESC NULLS LAST, uid)"
COVERED = "id, has_social, has_environmental, amount, procedure, cpv_division"
DROP = "DROP INDEX IF EXISTS contract_list"


def _create(schema_editor, covered: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(f"CREATE INDEX contract_list ON contracts_contract {COLUMNS} INCLUDE ({covered})")


def forwards(apps, schema_editor):
    _create(schema_editor, f"{COVERED}, notification_year")


def backwards(apps, schema_editor):
    _create(schema_editor, COVERED)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_contract_list_index")]

    operations = [migrations.RunPython(forwards, backwards)]
