"""The one PDF helper: Django template → WeasyPrint → PDF bytes.

Per process, once: the letter stylesheet is parsed into a ``weasyprint.CSS`` and the bundled
fonts are registered in one ``FontConfiguration``; both are reused for every document. The
URL fetcher serves only the bundled assets under ``letters/static/letters/`` (from memory after
the first read) and refuses everything else: no network, no file outside the asset directory,
no data: URLs. A letter's HTML links to nothing, so rendering one touches no file or network.
Every PDF is PDF/A-3a (archival, tagged; see ``letters.pdfa``).
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .pdfa import PDF_VARIANT

logger = logging.getLogger(__name__)
# WeasyPrint logs every layout step at INFO: noise in a worker that prints thousands of letters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

ASSET_DIR = (Path(__file__).resolve().parent / "static" / "letters").resolve()
BASE_URL = ASSET_DIR.as_uri() + "/"
STYLESHEET = "letter.css"


class AssetRefused(ValueError):
    """A URL outside the bundled assets was asked for."""


class BundledAssetFetcher(URLFetcher):
    """Serves ``file://`` URLs inside ``ASSET_DIR`` only; remembers every URL it was asked for."""

    def __init__(self, asset_dir: Path = ASSET_DIR):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.asset_dir = Path(asset_dir).resolve()
        self.requested: list[str] = []
        self.refused: list[str] = []
        self._cache: dict[Path, bytes] = {}
        self._lock = threading.Lock()

    def resolve(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise AssetRefused(f"Niet-gebundelde bron geweigerd: {parts.scheme}:")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.asset_dir) or not path.is_file():
            raise AssetRefused("Bestand buiten de gebundelde bronnen geweigerd")
        return path

    def fetch(self, url, headers=None):
        with self._lock:
            self.requested.append(url)
        try:
            path = self.resolve(url)
        except AssetRefused:
            with self._lock:
                self.refused.append(url)
            logger.warning("PDF: refused a non-bundled resource")
            raise
        with self._lock:
            body = self._cache.get(path)
            if body is None:
                body = self._cache[path] = path.read_bytes()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".woff":
            content_type = "font/woff"
        return URLFetcherResponse(path.as_uri(), body=body, headers={"Content-Type": content_type})


class _Renderer:
    """Process-wide WeasyPrint state: fetcher, font configuration and parsed stylesheet."""

    def __init__(self):
        self.fetcher = BundledAssetFetcher()
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            filename=str(ASSET_DIR / STYLESHEET),
            base_url=BASE_URL,
            url_fetcher=self.fetcher,
            font_config=self.font_config,
        )

    def html_to_pdf(self, html: str) -> bytes:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=self.fetcher)
        return document.write_pdf(stylesheets=[self.stylesheet], font_config=self.font_config, pdf_variant=PDF_VARIANT)


_renderer: _Renderer | None = None
_renderer_lock = threading.Lock()


def get_renderer() -> _Renderer:
    """The process's renderer, built on first use (after a fork each worker builds its own)."""
    global _renderer
    if _renderer is None:
        with _renderer_lock:
            if _renderer is None:
                _renderer = _Renderer()
    return _renderer


def html_to_pdf(html: str) -> bytes:
    return get_renderer().html_to_pdf(html)


def render_to_pdf(template_name: str, context: dict) -> bytes:
    """Render a Django template (auto-escaped) and print it with the letter stylesheet and fonts."""
    return html_to_pdf(render_to_string(template_name, context))
