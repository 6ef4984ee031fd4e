"""Copies of PDFs that name nobody, for the reviewers of blind calls.

A PDF carries its authors outside the pages: the Info dictionary (Author, Creator, Producer,
Title…), XMP metadata (the document's and any object's /Metadata stream) and annotations
(each with its author in /T). pikepdf rewrites the file through qpdf, which writes only what is
still reachable, so the removed objects and earlier revisions are not in the copy.
"""

import io
import logging
from pathlib import Path

import pikepdf
from flask_babel import gettext as _

from accelerator.core.errors import DomainError

log = logging.getLogger(__name__)


class CannotAnonymise(DomainError):
    pass


def anonymised_pdf(path: Path) -> bytes:
    """The PDF at path without its Info dictionary, XMP metadata and annotations; the pages'
    content is left as it is. A file pikepdf cannot read is refused, never served as it is."""
    try:
        with pikepdf.open(path) as pdf:
            _remove_authorship(pdf)
            copy = io.BytesIO()
            # A fresh /ID from the content: the original's could link the copy to its author.
            pdf.save(copy, deterministic_id=True, fix_metadata_version=False)
    except pikepdf.PdfError as error:
        log.warning("PDF %s cannot be anonymised: %s", path.name, error)
        raise CannotAnonymise(
            _("This document cannot be anonymised, so it is not offered in a blind review.")
        ) from error
    return copy.getvalue()


def _remove_authorship(pdf: pikepdf.Pdf) -> None:
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    # Form fields are annotations too: with the annotations gone the form has nothing to show.
    for key in ("/Metadata", "/AcroForm"):
        if key in pdf.Root:
            del pdf.Root[key]
    for page in pdf.pages:
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream) and "/Metadata" in obj:
            del obj["/Metadata"]
