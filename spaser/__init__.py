"""Spaser: run a SPASER (schéma de promotion des achats socialement et écologiquement responsables)."""

__version__ = "0.1.0"
