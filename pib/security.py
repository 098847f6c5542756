"""Response headers that make the browser enforce what the templates promise."""

from django.conf import settings

# No 'unsafe-inline' anywhere: templates carry no inline <script> or style= attributes
# (tests/pib/test_template_rules.py keeps it that way).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy and the other security headers on every
    response: portal pages, Django admin (``/beheer/``) alike — one policy, no 'unsafe-inline'
    anywhere. Django 5.2's admin needs none (its scripts are files configured by data-
    attributes); the one inline style of django-simple-history's history list is overridden in
    templates/simple_history/. tests/e2e/test_admin_csp.py walks the admin pages in Chromium and
    records 0 CSP violations.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # First in MIDDLEWARE, so these also reach responses that other middleware made from an
        # exception (a 400 for a disallowed Host, raised by CommonMiddleware), not only views' answers.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        policy = CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not settings.DEBUG:
            response.headers.setdefault("Cache-Control", "no-store")
        return response
