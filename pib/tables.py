"""The one way to drive a django-tables2 table on a screen: sorting and paging from the URL, and
the context of the one pager (``templates/partials/pager.html``).

Guarantees: only sort keys that name a sortable column reach django-tables2; a table's page size is
fixed (``PAGE_SIZE``, 20 as DUO's manual shows) and no request parameter (``per_page``,
``per_pagina``, …) changes it; a page number that is not a positive ASCII number, or lies past the
end, shows the first or the last page instead of an error; the pager is the manual's horizontal
"< VORIGE  1 VAN 11  VOLGENDE >" (capitals by CSS) and is left out for a single page.
"""

import re
from collections.abc import Callable

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


def table_configure(table, request):
    """Sort ``table`` by the URL's known sort keys and show the URL's page of ``PAGE_SIZE`` rows."""
    order_by = clean_order_by(table, request.GET.getlist(table.prefixed_order_by_field))
    if order_by:
        table.order_by = order_by
    paginate_fixed(table, request.GET.get(table.prefixed_page_field))
    return table


def same_query_page_url(request, table) -> Callable[[int], str]:
    """Page URLs that keep the rest of the query string (the sort) as it is."""

    def page_url(number: int) -> str:
        params = request.GET.copy()
        params[table.prefixed_page_field] = number
        return f"?{params.urlencode()}"

    return page_url


def pager(table, page_url: Callable[[int], str]) -> dict | None:
    """The pager's context, or None when everything fits on one page."""
    page = table.page
    if page is None or table.paginator.num_pages < 2:
        return None
    return {
        "number": page.number,
        "count": table.paginator.num_pages,
        "previous_url": page_url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": page_url(page.next_page_number()) if page.has_next() else "",
    }
