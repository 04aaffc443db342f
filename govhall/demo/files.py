"""Sample files for demo data, benchmarks and browser journeys: real PDFs, because
uploads are parsed as what they claim (``core.uploads``)."""

from __future__ import annotations

import io


def blank_pdf(pages: int = 1, *, padding: int = 0) -> bytes:
    """A blank A4 PDF; ``padding`` bytes of metadata make it as large as a real scan."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding:
        writer.add_metadata({"/Subject": "0" * padding})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
