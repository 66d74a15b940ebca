"""Purchase families of the demo Département: CPV code, objects, owning direction, amounts and how often
each carries social and environmental considerations. Invented but plausible for a French département;
the rates follow the national trend (about 20 % social, 30 % environmental, rising)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    cpv: str
    objects: tuple[str, ...]
    direction: str  # direction slug in the demo scheme file
    ccag: str
    median_amount: int
    weight: int  # relative frequency
    social: float  # probability of at least one social consideration
    environmental: float
    framework: float  # probability of a framework agreement


WORKS, SUPPLIES, INTELLECTUAL, IT = (
    "Travaux",
    "Fournitures courantes et services",
    "Prestations intellectuelles",
    "Techniques de l'information et de la communication",
)

FAMILIES = (
    Family("45214200", ("Réhabilitation du collège {place}", "Restructuration de la demi-pension — {place}"),
           "batiments", WORKS, 900_000, 9, 0.45, 0.55, 0.05),
    Family("45261000", ("Réfection de la couverture du collège {place}", "Travaux d'étanchéité — {place}"),
           "batiments", WORKS, 320_000, 6, 0.35, 0.45, 0.10),
    Family("45331000", ("Remplacement des chaufferies — secteur {lot}", "Ventilation du collège {place}"),
           "batiments", WORKS, 260_000, 5, 0.25, 0.60, 0.15),
    Family("90911200", ("Nettoyage des bâtiments départementaux — secteur {lot}",),
           "batiments", SUPPLIES, 450_000, 4, 0.60, 0.50, 0.60),
    Family("79713000", ("Gardiennage des sites départementaux — secteur {lot}",),
           "batiments", SUPPLIES, 380_000, 2, 0.40, 0.10, 0.50),
    Family("09310000", ("Fourniture d'électricité des bâtiments départementaux",),
           "batiments", SUPPLIES, 2_400_000, 1, 0.00, 0.70, 0.90),
    Family("45233140", ("Requalification de la RD {road} à {place}", "Aménagement cyclable de la RD {road}"),
           "voirie", WORKS, 700_000, 8, 0.45, 0.40, 0.20),
    Family("45316110", ("Maintenance de l'éclairage public des routes départementales — secteur {lot}",),
           "voirie", WORKS, 520_000, 3, 0.30, 0.50, 0.70),
    Family("71311000", ("Maîtrise d'œuvre pour l'aménagement de la RD {road}",),
           "voirie", INTELLECTUAL, 150_000, 3, 0.05, 0.30, 0.10),
    Family("55524000", ("Restauration scolaire du collège {place}", "Repas des collèges — secteur {lot}"),
           "colleges", SUPPLIES, 600_000, 5, 0.35, 0.65, 0.50),
    Family("15000000", ("Denrées alimentaires pour les collèges — secteur {lot}",),
           "colleges", SUPPLIES, 220_000, 4, 0.15, 0.55, 0.80),
    Family("39160000", ("Mobilier scolaire pour les collèges — secteur {lot}",),
           "colleges", SUPPLIES, 180_000, 3, 0.20, 0.45, 0.60),
    Family("77310000", ("Entretien du parc départemental — {place}", "Espaces verts — secteur {lot}"),
           "nature", SUPPLIES, 240_000, 5, 0.55, 0.75, 0.40),
    Family("77211400", ("Abattage et élagage des arbres d'alignement — secteur {lot}",),
           "nature", SUPPLIES, 160_000, 2, 0.35, 0.55, 0.50),
    Family("85311000", ("Accueil et hébergement de mineurs non accompagnés — secteur {lot}",),
           "social", SUPPLIES, 850_000, 4, 0.20, 0.05, 0.30),
    Family("80500000", ("Actions de formation des allocataires du RSA — secteur {lot}",),
           "social", SUPPLIES, 210_000, 3, 0.40, 0.05, 0.40),
    Family("48000000", ("Progiciel de gestion {software}", "Maintenance du logiciel {software}"),
           "numerique", IT, 190_000, 4, 0.02, 0.15, 0.40),
    Family("30213100", ("Ordinateurs portables pour les collégiens — secteur {lot}",),
           "numerique", IT, 1_100_000, 2, 0.10, 0.40, 0.80),
    Family("72000000", ("Tierce maintenance applicative — secteur {lot}",),
           "numerique", IT, 420_000, 3, 0.05, 0.15, 0.50),
    Family("79341000", ("Conseil et achat d'espaces publicitaires",),
           "dcap", SUPPLIES, 140_000, 1, 0.05, 0.10, 0.60),
    Family("66510000", ("Assurances du Département — secteur {lot}",),
           "dcap", SUPPLIES, 600_000, 1, 0.00, 0.05, 0.00),
    Family("34144900", ("Véhicules électriques de service — secteur {lot}",),
           "dcap", SUPPLIES, 350_000, 2, 0.05, 0.70, 0.50),
    Family("71313000", ("Assistance à maîtrise d'ouvrage en transition écologique",),
           "dter", INTELLECTUAL, 90_000, 1, 0.05, 0.60, 0.10),
)  # fmt: skip

# Inclusive structures among each family's suppliers (kinds of the inclusive lists: ACI, AI, EI, ETTI, EITI,
# EA, ESAT): the Département reserves contracts of these families to them (L2113-12, L2113-13).
INCLUSIVE_STRUCTURES = {
    "90911200": ("EI", "EA"),  # cleaning
    "77310000": ("ACI", "ESAT", "EI"),  # green spaces
    "77211400": ("ACI",),  # tree pruning
    "55524000": ("ESAT",),  # school meals
    "39160000": ("EA",),  # school furniture
    "80500000": ("AI",),  # training of RSA recipients
}

# Attribution rules for the demo organisation (CPV prefix → direction slug), longest prefix wins.
ATTRIBUTION_RULES = {
    "45": "batiments",
    "4523": "voirie",
    "45316": "voirie",
    "71311": "voirie",
    "909": "batiments",
    "797": "batiments",
    "093": "batiments",
    "555": "colleges",
    "15": "colleges",
    "3916": "colleges",
    "77": "nature",
    "85": "social",
    "805": "social",
    "48": "numerique",
    "72": "numerique",
    "302": "numerique",
    "793": "dcap",
    "665": "dcap",
    "341": "dcap",
    "71313": "dter",
}

PLACES = (
    "Aubervilliers", "Aulnay-sous-Bois", "Bagnolet", "Blanc-Mesnil", "Bobigny", "Bondy", "Clichy-sous-Bois",
    "Drancy", "Épinay-sur-Seine", "Gagny", "La Courneuve", "Le Raincy", "Les Lilas", "Livry-Gargan",
    "Montreuil", "Noisy-le-Grand", "Noisy-le-Sec", "Pantin", "Pierrefitte-sur-Seine", "Rosny-sous-Bois",
    "Saint-Denis", "Saint-Ouen-sur-Seine", "Sevran", "Stains", "Tremblay-en-France", "Villepinte",
)  # fmt: skip
SOFTWARES = ("de l'aide sociale", "des ressources humaines", "financière", "du courrier", "des collèges")
