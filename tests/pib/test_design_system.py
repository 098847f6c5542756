"""One design system (issue 13, point 5): the portal's screens are built from the NL Design System
components in static/vendor/utrecht/components.css and the Rijkshuisstijl design tokens.

- The project's own CSS has no colour literal: every colour is a var(--…) token (#hex, rgb(),
  hsl() and friends, and named colours fail; ``transparent``/``currentColor`` are keywords, not
  colours of the palette).
- Every utrecht-* class a template, partial or form uses exists in the vendored component CSS (a
  typo or a component that was never vendored fails here, not as an unstyled screen).
- Only the one pager partial draws a pagination; base.html loads the tokens, the component subset
  and portal.css, and not the whole 351 KB component bundle.
"""

import re
from pathlib import Path

import pytest
import tinycss2
from django import forms

from pib.forms import AccessibleFormMixin

ROOT = Path(__file__).resolve().parents[2]
OWN_CSS = sorted((ROOT / "static" / "css").glob("*.css")) + sorted(ROOT.glob("*/static/*/*.css"))
# Not portal screens: the letter's CSS is WeasyPrint's (PDF/A); the control room has the Django
# admin's look and its colours are the admin's own CSS variables (--hairline-color, …).
OWN_CSS = [p for p in OWN_CSS if "letters" not in p.parts and "controlroom" not in p.parts]
COMPONENTS_CSS = ROOT / "static" / "vendor" / "utrecht" / "components.css"
NOT_SERVED = {ROOT / "letters" / "templates"}

# The CSS Color Module 4 named colours.
_NAMED_COLOURS = """
aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet
brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan
darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta
darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen darkslateblue
darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey
dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray
green greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush
lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen
lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray lightslategrey
lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue
mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise
mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive
olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred
papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue
saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray
slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white
whitesmoke yellow yellowgreen
"""
NAMED_COLOURS = set(_NAMED_COLOURS.split())
COLOUR_FUNCTIONS = {"rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color", "color-mix"}


def colour_literals(css: str) -> list[str]:
    """Every colour literal in a stylesheet's declarations, as ``property: literal``."""
    found = []

    def walk_values(prop, tokens):
        for token in tokens:
            if token.type == "hash":
                found.append(f"{prop}: #{token.value}")
            elif token.type == "ident" and token.lower_value in NAMED_COLOURS:
                found.append(f"{prop}: {token.value}")
            elif token.type == "function":
                if token.lower_name in COLOUR_FUNCTIONS:
                    found.append(f"{prop}: {token.name}()")
                else:  # var(--x, <fallback>) and calc() hold values too
                    walk_values(prop, token.arguments)
            elif token.type in ("() block", "[] block", "{} block"):
                walk_values(prop, token.content)

    def walk_rules(rules):
        for rule in rules:
            if rule.type not in ("qualified-rule", "at-rule") or rule.content is None:
                continue
            content = tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True)
            for item in content:
                if item.type == "declaration":
                    walk_values(item.name, item.value)
                elif item.type in ("qualified-rule", "at-rule"):
                    walk_rules([item])

    walk_rules(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))
    return found


def test_the_colour_scan_finds_every_kind_of_literal():
    css = """
    .a { color: #154273; background: rgb(0 0 0); border-color: hsl(0, 0%, 0%); }
    .b { color: var(--x, white); outline: 2px solid Black; }
    @media print { .c { background-color: rgba(0, 0, 0, 0.5) } }
    .d { color: var(--rhc-color-wit); border: 1px solid currentColor; background: transparent; }
    .e { --token: red; }
    """
    assert colour_literals(css) == [
        "color: #154273",
        "background: rgb()",
        "border-color: hsl()",
        "color: white",
        "outline: Black",
        "background-color: rgba()",
        "--token: red",
    ]


def test_there_is_own_css_to_scan():
    assert ROOT / "static" / "css" / "portal.css" in OWN_CSS


@pytest.mark.parametrize("path", OWN_CSS, ids=lambda p: str(p.relative_to(ROOT)))
def test_own_css_has_no_colour_literal(path):
    assert colour_literals(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(ROOT)}: use a design token, var(--rhc-color-…) or a --portal-… alias"
    )


def served_templates():
    for d in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if d not in NOT_SERVED:
            yield from sorted(d.rglob("*.html"))


