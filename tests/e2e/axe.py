"""axe-core accessibility check for browser tests.

``assert_no_axe_violations(page)`` injects the vendored axe-core (tests/e2e/vendor/axe.min.js,
version and licence in tests/e2e/vendor/VERSION) into the current page and fails on any violation
of WCAG 2.0/2.1 level A or AA. Call it after every navigation you want checked; ``include_best``
is not offered on purpose: the bar is A/AA, as the issue asks.
"""

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, tags: v.tags,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


def _inject(page) -> None:
    if page.evaluate("() => typeof window.axe !== 'undefined'"):
        return
    try:
        page.add_script_tag(path=str(AXE_JS))
    except Exception as exc:  # the portal's CSP (script-src 'self') refuses an injected inline <script>
        if "Content Security Policy" not in str(exc):
            raise
        # Evaluated through the DevTools protocol, which the page's CSP does not govern.
        page.evaluate("(source) => { (0, eval)(source); }", AXE_JS.read_text())
    assert page.evaluate("() => typeof window.axe !== 'undefined'"), "axe-core could not be injected"


def axe_violations(page) -> list[dict]:
    _inject(page)
    return page.evaluate(_RUN, WCAG_TAGS)


def format_violations(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    at {n['target']}: {n['summary']}" for n in v["nodes"][:5])
    return "\n".join(lines)


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core found WCAG A/AA violations on {page.url}:\n{format_violations(violations)}"
