"""The control room's navigation (the tabs above every control-room page).

To add a screen: append a ``Section`` here (URL name in the ``controlroom`` namespace, Dutch label,
optionally a permission beyond the control room's own). ``current`` is derived from the URL name
prefix, so sub-pages (e.g. a run's detail) mark their section.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str
    permission: str = ""
    prefix: str = ""  # URL names starting with this mark the section as current (default: url_name)


SECTIONS: list[Section] = [
    Section("controlroom:overview", "Overzicht"),
    Section("controlroom:runs", "Runs", prefix="controlroom:run"),
    Section("controlroom:alerts", "Meldingen", prefix="controlroom:alert"),
    Section("controlroom:actions", "Acties (logboek)", prefix="controlroom:action"),
    Section("controlroom:policy", "Criteria (wat-als)", prefix="controlroom:policy"),
    Section("controlroom:effect", "Effect van de brieven"),
]


def sections(request) -> list[dict]:
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    rows = []
    for section in SECTIONS:
        if section.permission and not request.user.has_perm(section.permission):
            continue
        prefix = section.prefix or section.url_name
        rows.append({"url": reverse(section.url_name), "label": section.label, "current": current.startswith(prefix)})
    return rows
