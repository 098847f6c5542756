"""Notices on the start screen "Inburgering" from the apps above pib (a small registry).

The start screen lives in pib, the bottom layer, which may not import the apps that know what to
announce (e.g. elip: "N van uw ELIP-inburgeraars volgen les bij X, dat het keurmerk verloor"). So
the apps register a provider here, from their ``AppConfig.ready()``; the start view asks every
provider for its notices. The dependency points down (elip imports pib), as the layers require.

Guarantees: a provider gets the request (user, ``request.municipality``, ``request.roles``) and
returns only what that user may see for the chosen municipality — scoping stays with the provider
and its selectors. A notice carries text, an optional link and an optional acknowledge action (a
POST with CSRF to ``acknowledge_url``); the start template renders every notice the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    title: str
    text: str
    link_url: str = ""
    link_text: str = ""
    acknowledge_url: str = ""  # empty: nothing to acknowledge
    acknowledge_label: str = "Gelezen"


Provider = Callable[[object], list[Notice]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add ``provider(request) -> list[Notice]`` (once; a second registration is ignored)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def notices_for(request) -> list[Notice]:
    """Every registered provider's notices for this request, in registration order."""
    if getattr(request, "municipality", None) is None:
        return []
    return [notice for provider in _providers for notice in provider(request)]
