"""Django admin (/beheer/) under the portal's CSP without 'unsafe-inline' (issue 11): Chromium walks
the admin index, every model's changelist, add form, change form and history page, a POSTed search
and a delete confirmation, and records every CSP violation — through a ``securitypolicyviolation``
listener installed before any page script and through console messages. Expected: 0."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.pib.test_admin import populated  # noqa: F401 - the fixture: a small registry with every kind of row

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "Inburgering-Demo-2025"
LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def admin_pages():
    for model in admin.site._registry:
        yield model, f"admin:{model._meta.app_label}_{model._meta.model_name}"


def test_admin_pages_have_no_csp_violations(browser_page, populated, login):  # noqa: F811
    page = browser_page
    console = []
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.context.add_init_script(LISTENER)
    login(page, "operator", PASSWORD)  # /beheer/ signs in through the portal login and its second step
    page.goto("/beheer/")
    assert "/inloggen/" not in page.url

    violations, visited = [], []

    def visit(url):
        page.goto(url)
        page.wait_for_load_state("load")
        found = page.evaluate("window.__csp || []")
        violations.extend(f"{url}: {v}" for v in found)
        visited.append(url)

    visit("/beheer/")
    for model, name in admin_pages():
        visit(reverse(f"{name}_changelist"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            visit(reverse(f"{name}_change", args=[obj.pk]))
            visit(reverse(f"{name}_history", args=[obj.pk]))
        visit(reverse(f"{name}_add"))  # a 403 page where adding is not allowed: still an admin page
    # the POSTed search (templates/admin/search_form.html) and a delete confirmation
    visit(reverse("admin:pib_person_changelist"))
    page.fill("#searchbar", "Jansen")
    page.press("#searchbar", "Enter")
    page.wait_for_load_state("load")
    violations.extend(page.evaluate("window.__csp || []"))
    from pib.models import Institution

    visit(reverse("admin:pib_institution_delete", args=[Institution.objects.order_by("pk").first().pk]))
    visit(reverse("admin:password_change"))
    walked_console = list(console)
    # the instrument works: an inline style injected now is refused and recorded (both channels)
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__csp.length") >= 1
    assert len(console) > len(walked_console)
    print(f"\nadmin pages walked: {len(visited)}, CSP violations: {len(violations) + len(walked_console)}")
    assert len(visited) > 60
    assert not violations, "\n".join(violations[:40])
    assert not walked_console, "\n".join(walked_console[:40])
