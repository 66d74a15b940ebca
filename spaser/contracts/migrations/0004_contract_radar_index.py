"""The renewal radar at 100 000 contracts (bench/RESULTS.md « Charge »), on PostgreSQL: its window (the
marchés whose radar date — renewal deadline, else end date — falls within 12 months either side of today)
read from a partial index on that date instead of a scan of the whole table; the columns the radar sorts and
filters on are covered, so its page of ids is an index-only scan. Measured on 101 105 contracts: the radar's
page query 163 → 22 ms.

PostgreSQL only, like 0002 (SQLite accepts neither INCLUDE nor this planning); not in the model's Meta.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS contract_radar ON contracts_contract "
    "(buyer_siret, (COALESCE(renewal_deadline, end_date))) "
    "INCLUDE (id, uid, kind, direction_id, renewal_deadline, end_date) WHERE kind = 'marche'"
)
DROP = "DROP INDEX IF EXISTS contract_radar"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0003_contract_list_index_year")]

    operations = [migrations.RunPython(create, drop)]
