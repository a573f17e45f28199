"""QR codes for survey links, ready to print on a receipt or a poster (segno, MIT licence)."""

from __future__ import annotations

import base64
import io

import segno


def _code(url: str) -> segno.QRCode:
    # Error correction M survives a crumpled receipt; segno may raise it when that costs no extra size.
    return segno.make_qr(url, error="m", boost_error=True)


def qr_svg(url: str) -> str:
    """A standalone SVG with a quiet zone, scalable to any print size."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, title=url)
    return buffer.getvalue().decode("utf-8")


def qr_data_uri(url: str) -> str:
    """`qr_svg` as a base64 data URI, for an <img> on a page that may load no other file (poster, paper sheet)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url).encode("utf-8")).decode("ascii")


def qr_png(url: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
