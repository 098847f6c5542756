"""Shared django-tables2 helpers.

Guarantees: a table's page size is fixed (``PAGE_SIZE``, 20 as DUO's manual shows); no request
parameter (``per_page``, ``per_pagina``, …) changes it, and a page number that is not a positive
ASCII number, or lies past the end, shows the first or the last page instead of an error.
"""

import re

from django.core.paginator import EmptyPage, PageNotAnInteger

PAGE_SIZE = 20
_PAGE_NUMBER = re.compile(r"[0-9]{1,9}")


def clean_order_by(table, values) -> list[str]:
    """The sort keys of ``values`` (e.g. ``["-datum", "code,naam"]``) that name a sortable column of
    ``table``; anything else a URL may hold is dropped rather than handed to django-tables2."""
    sortable = {column.name for column in table.columns if column.orderable}
    keys = (key.strip() for value in values for key in str(value).split(","))
    return [key for key in keys if key.lstrip("-") in sortable]


def paginate_fixed(table, page_value) -> None:
    """Paginate ``table`` at ``PAGE_SIZE`` rows, on page ``page_value`` (a raw URL value)."""
    raw = str(page_value or "")
    page = int(raw) if _PAGE_NUMBER.fullmatch(raw) and int(raw) > 0 else 1
    try:
        table.paginate(page=page, per_page=PAGE_SIZE)
    except (PageNotAnInteger, EmptyPage):
        table.paginate(page=max(table.paginator.num_pages, 1) if page > 1 else 1, per_page=PAGE_SIZE)
