"""The 360 reports' reading of an ICC: no agreement for a negative ICC, too few raters to
judge when the 95 % interval spans more than two Koo & Li bands."""

from __future__ import annotations

from reports.environment import report_environment


def _read(band: str | None) -> str:
    macros = report_environment().get_template("review_macros.html").module
    return " ".join(str(macros.icc_reading(band)).split())  # type: ignore[attr-defined]


def test_negative_icc_reads_as_no_agreement_not_poor() -> None:
    text = _read("none")
    assert "no agreement" in text and "poor" not in text


def test_wide_interval_reads_as_too_few_raters() -> None:
    text = _read("uncertain")
    assert "too few raters to judge" in text and "Excellent" not in text
    assert "95% interval" in text


def test_bands_still_read() -> None:
    assert "excellent" in _read("excellent")
    assert "poor" in _read("poor")
