from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .access import choose_municipality, login_required_portal


@login_required_portal
def start(request):
    """Start screen 'Inburgering' (manual §3.1). Filled in by the portal issue."""
    return render(request, "pib/start.html")


@require_POST
@login_required_portal
def choose_municipality_view(request):
    """'Andere gemeente kiezen' (manual §3.7): only municipalities the user holds a role for."""
    raw = request.POST.get("gemeente", "")
    if not raw.isdigit() or not choose_municipality(request, int(raw)):
        messages.error(request, "U bent niet geautoriseerd voor deze gemeente.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "start"
    return redirect(target)


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
