"""Attachments: PDFs judged by content, at most 10 MB, stored under a generated name outside
static/, downloaded as attachments; a request over the limit gets the friendly 413 page."""

import http.client
import io
import re
import socket
import threading
import uuid
import wsgiref.simple_server
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from accelerator.accounts.enums import Role
from accelerator.applications.attachments import (
    MAX_ATTACHMENT_BYTES,
    FileTooLarge,
    add_attachment,
    remove_attachment,
    safe_filename,
)
from accelerator.applications.enums import AttachmentKind
from accelerator.applications.models import Attachment
from accelerator.extensions import db
from tests.applications.conftest import (
    NOW,
    PNG_BYTES,
    apply_at,
    call_at,
    current_attachments,
    field_errors,
    flashes,
    member_of,
    submissions_of,
    token_of,
)
from tests.conftest import sign_in
from tests.factories import PDF_BYTES, make_application, make_call, make_user

ELEVEN_MB = 11 * 1024 * 1024
SMALL_BUFFER = 64 * 1024
NOT_A_PDF = "The file is not a PDF. Please upload a PDF document."


def _pdf_of_size(size: int) -> bytes:
    return PDF_BYTES + b"%" * (size - len(PDF_BYTES))


def _stored_files(app) -> set[str]:
    return {path.name for path in Path(app.config["UPLOAD_FOLDER"]).iterdir()}


@pytest.fixture
def draft(client):
    """A signed-in member's draft (no files yet) and a CSRF token of their session."""
    member = member_of()
    application = make_application(make_call(), member=member, title="Vector therapy")
    sign_in(client, member)
    return application, token_of(client, f"/applications/{application.id}")


def _upload(client, application, token, content: bytes, filename: str, kind="pitch_deck"):
    return client.post(
        f"/applications/{application.id}/attachments",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


# --- what is accepted --------------------------------------------------------------------


def test_png_renamed_to_pdf_is_refused_next_to_the_file_field(app, client, draft):
    application, token = draft
    files_before = _stored_files(app)

    response = _upload(client, application, token, PNG_BYTES, "deck.pdf")

    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), "file") == [NOT_A_PDF]
    assert current_attachments(application) == []
    assert _stored_files(app) == files_before


def test_pdf_is_stored_outside_static_under_a_generated_name(app, client, draft):
    application, token = draft

    response = _upload(client, application, token, PDF_BYTES, "RETIGENE deck.pdf")

    assert response.headers["Location"] == f"/applications/{application.id}"
    assert flashes(client) == [("success", "RETIGENE deck.pdf is uploaded.")]
    [attachment] = current_attachments(application)
    assert attachment.original_filename == "RETIGENE deck.pdf"
    assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert (folder / attachment.stored_name).read_bytes() == PDF_BYTES
    assert "RETIGENE deck.pdf" not in _stored_files(app)
    assert Path(app.static_folder) not in folder.resolve().parents


BLIND_NOTICE = (
    "This call is reviewed blind: the documents must not name the team or the organisation."
)


@pytest.mark.parametrize(("blind", "told"), [(True, True), (False, False)])
def test_upload_tells_applicants_of_a_blind_call_not_to_name_the_team(client, blind, told):
    member = member_of()
    application = make_application(make_call(blind_review=blind), member=member)
    sign_in(client, member)

    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    refused = _upload(
        client, application, token_of(client, f"/applications/{application.id}"), b"", "x.pdf"
    )

    help_text = re.search(r'<div id="file-help" class="form-text">(.*?)</div>', page, re.S)[1]
    assert (BLIND_NOTICE in help_text) is told
    assert (BLIND_NOTICE in refused.get_data(as_text=True)) is told


def test_pdf_is_judged_by_content_not_by_its_name(app, client, draft):
    application, token = draft

    response = _upload(client, application, token, PDF_BYTES, "deck.bin")

    assert response.status_code == 302
    assert [a.original_filename for a in current_attachments(application)] == ["deck.bin.pdf"]


def test_uploaded_filename_keeps_no_directory_part(client, draft):
    application, token = draft

    _upload(client, application, token, PDF_BYTES, "../../instance/deck.pdf")

    assert [a.original_filename for a in current_attachments(application)] == ["deck.pdf"]


@pytest.mark.parametrize(
    ("uploaded", "stored"),
    [
        ("deck", "deck.pdf"),
        ("deck.PDF", "deck.PDF"),
        ("notes.exe", "notes.exe.pdf"),
        ("deck.pdf.exe", "deck.pdf.exe.pdf"),
        ("C:\\Users\\ana\\deck.pdf", "deck.pdf"),
        ("line\r\nbreak\x0b.pdf", "linebreak.pdf"),
        (".pdf", "document.pdf"),
        ("", "document.pdf"),
        ("x" * 300, "x" * 251 + ".pdf"),
        ("y" * 300 + ".pdf", "y" * 251 + ".pdf"),
    ],
)
def test_stored_file_name_always_ends_in_pdf(uploaded, stored):
    assert safe_filename(uploaded) == stored


def test_uploaded_file_without_pdf_suffix_is_stored_with_it(client, draft):
    application, token = draft

    _upload(client, application, token, PDF_BYTES, "deck")

    assert [a.original_filename for a in current_attachments(application)] == ["deck.pdf"]


