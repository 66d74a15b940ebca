"""The authorisation matrix: every URL pattern of Spaser and every django-ninja operation, how to build its
example URL from the world of tests/security/world.py, and the rule saying what each role gets.

How to read a line of `MATRIX` (docs/security.md says how to add one):

    "contracts:set_direction": POST(PILOT_OWN_ORG),

- `GET(rule)`: a page that only reads. GET answers as the rule says; a POST must not write: refused (the
  rule's answer, or 405) for the roles the rule refuses, and never a server error for the others.
- `POST(rule)`: an action (POST only). POST answers as the rule says; a GET is refused (405 or the rule's
  answer) for the roles the rule refuses.
- `FORM(rule, post=rule)`: a form page: GET and POST both answer as the rule says (`post` when the write is
  narrower than the read).

A rule gives each role an expected answer: OK (allowed: 200, 201, 204, a redirect elsewhere than the login
page, or a 400/422 form error: an empty POST need not succeed), LOGIN (302 to the login page), 401 (API
without token), 403, 404 (outside the user's organisation: the app never says that the object exists).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

Kwargs = Callable[[SimpleNamespace], dict]

ROLES = (
    "anonymous",
    "no_membership",  # signed in, member of no organisation
    "pilot",
    "prescribing_referent",  # referent of the roads direction, which owns the example objects
    "resource_referent",  # referent of the ecology direction, which is asked for advice
    "committee_member",
    "outsider",  # pilot of another organisation (B): every example object is A's
    "superuser",  # acts as the pilot of every organisation (is_staff too)
)

OK = "ok"
LOGIN = "login"

# Patterns that are not Spaser's own and keep their own access rules: Django's admin (staff only, its
# own login and model permissions). Static files are served by WhiteNoise outside the URL conf, and there
# is no debug URL.
EXCLUDED_NAMESPACES = ("admin",)


@dataclass(frozen=True)
class Rule:
    name: str
    expected: dict[str, str | int]

    def __str__(self) -> str:
        return self.name


def rule(name: str, *answers: str | int) -> Rule:
    assert len(answers) == len(ROLES), name
    return Rule(name, dict(zip(ROLES, answers, strict=True)))


# fmt: off
#                     anonymous no_membership pilot prescribing resource committee outsider superuser
PUBLIC =        rule("PUBLIC",        OK,    OK,  OK, OK,  OK,  OK,  OK,  OK)
LOGGED_IN =     rule("LOGGED_IN",     LOGIN, OK,  OK, OK,  OK,  OK,  OK,  OK)
# Pages without an object: each member sees its own organisation's (the outsider, B's).
MEMBER =        rule("MEMBER",        LOGIN, 404, OK, OK,  OK,  OK,  OK,  OK)
PILOT =         rule("PILOT",         LOGIN, 404, OK, 403, 403, 403, OK,  OK)
PROJECT_CREATOR = rule("PROJECT_CREATOR", LOGIN, 404, OK, OK, OK, 403, OK, OK)
# Pages of one of A's objects: another organisation's pilot gets a 404.
OWN_ORG_READ =  rule("OWN_ORG_READ",  LOGIN, 404, OK, OK,  OK,  OK,  404, OK)
PILOT_OWN_ORG = rule("PILOT_OWN_ORG", LOGIN, 404, OK, 403, 403, 403, 404, OK)
# Objects of the roads direction: the pilot and that direction's referent write; another direction's
# referent neither reads (entries) nor writes.
OWN_DIRECTION_WRITE = rule("OWN_DIRECTION_WRITE", LOGIN, 404, OK, OK, 403, 403, 404, OK)
OWN_DIRECTION_READ =  rule("OWN_DIRECTION_READ",  LOGIN, 404, OK, OK, 403, OK,  404, OK)
# Advice asked of the ecology direction: the pilot and that direction's referent write it.
ASKED_DIRECTION_WRITE = rule("ASKED_DIRECTION_WRITE", LOGIN, 404, OK, 403, OK, 403, 404, OK)
# A direction's dashboard (here the ecology one): a prescribing referent sees only its own direction.
DIRECTION_DASHBOARD = rule("DIRECTION_DASHBOARD", LOGIN, 404, OK, 403, OK, OK, 404, OK)
# The API token of the pilot: only its owner revokes it (404 for everyone else, superusers included).
TOKEN_OWNER =   rule("TOKEN_OWNER",   LOGIN, 404, OK, 404, 404, 404, 404, 404)
LOGOUT =        rule("LOGOUT",        LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)
NO_PAGE =       rule("NO_PAGE",       404,   404, 404, 404, 404, 404, 404, 404)
# The API (bearer tokens, no session): a token of each role's user; anonymous sends none.
API_PUBLIC =    rule("API_PUBLIC",    OK,    OK,  OK, OK,  OK,  OK,  OK,  OK)
API_TOKEN =     rule("API_TOKEN",     401,   OK,  OK, OK,  OK,  OK,  OK,  OK)
API_OWN_ORG =   rule("API_OWN_ORG",   401,   404, OK, OK,  OK,  OK,  404, OK)
API_OWN_DIRECTION_WRITE = rule("API_OWN_DIRECTION_WRITE", 401, 404, OK, OK, 403, 403, 404, OK)
# fmt: on


@dataclass(frozen=True)
class Entry:
    main: str  # "GET", "POST" or "FORM"
    rule: Rule
    post: Rule | None = None  # FORM: the rule of POST when narrower than GET's

    def rule_for(self, method: str) -> Rule | None:
        """The rule `method` answers by, or None when the method is not the view's (refused or ignored)."""
        if self.main == "FORM":
            return self.post or self.rule if method == "POST" else self.rule
        return self.rule if method == self.main else None


