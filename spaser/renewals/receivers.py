"""A renewal review written or deleted renews the data stamp of the organisations holding its contract
(spaser/organisations/data_stamp.py): the radar's memo of renewals without review depends on reviews."""

from spaser.contracts.models import Contract
from spaser.organisations.data_stamp import organisations_of_buyer, renew_on_commit


def on_review_change(sender, instance, **kwargs) -> None:
    # Read by id, not through `instance.contract`: the contract may be going in the same cascade.
    siret = Contract.objects.filter(pk=instance.contract_id).values_list("buyer_siret", flat=True).first()
    renew_on_commit(None if siret is None else organisations_of_buyer(siret))
