from pathlib import Path

import pytest

from spaser.contracts.services import import_decp_file
from tests.factories import BuyerFactory, build_register

FIXTURES = Path(__file__).parent.parent / "fixtures"
REGISTERS = FIXTURES / "registers"
MEGALIS = FIXTURES / "decp" / "megalis_decp-59920013600241-2024-07-09-01.json"
BUYER = "59920013600241"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Result files and uploads go to a temporary media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def register(db):
    """An organisation whose single buyer is Mégalis' sample buyer, with directions DV and DTER."""
    world = build_register()
    BuyerFactory(organisation=world.organisation, identifier=BUYER, name="Lycée de l'échantillon Mégalis")
    return world


@pytest.fixture
def decp(register):
    """The five real contracts of the Mégalis sample, imported by the DECP importer."""
    return import_decp_file(path=MEGALIS)
