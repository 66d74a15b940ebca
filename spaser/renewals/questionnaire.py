"""The *juste besoin* questionnaire (domain.md §7), short form: sections A-D, each question answered
yes / no / unknown with a comment. Data only, so that the need review of purchase projects can reuse it.

Answers are stored as {question_key: {"answer": "yes"|"no"|"unknown", "comment": "…"}}.
"""

from __future__ import annotations

from dataclasses import dataclass

YES, NO, UNKNOWN = "yes", "no", "unknown"
ANSWERS = ((YES, "Oui"), (NO, "Non"), (UNKNOWN, "Ne sait pas"))
ANSWER_LABELS = dict(ANSWERS)


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    guidance: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    questions: tuple[Question, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "A",
        "A. Besoin et service rendu",
        (
            Question(
                "a_still_needed",
                "Le besoin est-il toujours d'actualité ?",
                "Quelle fonction (et non quel produit), pour qui, pourquoi ; que se passe-t-il si l'on ne "
                "renouvelle pas ?",
            ),
            Question("a_fully_used", "Le marché qui s'achève a-t-il été entièrement consommé ?"),
            Question(
                "a_can_reduce",
                "Peut-on réduire la quantité, la fréquence ou le niveau de service ?",
                "Le cahier des charges est-il surdimensionné ?",
            ),
        ),
    ),
    Section(
        "B",
        "B. Alternatives à l'achat neuf",
        (
            Question(
                "b_use_existing",
                "Peut-on utiliser l'existant (stock, autres directions) ou prolonger la vie du bien ?",
            ),
            Question(
                "b_pool",
                "Peut-on mutualiser (autres directions, groupement d'achat, UGAP) ?",
            ),
            Question(
                "b_rent_reuse",
                "Peut-on louer, acheter le service plutôt que le produit, réparer ou acheter du réemploi ?",
            ),
        ),
    ),
    Section(
        "C",
        "C. Impacts et coût",
        (
            Question("c_life_cycle", "Le coût du cycle de vie a-t-il été estimé (R2152-9) ?"),
            Question(
                "c_environment",
                "Les principaux impacts environnementaux et le levier (spécification, clause, critère) "
                "sont-ils identifiés ?",
            ),
            Question(
                "c_carbon_energy",
                "L'empreinte carbone et la consommation d'énergie de l'achat ont-elles été examinées ?",
                "Émissions de fabrication, de transport et d'usage ; consommation d'énergie en service ; "
                "alternatives moins émettrices.",
            ),
            Question(
                "c_social",
                "Le potentiel social est-il identifié (heures d'insertion, lot réservé, sourcing inclusif) ?",
            ),
            Question(
                "c_sme", "L'accès des PME est-il facilité (allotissement, avance, délais de paiement) ?"
            ),
        ),
    ),
    Section(
        "D",
        "D. Renouvellement",
        (
            Question(
                "d_results_reviewed",
                "Les résultats du marché qui s'achève sont-ils connus ?",
                "Heures d'insertion réalisées, clauses respectées, incidents.",
            ),
            Question(
                "d_resource_consulted",
                "Les directions ressources concernées ont-elles été consultées ?",
            ),
        ),
    ),
)

QUESTIONS: dict[str, Question] = {q.key: q for section in SECTIONS for q in section.questions}


def empty_answers() -> dict[str, dict[str, str]]:
    return {key: {"answer": UNKNOWN, "comment": ""} for key in QUESTIONS}


def clean_answers(raw: dict | None) -> dict[str, dict[str, str]]:
    """Every question present, unknown keys dropped, answers limited to yes/no/unknown."""
    answers = empty_answers()
    for key, value in (raw or {}).items():
        if key not in QUESTIONS or not isinstance(value, dict):
            continue
        answer = value.get("answer", UNKNOWN)
        answers[key] = {
            "answer": answer if answer in ANSWER_LABELS else UNKNOWN,
            "comment": str(value.get("comment", "")).strip()[:2000],
        }
    return answers