def GET(rule: Rule) -> Entry:  # the table's verbs
    return Entry("GET", rule)


def POST(rule: Rule) -> Entry:
    return Entry("POST", rule)


def FORM(rule: Rule, post: Rule | None = None) -> Entry:
    return Entry("FORM", rule, post)


JSON_FILE = "donnees.json"  # a report's file that needs no rendering


# Example URL kwargs, from the world of tests/security/world.py.
def none(w) -> dict:
    return {}


def slug(w) -> dict:
    return {"slug": w.scheme.slug}


def pk(attribute: str) -> Kwargs:
    def kwargs(w) -> dict:
        return {"pk": getattr(w, attribute).pk}

    return kwargs


def scheme_pk(attribute: str, key: str = "pk") -> Kwargs:
    def kwargs(w) -> dict:
        return {"slug": w.scheme.slug, key: getattr(w, attribute).pk}

    return kwargs


def named(key: str, attribute: str) -> Kwargs:
    def kwargs(w) -> dict:
        return {key: getattr(w, attribute).pk}

    return kwargs


# pattern name -> (what each role gets, the example URL's kwargs from the world)
# fmt: off
MATRIX: dict[str, tuple[Entry, Kwargs]] = {
    # the register (schemes)
    "schemes:index": (GET(LOGGED_IN), none),
    "schemes:scheme_create": (FORM(PILOT), none),
    "schemes:detail": (GET(OWN_ORG_READ), slug),
    "schemes:scheme_edit": (FORM(PILOT_OWN_ORG), slug),
    "schemes:axis_create": (FORM(PILOT_OWN_ORG), slug),
    "schemes:axis_edit": (FORM(PILOT_OWN_ORG), scheme_pk("axis")),
    "schemes:axis_delete": (FORM(PILOT_OWN_ORG), scheme_pk("axis")),
    "schemes:commitment_create": (FORM(PILOT_OWN_ORG), scheme_pk("axis", "parent_pk")),
    "schemes:commitment_edit": (FORM(PILOT_OWN_ORG), scheme_pk("commitment")),
    "schemes:commitment_delete": (FORM(PILOT_OWN_ORG), scheme_pk("commitment")),
    "schemes:objective_create": (FORM(PILOT_OWN_ORG), scheme_pk("commitment", "parent_pk")),
    "schemes:objective_edit": (FORM(PILOT_OWN_ORG), scheme_pk("objective")),
    "schemes:objective_delete": (FORM(PILOT_OWN_ORG), scheme_pk("objective")),
    "schemes:action_create": (FORM(PILOT_OWN_ORG), scheme_pk("commitment", "parent_pk")),
    "schemes:action_edit": (FORM(PILOT_OWN_ORG), scheme_pk("action")),
    "schemes:action_delete": (FORM(PILOT_OWN_ORG), scheme_pk("action")),
    "schemes:indicator_create": (FORM(PILOT_OWN_ORG), scheme_pk("commitment", "parent_pk")),
    "schemes:indicator_edit": (FORM(PILOT_OWN_ORG), scheme_pk("indicator")),
    "schemes:indicator_delete": (FORM(PILOT_OWN_ORG), scheme_pk("indicator")),
    "schemes:action_progress": (FORM(OWN_DIRECTION_WRITE), scheme_pk("action")),
    "schemes:indicator_detail": (GET(OWN_ORG_READ), scheme_pk("indicator")),
    "schemes:indicator_targets": (FORM(PILOT_OWN_ORG), scheme_pk("indicator")),
    # contracts, attribution, imports
    "contracts:list": (GET(MEMBER), none),
    "contracts:export_csv": (GET(MEMBER), none),
    "contracts:export_xlsx": (GET(MEMBER), none),
    "contracts:detail": (GET(OWN_ORG_READ), pk("contract")),
    "contracts:set_direction": (POST(PILOT_OWN_ORG), pk("contract")),
    "contracts:clear_direction": (POST(PILOT_OWN_ORG), pk("contract")),
    "contracts:rules": (GET(MEMBER), none),
    "contracts:rule_create": (FORM(PILOT), none),
    "contracts:rule_edit": (FORM(PILOT_OWN_ORG), pk("attribution_rule")),
    "contracts:rule_delete": (FORM(PILOT_OWN_ORG), pk("attribution_rule")),
    "contracts:rules_apply": (POST(PILOT), none),
    "contracts:unattributed": (GET(MEMBER), none),
    "imports:history": (GET(MEMBER), none),
    "imports:upload": (FORM(PILOT), none),
    "imports:report": (GET(OWN_ORG_READ), pk("batch")),
    "imports:quarantine": (GET(PILOT), none),
    "imports:quarantined_record": (FORM(PILOT_OWN_ORG), pk("quarantined")),
    "imports:quarantined_ignore": (POST(PILOT_OWN_ORG), pk("quarantined")),
    # internal registers
    "registers:index": (GET(PILOT), none),
    "registers:upload": (FORM(PILOT), lambda w: {"kind_slug": "marches"}),
    "registers:mapping": (FORM(PILOT_OWN_ORG), pk("register_upload")),
    "registers:preview": (FORM(PILOT_OWN_ORG), pk("register_upload")),
    "registers:run": (POST(PILOT_OWN_ORG), pk("register_upload")),
    "registers:detail": (GET(PILOT_OWN_ORG), lambda w: {"pk": w.register_import.batch_id}),
    "registers:report": (GET(PILOT_OWN_ORG), lambda w: {"pk": w.register_import.batch_id}),
    # suppliers
    "suppliers:list": (GET(MEMBER), none),
    "suppliers:detail": (GET(OWN_ORG_READ), pk("supplier")),
    # campaigns
    "campaigns:list": (GET(MEMBER), none),
    "campaigns:open": (FORM(PILOT), none),
    "campaigns:detail": (GET(OWN_ORG_READ), pk("campaign")),
    "campaigns:close": (POST(PILOT_OWN_ORG), pk("campaign")),
    "campaigns:reopen": (POST(PILOT_OWN_ORG), pk("campaign")),
    "campaigns:remind": (POST(PILOT_OWN_ORG), pk("campaign")),
    "campaigns:entry": (FORM(OWN_DIRECTION_READ, post=OWN_DIRECTION_WRITE), pk("entry")),
    "campaigns:validate": (POST(PILOT_OWN_ORG), pk("entry")),
    "campaigns:send_back": (POST(PILOT_OWN_ORG), pk("entry")),
    "campaigns:evidence": (GET(OWN_DIRECTION_READ), pk("entry")),
    # renewals
    "renewals:radar": (GET(MEMBER), none),
    "renewals:csv": (GET(MEMBER), none),
    "renewals:review": (FORM(OWN_ORG_READ, post=OWN_DIRECTION_WRITE), pk("contract")),
    # purchase projects
    "projects:advice_list": (GET(MEMBER), none),
    "projects:advice": (FORM(OWN_ORG_READ, post=ASKED_DIRECTION_WRITE), pk("advice")),
    "projects:advice_deadline": (POST(PILOT_OWN_ORG), pk("advice")),
    "projects:refer": (FORM(PILOT_OWN_ORG), pk("project")),
    "projects:rule_list": (GET(PILOT), none),
    "projects:rule_create": (FORM(PILOT), none),
    "projects:rule_edit": (FORM(PILOT_OWN_ORG), pk("referral_rule")),
    "projects:rule_active": (POST(PILOT_OWN_ORG), pk("referral_rule")),
    "projects:rule_test": (GET(PILOT_OWN_ORG), pk("referral_rule")),
    "projects:load_defaults": (POST(PILOT), none),
    "projects:clause_list": (GET(MEMBER), none),
    "projects:clause_create": (FORM(PILOT), none),
    "projects:clause_edit": (FORM(PILOT_OWN_ORG), pk("clause")),
    "projects:clause_active": (POST(PILOT_OWN_ORG), pk("clause")),
    "projects:list": (GET(MEMBER), none),
    "projects:csv": (GET(MEMBER), none),
    "projects:create": (FORM(PROJECT_CREATOR), none),
    "projects:detail": (GET(OWN_ORG_READ), pk("project")),
    "projects:edit": (FORM(OWN_DIRECTION_WRITE), pk("project")),
    "projects:review": (FORM(OWN_ORG_READ, post=OWN_DIRECTION_WRITE), pk("project")),
    "projects:move": (POST(OWN_DIRECTION_WRITE), pk("project")),
    "projects:override": (POST(PILOT_OWN_ORG), pk("project")),
    "projects:contracts": (FORM(OWN_DIRECTION_WRITE), pk("project")),
    # tasks
    "tasks:mine": (GET(MEMBER), none),
    # audit journal (docs/audit.md): the pilot reads its organisation's, others 403
    "audit:list": (GET(PILOT), none),
    "audit:export_csv": (GET(PILOT), none),
    # governance
    "governance:index": (GET(MEMBER), none),
    "governance:committee_create": (FORM(PILOT), none),
    "governance:committee": (GET(OWN_ORG_READ), pk("cotech")),
    "governance:committee_edit": (FORM(PILOT_OWN_ORG), pk("cotech")),
    "governance:member_add": (FORM(PILOT_OWN_ORG), named("committee_pk", "cotech")),
    "governance:member_edit": (FORM(PILOT_OWN_ORG), pk("committee_member_row")),
    "governance:member_remove": (POST(PILOT_OWN_ORG), pk("committee_member_row")),
    "governance:meeting_create": (FORM(PILOT_OWN_ORG), named("committee_pk", "cotech")),
    "governance:meeting": (GET(OWN_ORG_READ), pk("planned")),
    "governance:meeting_edit": (FORM(PILOT_OWN_ORG), pk("planned")),
    "governance:meeting_hold": (FORM(PILOT_OWN_ORG), pk("planned")),
    "governance:meeting_cancel": (FORM(PILOT_OWN_ORG), pk("planned")),
    "governance:agenda_add": (POST(PILOT_OWN_ORG), pk("planned")),
    "governance:agenda_up": (POST(PILOT_OWN_ORG), pk("agenda_item")),
    "governance:agenda_down": (POST(PILOT_OWN_ORG), pk("agenda_item")),
    "governance:agenda_remove": (POST(PILOT_OWN_ORG), pk("agenda_item")),
    "governance:attendance": (FORM(PILOT_OWN_ORG), pk("planned")),
    "governance:minutes": (FORM(PILOT_OWN_ORG), pk("review_copil")),
    "governance:decision_add": (FORM(PILOT_OWN_ORG), named("meeting_pk", "review_copil")),
    "governance:decision_edit": (FORM(PILOT_OWN_ORG), pk("june_decision")),
    "governance:decision_remove": (POST(PILOT_OWN_ORG), pk("june_decision")),
    "governance:action_create": (FORM(PILOT_OWN_ORG), pk("review_copil")),
    "governance:actions": (GET(MEMBER), none),
    "governance:actions_csv": (GET(MEMBER), none),
    "governance:action": (FORM(OWN_ORG_READ, post=OWN_DIRECTION_WRITE), pk("corrective_action")),
    "governance:pack_pdf": (GET(OWN_ORG_READ), pk("june_copil")),
    "governance:pack_xlsx": (GET(OWN_ORG_READ), pk("june_copil")),
    # annual reports
    "reports:index": (GET(MEMBER), none),
    "reports:generate": (POST(PILOT), lambda w: {"year": 2025}),
    "reports:detail": (GET(OWN_ORG_READ), pk("draft_report")),
    "reports:validate": (POST(PILOT_OWN_ORG), pk("draft_report")),
    "reports:publish": (FORM(PILOT_OWN_ORG), pk("draft_report")),
    "reports:reopen": (POST(PILOT_OWN_ORG), pk("draft_report")),
    "reports:correct": (FORM(PILOT_OWN_ORG), pk("published_report")),
    "reports:file": (GET(OWN_ORG_READ), lambda w: {"pk": w.draft_report.pk, "name": "donnees.json"}),
    # API v1 (django-ninja) and the token page
    "api_v1:openapi-json": (GET(PUBLIC), none),
    "api_v1:openapi-view": (GET(PUBLIC), none),
    "api_v1:api-root": (GET(NO_PAGE), none),
    "api_v1:scheme_list": (GET(API_PUBLIC), none),
    "api_v1:scheme_detail": (GET(API_PUBLIC), slug),
    "api_v1:indicator_values": (GET(API_OWN_ORG), slug),
    "api_v1:report_list": (GET(API_PUBLIC), none),
    "api_v1:report_latest": (GET(API_PUBLIC), lambda w: {"slug": w.scheme.slug, "year": 2025}),
    "api_v1:report_version": (GET(API_PUBLIC), lambda w: {"slug": w.scheme.slug, "year": 2025, "version": 1}),
    "api_v1:contract_list": (GET(API_TOKEN), none),
    "api_v1:contract_detail": (GET(API_OWN_ORG), lambda w: {"uid": w.contract.uid}),
    "api_v1:whoami": (GET(API_TOKEN), none),
    "api_v1:entry_value": (POST(API_OWN_DIRECTION_WRITE), lambda w: {"entry_id": w.entry.pk}),
    "api_v1:entry_submit": (POST(API_OWN_DIRECTION_WRITE), lambda w: {"entry_id": w.entry.pk}),
    "api_docs_asset": (GET(PUBLIC), lambda w: {"name": "swagger-ui.css"}),
    "api_tokens": (FORM(LOGGED_IN), none),
    "api_token_revoke": (POST(TOKEN_OWNER), lambda w: {"pk": w.pilot_token.token.pk}),
    # observatory, jobs
    "observatory:national": (GET(LOGGED_IN), none),
    "observatory:position": (GET(MEMBER), none),
    # background jobs (docs/deployment.md « Pannes »): the pilot lists and relaunches its organisation's
    "jobs:list": (GET(PILOT), none),
    "jobs:retry": (POST(PILOT_OWN_ORG), pk("job")),
    "jobs:detail": (GET(OWN_ORG_READ), pk("job")),
    "jobs:state": (GET(OWN_ORG_READ), pk("job")),
    # public site
    "public:index": (GET(PUBLIC), none),
    "public:scheme": (GET(PUBLIC), slug),
    "public:scheme_tree": (GET(PUBLIC), slug),
    "public:reports": (GET(PUBLIC), slug),
    "public:report": (GET(PUBLIC), lambda w: {"slug": w.scheme.slug, "year": 2025}),
    "public:report_version": (GET(PUBLIC), lambda w: {"slug": w.scheme.slug, "year": 2025, "version": 1}),
    "public:report_file": (GET(PUBLIC), lambda w: {"slug": w.scheme.slug, "year": 2025, "name": JSON_FILE}),
    "public:report_version_file": (GET(PUBLIC), lambda w: {
        "slug": w.scheme.slug,
        "year": 2025,
        "version": 1,
        "name": JSON_FILE,
    }),
    "robots": (GET(PUBLIC), none),
    "sitemap": (GET(PUBLIC), none),
    # home, sign-in, dashboards
    "home": (GET(LOGGED_IN), none),
    "login": (FORM(PUBLIC), none),
    # single sign-on (OpenID Connect): 404 while SPASER_OIDC_* are unset (tests/security/test_login.py)
    "oidc_authentication_init": (GET(NO_PAGE), none),
    "oidc_authentication_callback": (GET(NO_PAGE), none),
    "logout": (POST(LOGOUT), none),
    "indicators:dashboard": (GET(MEMBER), none),
    "indicators:direction": (GET(DIRECTION_DASHBOARD), lambda w: {"slug": w.resource.slug}),
    "indicators:axis": (GET(OWN_ORG_READ), pk("axis")),
    "indicators:commitment": (GET(OWN_ORG_READ), pk("commitment")),
    "indicators:indicator": (GET(OWN_ORG_READ), lambda w: {"code": w.indicator.code}),
    "indicators:drilldown": (GET(OWN_ORG_READ), lambda w: {"code": w.indicator.code}),
    "indicators:drilldown_csv": (GET(OWN_ORG_READ), lambda w: {"code": w.indicator.code}),
    "indicators:indicator_exports:index": (GET(MEMBER), none),
    "indicators:indicator_exports:xlsx": (GET(MEMBER), none),
    "indicators:indicator_exports:csv": (GET(MEMBER), none),
    "indicators:indicator_exports:json": (GET(MEMBER), none),
}
# fmt: on
