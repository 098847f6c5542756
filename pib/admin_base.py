"""Shared Django admin pieces: privacy for DUO admins' searches and reads, read-only records."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from .models import Person
from .readlog import log_read
from .search_tokens import search_load, search_store

SEARCH_ID_VAR = "zoek"  # in the URL: a random token, never the search term itself
SEARCH_KIND = "beheer"
MATCH_NOTHING = "_zoek_vindt_niets"  # request attribute: the stored term was a BSN no person has


class PrivateSearchChangeList(ChangeList):
    """The term (from the session) searches, but no link the page renders carries it: pagination,
    sorting and filter links keep only the token."""

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(SEARCH_ID_VAR, None)
        return lookup_params

    def get_query_string(self, new_params=None, remove=None):
        return super().get_query_string({**(new_params or {}), SEARCH_VAR: None}, remove)


def persons_in(objects) -> list[Person]:
    """The persons whose data a list or change page of the registry shows (one query)."""
    ids = {obj.pk if isinstance(obj, Person) else getattr(obj, "person_id", None) for obj in objects}
    ids.discard(None)
    return list(Person.objects.filter(pk__in=ids).only("pk", "bsn")) if ids else []


class PrivateSearchMixin:
    """For every ModelAdmin: searches are POSTed and kept in the session behind a token (a BSN never
    appears in a URL), and every changelist or change page that shows persons' data is read-logged."""

    def get_changelist(self, request, **kwargs):
        return PrivateSearchChangeList

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "_zoeken" in request.POST:
            return self._store_search(request)
        self._apply_search(request)
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            persons = persons_in(changelist.result_list)
            if persons:
                log_read(request, screen=f"beheer: {self.opts.verbose_name_plural}", persons=persons, role="")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None and request.method == "GET":
            persons = persons_in([original])
            if persons:
                log_read(request, screen=f"beheer: {self.opts.verbose_name}", persons=persons, role="")
        return response

    def get_preserved_filters(self, request):
        if SEARCH_VAR not in request.GET:
            return super().get_preserved_filters(request)
        original = request.GET
        request.GET = original.copy()
        request.GET.pop(SEARCH_VAR)
        try:
            return super().get_preserved_filters(request)
        finally:
            request.GET = original

    def _store_search(self, request):
        term = request.POST.get(SEARCH_VAR, "").strip()[:200]
        params = request.GET.copy()
        for name in (SEARCH_VAR, PAGE_VAR, SEARCH_ID_VAR):
            params.pop(name, None)
        if term:
            params[SEARCH_ID_VAR] = search_store(request, SEARCH_KIND, {"term": term})
        return HttpResponseRedirect(f"{request.path}?{params.urlencode()}" if params else request.path)

    def _apply_search(self, request):
        """A term typed into the URL (``?q=``) is ignored; the token's term from the session is used.
        A stored BSN that no person has (any more) finds nothing, rather than everything."""
        if SEARCH_VAR not in request.GET and SEARCH_ID_VAR not in request.GET:
            return
        params = request.GET.copy()
        params.pop(SEARCH_VAR, None)
        search = search_load(request, SEARCH_KIND, params.get(SEARCH_ID_VAR, "")) or {}
        if search.get("term"):
            params[SEARCH_VAR] = search["term"]
        elif "term" in search:
            setattr(request, MATCH_NOTHING, True)
        request.GET = params

    def get_search_results(self, request, queryset, search_term):
        if getattr(request, MATCH_NOTHING, False):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class PortalModelAdmin(PrivateSearchMixin, admin.ModelAdmin):
    """The base of every ModelAdmin in this project."""


class ReadOnlyAdmin(PortalModelAdmin):
    """For records the application writes and nobody edits: logs, history, run output.
    DUO admins search and read; adding, changing and deleting are refused (403)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegistryHistoryAdmin(SimpleHistoryAdmin, PortalModelAdmin):
    """A registry model with django-simple-history: its "Geschiedenis" page lists every version
    (who, when, what) — and, as it shows the person's data, is read-logged like a change page."""

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, unquote(object_id)) if response.status_code == 200 else None
        if obj is not None:
            persons = persons_in([obj])
            if persons:
                log_read(request, screen=f"beheer: geschiedenis {self.opts.verbose_name}", persons=persons, role="")
        return response
