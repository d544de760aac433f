"""The old name of ``analysis.facts``, kept so that code importing it keeps working."""

from .facts import CONSUMERS, REMOVALS_BY_KIND, ModuleFacts, analyse_module

__all__ = ["CONSUMERS", "REMOVALS_BY_KIND", "ModuleFacts", "analyse_module"]
