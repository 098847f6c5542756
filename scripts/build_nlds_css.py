"""Build static/vendor/utrecht/components.css: only the NL Design System components the portal uses.

The components come from the npm package ``@utrecht/components`` (pinned, see
static/vendor/README.md), one ``<component>/dist/index.css`` each. This script concatenates the
components listed in ``COMPONENTS`` (in that order), drops the comments (each file repeats its
licence header; one EUPL-1.2 header is written at the top), indentation and blank lines. Nothing
else is changed: the rules are the package's own.

    cd /tmp && npm pack @utrecht/components@7.4.0 && mkdir u && tar xzf utrecht-components-7.4.0.tgz -C u
    python scripts/build_nlds_css.py /tmp/u/package

Add a component here (and to the "Components" table in docs/portal.md) before using its classes.
"""

import re
import sys
from pathlib import Path

VERSION = "7.4.0"
COMPONENTS = [
    "document",
    "skip-link",
    "page-header",
    "page-footer",
    "heading-1",
    "heading-2",
    "heading-3",
    "paragraph",
    "link",
    "unordered-list",
    "button",
    "button-link",
    "button-group",
    "form-fieldset",
    "form-field",
    "form-label",
    "form-field-description",
    "form-field-error-message",
    "textbox",
    "select",
    "textarea",
    "checkbox",
    "radio-button",
    "table",
    "pagination",
    "alert",
]
OUT = Path(__file__).resolve().parent.parent / "static" / "vendor" / "utrecht" / "components.css"
HEADER = f"""/*
 * @utrecht/components {VERSION} (npm), EUPL-1.2 — Community for NL Design System, Gemeente Utrecht
 * and contributors. Licence: static/vendor/utrecht/LICENSE.md.
 * Built by scripts/build_nlds_css.py from <component>/dist/index.css of:
 * {", ".join(COMPONENTS)}
 * Comments and indentation removed; the rules are unchanged.
 */
"""


def build(package: Path) -> str:
    parts = [HEADER]
    for name in COMPONENTS:
        css = (package / name / "dist" / "index.css").read_text(encoding="utf-8")
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
        css = re.sub(r"\n\s*", "\n", css).strip()  # no indentation, no blank lines
        parts.append(f"/* {name} */\n{css}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    package = Path(sys.argv[1])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(build(package), encoding="utf-8")
    (OUT.parent / "LICENSE.md").write_text((package / "LICENSE.md").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{OUT}: {OUT.stat().st_size} bytes, {len(COMPONENTS)} components")
