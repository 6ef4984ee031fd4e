"""Blind review leaks nothing through files: a reviewer of a blind call downloads a copy of each
PDF without its Info dictionary, XMP metadata and annotations; an open call serves the original.
"""

import io
import logging

import pikepdf
import pytest
from flask import current_app

from accelerator.applications import services as application_services
from accelerator.applications.attachments import add_attachment
from accelerator.applications.enums import ApplicationStatus, AttachmentKind
from accelerator.core.clock import utcnow
from accelerator.extensions import db
from tests.conftest import sign_in
from tests.factories import make_application, make_organisation, make_user
from tests.reviews.reviewing_helpers import assign, make_reviewer, review_call

MEMBER = "Marta Vilanova"
LEGAL_NAME = "Helixa Therapeutics SL"
NAMES = [MEMBER.encode(), LEGAL_NAME.encode()]
PAGE_TEXT = b"Subretinal AAV8 vector restoring RPGR expression"


def _xmp(creator: str, producer: str) -> bytes:
    return f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
<pdf:Producer>{producer}</pdf:Producer><xmp:CreatorTool>{producer} slides</xmp:CreatorTool>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>""".encode()


def pdf_naming_the_team() -> bytes:
    """Two pages whose content names nobody, but whose Info, XMP (the document's and a page's)
    and an annotation name a team member and the organisation; saved uncompressed."""
    pdf = pikepdf.new()
    for _page in range(2):
        pdf.add_blank_page()
    first = pdf.pages[0]
    first.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (" + PAGE_TEXT + b") Tj ET")
    pdf.docinfo = pdf.make_indirect(
        pikepdf.Dictionary(
            Author=MEMBER,
            Creator=f"{LEGAL_NAME} design team",
            Producer=f"PowerPoint for {LEGAL_NAME}",
            Title=f"{LEGAL_NAME} pitch deck",
            Subject=f"Deck by {MEMBER}",
            Keywords=f"{LEGAL_NAME}, {MEMBER}",
        )
    )
    pdf.Root.Metadata = pdf.make_stream(_xmp(MEMBER, LEGAL_NAME))
    first.obj.Metadata = pdf.make_stream(_xmp(LEGAL_NAME, MEMBER))
    note = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Text,
        Rect=[72, 600, 92, 620],
        T=MEMBER,
        Contents=f"Check the figures with {LEGAL_NAME}",
    )
    first.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(note)]))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


@pytest.fixture
def download(app):
    """Returns a function (content, blind) -> the response to the assigned reviewer's download
    of the application's pitch deck."""

    def fetch(content: bytes, *, blind: bool):
        call = review_call(blind_review=blind)
        organisation = make_organisation(legal_name=LEGAL_NAME)
        member = make_user(name=MEMBER, organisation=organisation)
        now = utcnow()
        with current_app.test_request_context():  # the receipt email builds links
            application = make_application(call, member=member, complete=True)
            deck = add_attachment(
                application,
                kind=AttachmentKind.PITCH_DECK,
                filename="deck.pdf",
                content=content,
                by=member,
                now=now,
            )
            application_services.submit_application(application, by=member, now=now)
        application.status = ApplicationStatus.ELIGIBLE
        db.session.commit()
        reviewer = make_reviewer()
        assignment = assign(application, reviewer)
        client = app.test_client()
        sign_in(client, reviewer)
        with client.get(f"/reviews/{assignment.id}/attachments/{deck.id}") as response:
            response.get_data()  # read before the file it streams is closed
        return response

    return fetch


def _every_stream(pdf: pikepdf.Pdf) -> list[bytes]:
    return [obj.read_bytes() for obj in pdf.objects if isinstance(obj, pikepdf.Stream)]


def test_the_test_pdf_names_the_team_outside_its_pages():
    original = pdf_naming_the_team()

    assert [name for name in NAMES if name in original] == NAMES
    with pikepdf.open(io.BytesIO(original)) as pdf:
        assert [name for name in NAMES if name in pdf.pages[0].Contents.read_bytes()] == []


def test_blind_download_names_nobody_in_its_bytes(download):
    response = download(pdf_naming_the_team(), blind=True)

    served = response.get_data()
    with pikepdf.open(io.BytesIO(served)) as pdf:
        streams = _every_stream(pdf)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert [name for name in NAMES if name in served] == []
    assert [name for name in NAMES for stream in streams if name in stream] == []


def test_blind_download_has_no_info_xmp_or_annotations_and_keeps_its_pages(download):
    served = download(pdf_naming_the_team(), blind=True).get_data()

    with pikepdf.open(io.BytesIO(served)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert [page.index for page in pdf.pages if "/Annots" in page.obj] == []
        with_metadata = [
            obj.objgen
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream) and "/Metadata" in obj
        ]
        assert with_metadata == []
        assert len(pdf.pages) == 2
        assert PAGE_TEXT in pdf.pages[0].Contents.read_bytes()


def test_open_download_serves_the_original_bytes(download):
    original = pdf_naming_the_team()

    response = download(original, blind=False)

    assert (response.status_code, response.get_data()) == (200, original)


def test_blind_download_of_an_unreadable_pdf_says_it_cannot_be_anonymised(download, caplog):
    # Its first bytes say PDF, so the upload accepted it; pikepdf cannot read the rest.
    unreadable = b"%PDF-1.4\n" + MEMBER.encode() + b" " + LEGAL_NAME.encode() + b"\n%%EOF\n"

    with caplog.at_level(logging.WARNING, logger="accelerator.applications.anonymised"):
        response = download(unreadable, blind=True)

    page = response.get_data(as_text=True)
    assert (response.status_code, response.mimetype) == (422, "text/html")
    assert "This document cannot be anonymised, so it is not offered in a blind review." in page
    assert [name for name in (MEMBER, LEGAL_NAME) if name in page] == []
    assert [record.levelname for record in caplog.records] == ["WARNING"]
