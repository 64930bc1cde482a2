"""QR codes for the one-time rating links, drawn on the server as SVG (the ``qrcode`` package)."""

import re

import qrcode
from django.utils.safestring import SafeString, mark_safe
from qrcode.image.svg import SvgPathImage

_SIZE = re.compile(r'width="[^"]*" height="[^"]*"')


def qr_svg(text: str) -> SafeString:
    """An SVG QR code of ``text`` that fills its box (medium error correction survives a crease)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    code.add_data(text)
    code.make(fit=True)
    svg = code.make_image(image_factory=SvgPathImage).to_string(encoding="unicode")
    svg = _SIZE.sub('width="100%" height="100%" class="qr-code"', svg, count=1)
    return mark_safe(svg)
