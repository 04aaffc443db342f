"""What an uploaded file really is: parsed as the type its first bytes claim.

First bytes alone let ``%PDF-1.4\\n<html><script>…`` or a PNG header followed by SVG
through. So a PDF must open in a real parser (pypdf) and carry no active content —
JavaScript, automatic actions (``/OpenAction`` or ``/AA`` running script or launching
anything), embedded files, XFA forms, rich media — and no HTML/SVG markup; an image must
decode completely (Pillow) and is stored re-encoded, so whatever followed the picture,
and its metadata, are gone. Every refusal names the field ``file`` and the rule.

The files are also served as attachments under ``Content-Security-Policy: sandbox``
(``core.files``): two layers, each enough on its own for the attacks seen so far.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile

from .errors import refuse

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MAGIC = {PDF: (b"%PDF-",), JPEG: (b"\xff\xd8\xff",), PNG: (b"\x89PNG\r\n\x1a\n",)}
MAX_PIXELS = 40_000_000  # a 40-megapixel scan is plenty; more is a decompression bomb
MAX_PDF_OBJECTS = 200_000  # the walk over a PDF's objects stops (and refuses) past this
# Browsers sniff the first 512 bytes; markup there is what turns a "PDF" into a page.
# (Deeper in, compressed data could spell "<svg" by chance; nosniff covers the rest.)
MARKUP_WINDOW = 1024
MARKUP = re.compile(rb"<\s*(?:script|html|svg|body|iframe|object|embed)\b|javascript:", re.I)
# Names whose presence anywhere in a PDF's object graph means active content.
ACTIVE_KEYS = {
    "/JavaScript": "JavaScript脚本",
    "/JS": "JavaScript脚本",
    "/AA": "自动触发的动作（/AA）",
    "/EmbeddedFiles": "嵌入文件",
    "/EmbeddedFile": "嵌入文件",
    "/XFA": "XFA动态表单",
    "/RichMedia": "富媒体内容",
}
# Action types an /OpenAction or a link may not have.
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript脚本",
    "/Launch": "启动外部程序的动作",
    "/ImportData": "导入数据的动作",
    "/SubmitForm": "提交表单的动作",
    "/GoToE": "打开嵌入文件的动作",
    "/GoToR": "打开其他文件的动作",
    "/Rendition": "多媒体动作",
    "/Sound": "多媒体动作",
    "/Movie": "多媒体动作",
}
TYPE_RULE = "只能上传PDF、JPG或PNG格式的文件。"


@dataclass(frozen=True)
class Inspected:
    content_type: str
    content: object  # a Django File to store: the upload itself, or the re-encoded image


def claimed_type(head: bytes) -> str | None:
    return next((t for t, marks in MAGIC.items() if head.startswith(marks)), None)


def inspect(upload) -> Inspected:
    """The file's real type and what to store; a ``Refusal`` on field ``file`` if it is
    not a clean PDF, JPEG or PNG."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    content_type = claimed_type(data[:16])
    if content_type is None:
        raise refuse("file", "type", TYPE_RULE)
    if content_type == PDF:
        check_pdf(data)
        return Inspected(PDF, upload)
    return Inspected(content_type, ContentFile(reencode_image(data, content_type)))


EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}


def display_name(name: str, content_type: str) -> str:
    """The uploaded name with the extension of what the file really is (``x.html`` that
    is a PDF becomes ``x.html.pdf``), so a download never opens as something else."""
    name = (name or "upload").replace("\x00", "")[-190:]
    wanted = EXTENSIONS[content_type]
    if name.lower().endswith(wanted) or (content_type == JPEG and name.lower().endswith(".jpeg")):
        return name
    return name + wanted


# --- PDF ---------------------------------------------------------------------------------


def check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if MARKUP.search(data[:MARKUP_WINDOW]):
        raise refuse("file", "active_content", "PDF文件中含有网页代码（HTML/SVG/脚本），不能上传。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about the repairs it makes
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise refuse("file", "encrypted", "PDF文件已加密，请上传未加密的文件。")
            if len(reader.pages) == 0:
                raise refuse("file", "pdf", "PDF文件没有页面，请重新生成后上传。")
            found = _active_content(reader)
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError,
            OSError, AssertionError, IndexError, UnicodeError):  # fmt: skip
        raise refuse("file", "pdf", "文件不是有效的PDF（无法解析），请重新生成后上传。") from None
    if found:
        raise refuse(
            "file", "active_content", f"PDF文件含有{found}，不能上传；请打印为普通PDF后再上传。"
        )


def _active_content(reader) -> str:
    """The first kind of active content found walking every object from the trailer."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return "过多的对象（疑为构造的恶意文件）"
        if isinstance(node, DictionaryObject):
            for key, value in node.items():
                if key in ACTIVE_KEYS:
                    return ACTIVE_KEYS[key]
                if key in ("/S", "/Subtype") and isinstance(value, NameObject):
                    if key == "/S" and value in ACTIVE_ACTIONS:
                        return ACTIVE_ACTIONS[value]
                    if value in ("/RichMedia", "/Screen", "/Movie", "/FileAttachment", "/3D"):
                        return "富媒体或附件注释"
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return ""


# --- images ------------------------------------------------------------------------------


def reencode_image(data: bytes, content_type: str) -> bytes:
    """Decode the whole picture and encode it afresh (orientation applied, metadata and
    anything after the image data dropped)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    expected = "JPEG" if content_type == JPEG else "PNG"
    label = "JPG" if content_type == JPEG else "PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise refuse(
                        "file",
                        "too_many_pixels",
                        f"图片过大（{width}×{height}像素），请缩小到4000万像素以内再上传。",
                    )
                image.load()
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if expected == "JPEG":
                    if image.mode not in ("RGB", "L", "CMYK"):
                        image = image.convert("RGB")
                    image.save(out, "JPEG", quality=90)
                else:
                    image.save(out, "PNG")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse("file", "too_many_pixels", "图片像素过多，请缩小后再上传。") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise refuse(
            "file", "image", f"文件不是有效的{label}图片（无法完整解码），请重新保存后上传。"
        ) from None
    _check_trailing_markup(data)
    return out.getvalue()


def _check_trailing_markup(data: bytes) -> None:
    """A picture that decodes but carries a web page in it is refused, not cleaned: it
    was made to attack, and the holder should know the file is not what it seems."""
    if MARKUP.search(data[:MARKUP_WINDOW]):
        raise refuse(
            "file", "active_content", "图片文件中夹带网页代码（HTML/SVG/脚本），不能上传。"
        )