def component_classes() -> set[str]:
    css = COMPONENTS_CSS.read_text(encoding="utf-8")
    return set(re.findall(r"\.(utrecht-[a-z0-9_-]+)", css))


def used_utrecht_classes(text: str) -> set[str]:
    """utrecht-* class names in class attributes and Python strings; a name built in the template
    (``utrecht-alert--{{ kind }}``) ends in a dash and is left out."""
    return {c for c in re.findall(r"\butrecht-[a-z0-9_-]*[a-z0-9]\b", text) if not c.endswith("-")}


def test_every_utrecht_class_in_use_is_in_the_vendored_components():
    known = component_classes()
    sources = [*served_templates(), *ROOT.glob("*/forms.py"), *ROOT.glob("*/tables.py"), ROOT / "pib" / "forms.py"]
    unknown = {}
    for path in sources:
        missing = used_utrecht_classes(path.read_text(encoding="utf-8")) - known - {"utrecht-document"}
        if missing:
            unknown[str(path.relative_to(ROOT))] = sorted(missing)
    assert unknown == {}, "classes not in static/vendor/utrecht/components.css (scripts/build_nlds_css.py)"


def test_the_alert_kinds_the_partial_builds_exist():
    known = component_classes()
    assert {f"utrecht-alert--{k}" for k in ("error", "warning", "info", "ok")} <= known


def test_only_the_pager_partial_draws_a_pagination():
    drawers = [str(p.relative_to(ROOT)) for p in served_templates() if 'class="utrecht-pagination"' in p.read_text()]
    assert drawers == ["templates/partials/pager.html"]


def test_base_loads_the_tokens_the_component_subset_and_the_portal_css_only():
    base = (ROOT / "templates" / "base.html").read_text()
    sheets = re.findall(r"<link rel=\"stylesheet\" href=\"\{% static '([^']+)' %\}\">", base)
    assert sheets == [
        "vendor/rijkshuisstijl-community/design-tokens/index.css",
        "vendor/utrecht/components.css",
        "css/portal.css",
    ]
    assert COMPONENTS_CSS.stat().st_size < 150_000
    assert not (ROOT / "static" / "vendor" / "rijkshuisstijl-community" / "components-css").exists()


class _Form(AccessibleFormMixin, forms.Form):
    name = forms.CharField(help_text="Hint")
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    agree = forms.BooleanField(required=False)
    roles = forms.MultipleChoiceField(choices=[("x", "X")], widget=forms.CheckboxSelectMultiple, required=False)
    postcode = forms.CharField(widget=forms.TextInput(attrs={"class": "utrecht-textbox--postal-code-nl-size"}))
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    choice = forms.ChoiceField(choices=[("on", "Aan"), ("off", "Uit")], widget=forms.RadioSelect, required=False)


def test_the_form_mixin_renders_every_widget_with_its_component_class():
    form = _Form()
    html = str(form["name"]) + str(form["kind"]) + str(form["agree"]) + str(form["roles"])
    assert 'class="utrecht-textbox utrecht-textbox--html-input"' in str(form["name"])
    assert 'class="utrecht-select utrecht-select--html-select"' in str(form["kind"])
    assert 'class="utrecht-checkbox utrecht-checkbox--html-input"' in str(form["agree"])
    assert 'class="utrecht-checkbox utrecht-checkbox--html-input"' in str(form["roles"])
    assert 'class="utrecht-textbox utrecht-textbox--html-input utrecht-textbox--postal-code-nl-size"' in str(
        form["postcode"]
    )
    assert 'class="utrecht-radio-button utrecht-radio-button--html-input"' in str(form["choice"])
    assert "class=" not in str(form["secret"])
    assert "--invalid" not in html


def test_an_invalid_field_gets_the_invalid_modifier_and_loses_it_when_valid():
    form = _Form(data={"name": "", "kind": "zz", "postcode": "1234 AB"})
    assert not form.is_valid()
    assert "utrecht-textbox--invalid" in str(form["name"]) and 'aria-invalid="true"' in str(form["name"])
    assert "utrecht-select--invalid" in str(form["kind"])
    assert "utrecht-textbox--invalid" not in str(form["postcode"])
    valid = _Form(data={"name": "x", "kind": "a", "postcode": "1234 AB"})
    assert valid.is_valid()
    assert "--invalid" not in str(valid["name"]) + str(valid["kind"])
