"""Shared django-tables2 helpers."""


def clean_order_by(table, values) -> list[str]:
    """The sort keys of ``values`` (e.g. ``["-datum", "code,naam"]``) that name a sortable column of
    ``table``; anything else a URL may hold is dropped rather than handed to django-tables2."""
    sortable = {column.name for column in table.columns if column.orderable}
    keys = (key.strip() for value in values for key in str(value).split(","))
    return [key for key in keys if key.lstrip("-") in sortable]
