"""Errors of the indicator engine."""


class InvalidParams(ValueError):
    """The parameters do not fit the method; the message is French and names the parameter."""


class NotComputable(Exception):
    """No figure can be computed (the data it needs is missing, or it is entered by people): the message
    says why, shown as « pas de données », never 0."""