def test_pdf_of_exactly_10_mb_is_accepted_and_one_byte_more_is_refused(app):
    member = member_of()
    application = apply_at(call_at(), member=member)

    add_attachment(
        application,
        kind=AttachmentKind.LETTER,
        filename="ten.pdf",
        content=_pdf_of_size(MAX_ATTACHMENT_BYTES),
        by=member,
        now=NOW,
    )
    with pytest.raises(FileTooLarge):
        add_attachment(
            application,
            kind=AttachmentKind.LETTER,
            filename="ten-and-a-byte.pdf",
            content=_pdf_of_size(MAX_ATTACHMENT_BYTES + 1),
            by=member,
            now=NOW,
        )

    assert [(a.original_filename, a.size_bytes) for a in current_attachments(application)] == [
        ("ten.pdf", MAX_ATTACHMENT_BYTES)
    ]


# --- downloading -------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["member", "manager"])
def test_attachment_downloads_as_an_attachment(client, reader):
    member = member_of()
    application = make_application(make_call(), member=member, complete=True)
    [deck] = current_attachments(application)
    sign_in(client, member if reader == "member" else make_user(Role.PROGRAMME_MANAGER))

    with client.get(f"/attachments/{deck.id}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == "attachment; filename=deck.pdf"
        assert response.mimetype == "application/pdf"
        assert response.get_data() == PDF_BYTES


# --- replacing and removing --------------------------------------------------------------


def test_new_pitch_deck_replaces_the_old_but_the_first_snapshot_names_the_old(client):
    member = member_of()
    application = make_application(make_call(), member=member, submitted=True)
    [old_deck] = current_attachments(application)
    sign_in(client, member)
    token = token_of(client, f"/applications/{application.id}")

    _upload(client, application, token, PDF_BYTES + b"%v2", "deck-v2.pdf")

    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    documents = re.findall(r'<a href="/attachments/\d+">([^<]+)</a>', page)
    assert documents == ["deck-v2.pdf"]
    [snapshot] = submissions_of(application)
    assert [(a["id"], a["filename"]) for a in snapshot.content["attachments"]] == [
        (old_deck.id, "deck.pdf")
    ]
    receipt = client.get(f"/applications/{application.id}/submissions/1").get_data(as_text=True)
    assert "<li>deck.pdf (pitch_deck," in receipt
    assert "deck-v2.pdf" not in receipt
    # The old file is kept: the snapshot still names it.
    with client.get(f"/attachments/{old_deck.id}") as response:
        assert (response.status_code, response.get_data()) == (200, PDF_BYTES)


def test_letters_accumulate(app):
    member = member_of()
    application = apply_at(call_at(), member=member)
    for name in ("letter-1.pdf", "letter-2.pdf"):
        add_attachment(
            application,
            kind=AttachmentKind.LETTER,
            filename=name,
            content=PDF_BYTES,
            by=member,
            now=NOW,
        )

    assert [a.original_filename for a in current_attachments(application)] == [
        "letter-1.pdf",
        "letter-2.pdf",
    ]


def test_removed_attachment_leaves_the_list_but_keeps_its_file(app):
    member = member_of()
    application = apply_at(call_at(), member=member, complete=True)
    [deck] = current_attachments(application)

    remove_attachment(deck, by=member, now=NOW)

    assert current_attachments(application) == []
    assert db.session.scalar(select(Attachment.removed_at).where(Attachment.id == deck.id)) == NOW
    assert (Path(app.config["UPLOAD_FOLDER"]) / deck.stored_name).exists()


# --- the 413 page ------------------------------------------------------------------------


def test_upload_of_11_mb_gets_the_413_page_from_the_test_client(app, client, draft):
    application, token = draft
    files_before = _stored_files(app)
    # Encoded here: werkzeug's test client would spool a body this large to a temporary file
    # that nothing closes once the app refuses to read it (a ResourceWarning).
    body, content_type = _multipart(
        {"csrf_token": token, "kind": "pitch_deck"}, "huge.pdf", _pdf_of_size(ELEVEN_MB)
    )

    response = client.post(
        f"/applications/{application.id}/attachments", data=body, content_type=content_type
    )

    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is too large" in page
    assert "Uploads may be at most 10 MB." in page
    assert current_attachments(application) == []
    assert _stored_files(app) == files_before


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 -- the signature of the method replaced
        pass


def _serve(app, kind: str):
    if kind == "werkzeug":
        return make_server("127.0.0.1", 0, app, threaded=True)
    # The standard library's server, like gunicorn's sync workers, closes the connection
    # without reading what the application left unread: only the app's own draining helps.
    return wsgiref.simple_server.make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)


@pytest.fixture(params=["werkzeug", "wsgiref"])
def live_server(request, app):
    """The test app on a free loopback port, served from a thread.

    Socket buffers are kept small (accepted connections inherit the listener's), as over a
    real network: on loopback the kernel would otherwise buffer all 11 MB and hide a server
    that answers without reading the body, then resets the connection.
    """
    server = _serve(app, request.param)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUFFER)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_upload_of_11_mb_gets_the_413_page_from_a_real_server(app, client, draft, live_server):
    application, token = draft
    session_cookie = client.get_cookie("session").value
    body, content_type = _multipart(
        {"csrf_token": token, "kind": "pitch_deck"}, "huge.pdf", _pdf_of_size(ELEVEN_MB)
    )
    connection = http.client.HTTPConnection("127.0.0.1", live_server, timeout=30)
    connection.connect()
    connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_BUFFER)

    try:
        connection.request(
            "POST",
            f"/applications/{application.id}/attachments",
            body=body,
            headers={"Content-Type": content_type, "Cookie": f"session={session_cookie}"},
        )
        response = connection.getresponse()
        page = response.read().decode()
    finally:
        connection.close()

    assert response.status == 413
    assert "The file is too large" in page
    assert "Uploads may be at most 10 MB." in page
    assert current_attachments(application) == []
