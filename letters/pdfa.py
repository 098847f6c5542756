"""Letters and bundles as archival PDFs: PDF/A-3a (ISO 19005-3, level A: tagged, Unicode text).

A letter is written by WeasyPrint with ``pdf_variant="pdf/a-3a"`` (``letters.pdf``): XMP metadata
with the PDF/A identification, an sRGB output intent, embedded fonts, a structure tree (tags)
and the document language. WeasyPrint cannot combine this with PDF/UA-1 (one variant per
document); level A already asks for the tags and text a screen reader needs.

A bundle is the letters' own PDFs merged (``merge_pdfa``), not rendered again: pikepdf copies
the pages and keeps what makes the result PDF/A-3a, which a plain page merge (pypdf) drops —
the XMP metadata (new title and dates, PDF/A identification kept), the output intent, the
language, ``MarkInfo`` and the structure tree: each letter's tags become a ``Part`` of one
``Document``, with the page keys of the parent tree renumbered. ``qpdf --check`` and the
checks in ``tests/letters/test_pdfa.py`` hold for letters and bundles alike.
"""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
from pikepdf import Array, Dictionary, Name

PDF_VARIANT = "pdf/a-3a"
PDFA_PART, PDFA_CONFORMANCE = "3", "A"
BUNDLE_TITLE = "Gebundelde ELIP-brieven"


def merge_pdfa(files, *, title: str = BUNDLE_TITLE) -> tuple[bytes, int]:
    """Merge PDF/A-3a letters (binary file objects, in order) into one PDF/A-3a; (bytes, pages)."""
    out = pikepdf.new()
    sources = []
    parts = Array()
    nums = Array()
    key = 0
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=parts))
    try:
        for handle in files:
            src = pikepdf.open(io.BytesIO(handle.read()))
            sources.append(src)
            if len(sources) == 1:
                _copy_document_level(src, out)
            first_page = len(out.pages)
            out.pages.extend(src.pages)
            tree = src.Root.get("/StructTreeRoot")
            if tree is None:
                continue
            # Page keys of this letter's parent tree, renumbered after the letters before it.
            old_nums = list(tree.ParentTree.get("/Nums", Array()))
            remap = {}
            for i in range(0, len(old_nums), 2):
                remap[int(old_nums[i])] = key
                nums.append(key)
                nums.append(_copy(out, old_nums[i + 1]))
                key += 1
            for offset, page in enumerate(src.pages):
                if "/StructParents" in page.obj:
                    out.pages[first_page + offset].obj.StructParents = remap[int(page.obj.StructParents)]
            kids = tree.K if isinstance(tree.K, Array) else Array([tree.K])
            for kid in kids:
                copied = _copy(out, kid)
                if copied.get("/S") == Name.Document:
                    copied.S = Name.Part
                copied.P = document
                parts.append(copied)
        if parts:
            root = out.make_indirect(
                Dictionary(
                    Type=Name.StructTreeRoot,
                    K=Array([document]),
                    ParentTree=out.make_indirect(Dictionary(Nums=nums)),
                    ParentTreeNextKey=key,
                )
            )
            document.P = root
            out.Root.StructTreeRoot = root
            out.Root.MarkInfo = Dictionary(Marked=True)
        _write_metadata(out, title)
        buffer = io.BytesIO()
        # A fresh /ID (PDF/A requires one); object streams keep a 500-letter bundle small.
        out.save(
            buffer,
            fix_metadata_version=True,
            deterministic_id=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
        )
        return buffer.getvalue(), len(out.pages)
    finally:
        for src in sources:
            src.close()
        out.close()


def _copy(out: pikepdf.Pdf, obj):
    """``obj`` of another PDF as an object of ``out`` (indirect objects copied once per source)."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return out.copy_foreign(obj)
    if isinstance(obj, Array):
        return Array([_copy(out, item) for item in obj])
    if isinstance(obj, Dictionary):
        return Dictionary({key: _copy(out, value) for key, value in obj.items()})
    return obj


def _copy_document_level(src: pikepdf.Pdf, out: pikepdf.Pdf) -> None:
    """Output intent, language and viewer preferences of the first letter (all letters share them)."""
    for name in ("/OutputIntents", "/Lang", "/ViewerPreferences"):
        if name in src.Root:
            out.Root[name] = _copy(out, src.Root[name])


def _write_metadata(out: pikepdf.Pdf, title: str) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    out.docinfo["/Title"] = title
    out.docinfo["/Producer"] = "ELIP-portaal (WeasyPrint, pikepdf)"
    with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["pdfaid:part"] = PDFA_PART
        meta["pdfaid:conformance"] = PDFA_CONFORMANCE
        meta["dc:title"] = title
        meta["xmp:CreateDate"] = now
        meta["xmp:ModifyDate"] = now
        meta["xmp:MetadataDate"] = now
