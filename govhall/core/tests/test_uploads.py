"""Uploads are parsed as what they claim (the outside probe's files first): a PDF must
open in a real parser and carry no active content; an image must decode and is stored
re-encoded; user files come back as attachments under a sandboxing CSP."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from govhall.cases.models import StoredFile
from govhall.cases.services import applications
from govhall.core.errors import Refusal
from govhall.core.uploads import inspect
from tests.common import applicant, pdf_bytes

JS = DictionaryObject(
    {
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert(1)"),
    }
)


def upload(data: bytes, name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refusal(data: bytes, name: str = "材料.pdf") -> tuple[str, str, str]:
    with pytest.raises(Refusal) as caught:
        inspect(upload(data, name))
    (problem,) = caught.value.problems
    return problem.field, problem.code, problem.message


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def image(kind: str, size=(160, 120)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, kind)  # noise: kilobytes of data
    return out.getvalue()


# --- what the probe sent ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["材料.pdf", "evil.html"])
def test_pdf_magic_followed_by_html_is_refused(name):
    field, code, message = refusal(b"%PDF-1.4\n<html><script>alert(document.cookie)</script>", name)
    assert field == "file" and code == "active_content" and "网页代码" in message


def test_a_pdf_that_does_not_parse_is_refused():
    field, code, message = refusal(b"%PDF-1.4\n% only a header\n")
    assert (field, code) == ("file", "pdf") and "无法解析" in message


def test_a_javascript_open_action_is_refused():
    writer = blank_writer()
    writer._root_object[NameObject("/OpenAction")] = JS
    field, code, message = refusal(written(writer))
    assert (field, code) == ("file", "active_content") and "JavaScript" in message


def test_page_additional_actions_are_refused():
    writer = blank_writer()
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): JS})
    assert "/AA" in refusal(written(writer))[2]


def test_a_document_level_javascript_name_tree_is_refused():
    writer = blank_writer()
    names = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(JS)])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(names)}
    )
    assert "JavaScript" in refusal(written(writer))[2]


def test_embedded_files_are_refused():
    writer = blank_writer()
    writer.add_attachment("readme.txt", b"an attachment the reader's viewer could open")
    assert "嵌入文件" in refusal(written(writer))[2]


def test_a_launch_action_on_a_link_is_refused():
    writer = blank_writer()
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/Launch"),
                    NameObject("/F"): TextStringObject("cmd.exe"),
                }
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    assert "启动外部程序" in refusal(written(writer))[2]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff<html><script>alert(1)</script></html>",
        b"\x89PNG\r\n\x1a\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    ],
)
def test_image_magic_followed_by_markup_is_refused(data):
    field, code, _ = refusal(data, "photo.png")
    assert field == "file" and code in {"image", "active_content"}


def test_unknown_types_are_refused():
    assert refusal(b"<svg onload=alert(1)>", "x.svg")[:2] == ("file", "type")


# --- what stays allowed ------------------------------------------------------------------


def test_an_ordinary_pdf_passes_unchanged():
    data = pdf_bytes()
    inspected = inspect(upload(data))
    assert inspected.content_type == "application/pdf"
    inspected.content.seek(0)
    assert inspected.content.read() == data
    # A plain destination as the open action (show page 1) is not active content.
    writer = blank_writer()
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")]
    )
    assert inspect(upload(written(writer))).content_type == "application/pdf"


@pytest.mark.parametrize(("kind", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_images_are_decoded_and_stored_re_encoded(kind, content_type):
    data = image(kind) + b"<html><script>alert(1)</script></html>" * 40  # trailing payload
    assert len(data) > 4096
    inspected = inspect(upload(data, "photo"))
    assert inspected.content_type == content_type
    clean = inspected.content.read()
    assert b"<script>" not in clean
    with Image.open(io.BytesIO(clean)) as decoded:
        assert decoded.format == kind and decoded.size == (160, 120)


def test_a_decompression_bomb_is_refused():
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # 81 megapixels in a few kilobytes
    field, code, _ = refusal(out.getvalue(), "bomb.png")
    assert (field, code) == ("file", "too_many_pixels")


# --- through the hall: nothing kept, served safely ----------------------------------------


@pytest.mark.django_db
def test_the_locker_refuses_active_content_and_serves_files_as_sandboxed_attachments(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    identity = applicant()
    client = Client()
    client.force_login(identity.user)
    url = reverse("cases:locker")
    evil = SimpleUploadedFile("evil.html", b"%PDF-1.4\n<html><script>alert(1)</script></html>")
    response = client.post(url, {"title": "材料", "file": evil})
    assert response.status_code == 400
    assert "网页代码" in response.content.decode()
    assert not StoredFile.objects.filter(owner=identity.user).exists()

    stored = applications.store_file(identity.user, upload(pdf_bytes(), "申请表.html"))
    assert stored.name == "申请表.html.pdf"  # the name says what it is
    with stored.content.open("rb") as handle:
        assert PdfReader(handle).pages
    download = client.get(reverse("cases:locker-file", args=[stored.public_id]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert download["X-Content-Type-Options"] == "nosniff"
    b"".join(download.streaming_content)
