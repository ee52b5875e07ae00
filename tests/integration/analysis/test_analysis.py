"""Analyse your own data: the CSV reader, POST /api/v1/analysis/reliability, the staff page
/app/analysis and ``assess analyse`` (a real process, no database).

The published value end to end is Shrout & Fleiss (1979), Table 2 data: alpha of the four
judges as items equals ICC(3,k), printed as .91 (Table 4) and 0.909 by psych::ICC.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# conftest is on sys.path both under `python -m pytest` and `.venv/bin/pytest`
from conftest import login  # type: ignore[import-not-found]
from litestar.testing import AsyncTestClient

from assessments.psychometrics import (
    analyse_scale,
    cronbach_alpha,
    guttman_lambda6,
    item_analysis,
    omega_total,
    split_half,
)
from reports.environment import CSP as REPORT_CSP
from server.analysis.csv_matrix import parse_matrix, parse_scale
from server.core.errors import Invalid

# Shrout, P. E., & Fleiss, J. L. (1979). Psychological Bulletin, 86, 420-428, Table 2:
# 6 targets x 4 judges (also tests/unit/psychometrics/test_agreement.py). Alpha of the judges as
# items = ICC(3,k) (McGraw & Wong, 1996): .91 in S&F Table 4, 0.909 from psych::ICC(sf).
SF = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)
SF_ALPHA_PUBLISHED = 0.91  # Shrout & Fleiss (1979), Table 4, ICC(3,4)
SF_ALPHA_PSYCH = 0.909  # psych::ICC(sf), ICC3k
URL = "/api/v1/analysis/reliability"
ASSESS = Path(sys.executable).parent / "assess"
HOSTILE = "<script>alert(1)</script>"
# Shrout & Fleiss (1979), Table 2 with an id column
SF_CSV = "target,J1,J2,J3,J4\n" + "\n".join(
    f"t{n + 1}," + ",".join(f"{v:g}" for v in row) for n, row in enumerate(SF)
)
CSV_HEADERS = {"content-type": "text/csv"}
ERROR_ITEM = re.compile(r"<li><code>([^<]*)</code>: ([^<]*)</li>")


def survey(n: int = 120, k: int = 6, seed: int = 1, missing: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((n, 1))
    x = np.clip(np.round(3.5 + theta + rng.standard_normal((n, k))), 1, 6)
    if missing:
        x[rng.random(x.shape) < missing] = np.nan
    return x


def to_csv(x: np.ndarray, names: list[str], *, ids: bool = True, sep: str = ",") -> str:
    head = (["id"] if ids else []) + names
    lines = [sep.join(head)]
    for n, row in enumerate(x):
        cells = ["NA" if np.isnan(v) else f"{v:g}" for v in row]
        lines.append(sep.join(([f"r{n + 1}"] if ids else []) + cells))
    return "\n".join(lines) + "\n"


def problems(r) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, r.text
    return {e["key"]: e["message"] for e in r.json()["extra"]}


# --------------------------------------------------------------------------- CSV reader


def test_reader_ids_delimiters_missing_and_bom() -> None:
    m = parse_matrix("\ufeffrespondent;A;B;C\n1;1;2;3\n2;NA;.;\n3;2;3;nan\n\n4;1.5;2;3\n")
    assert m.delimiter == ";" and m.id_column == "respondent"
    assert m.items == ("A", "B", "C") and m.ids == ("1", "2", "3", "4")
    assert m.lines == (2, 3, 4, 6)  # the blank line 5 is skipped
    assert m.values.shape == (4, 3)
    assert np.isnan(m.values[1]).all() and np.isnan(m.values[2, 2])
    # a comma inside a semicolon file is not a decimal mark: "1,5" is not a number
    with pytest.raises(Invalid):
        parse_matrix("A;B\n1;2\n1,5;3\n2;2\n")


def test_reader_first_column_detection() -> None:
    numeric = parse_matrix("A,B,C\n1,2,3\n2,3,4\n")
    assert numeric.id_column is None and numeric.items == ("A", "B", "C")
    named = parse_matrix("ID,A,B\n101,2,3\n102,3,4\n")
    assert named.id_column == "ID" and named.items == ("A", "B")
    text = parse_matrix("who,A,B\nann,2,3\nbob,3,4\n")
    assert text.id_column == "who" and text.ids == ("ann", "bob")
    tabs = parse_matrix("A\tB\tC\n1\t2\t3\n2\t3\t4\n")
    assert tabs.delimiter == "\t" and tabs.items == ("A", "B", "C")


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("", "file", "empty"),
        ("A,B,C\n", "file", "no respondents"),
        ("A,B\n1,2\n2,3,4\n", "line 3", "3 values"),
        ("A,,C\n1,2,3\n", "column 2", "no name"),
        ("A,B,A\n1,2,3\n", "column A", "named twice"),
        ("A,B,C\n1,2,3\n2,x,4\n", "line 3, column B", "'x' is not a number"),
        ("A,B,C\n1,2,3\n2,inf,4\n", "line 3, column B", "not a number"),
        ("A,B,id\n1,2,3\n2,3,4\n", "column id", "make it the first column"),
        ("id,A\n1,2\n2,3\n", "file", "at least 2 item columns"),
        ("A,B,C\n1,x,3\n1,2,3\n1,2,3\n1,2,3\n", "line 2, column B", "not a number"),
    ],
)
def test_reader_problems_name_the_place(text: str, where: str, says: str) -> None:
    with pytest.raises(Invalid) as exc:
        parse_matrix(text)
    found = {p.path: p.message for p in exc.value.problems}
    assert where in found, found
    assert says in found[where]


def test_reader_first_item_with_a_stray_word_is_an_error_not_an_id() -> None:
    with pytest.raises(Invalid) as exc:
        parse_matrix("A1,A2,A3\n1,2,3\n2,3,4\nthree,4,5\n4,4,4\n")
    keys = [p.path for p in exc.value.problems]
    assert keys == ["line 4, column A1"]


def test_reader_limits() -> None:
    with pytest.raises(Invalid, match="1 problem"):
        parse_matrix("A,B\n" + "1,2\n" * 11, max_rows=10)
    with pytest.raises(Invalid) as exc:
        parse_matrix(",".join(f"I{j}" for j in range(501)) + "\n" + ",".join(["1"] * 501))
    assert "more than 500 items" in exc.value.problems[0].message
    with pytest.raises(Invalid) as exc:
        parse_matrix(b"A,B\n" + b"1,2\n" * 100, max_bytes=100)
    assert "larger than" in exc.value.problems[0].message
    with pytest.raises(Invalid) as exc:
        parse_matrix(b"A,B\n\xff\xfe,1\n")
    assert "UTF-8" in exc.value.problems[0].message
    with pytest.raises(Invalid) as exc:
        parse_matrix("A,B\n" + "1,x\n" * 50)
    assert len(exc.value.problems) == 21  # 20 shown + "and N more"


def test_scale_parameter() -> None:
    assert parse_scale("1,6") == ((1.0, 6.0), [])
    assert parse_scale(" 0 ; 4.5 ") == ((0.0, 4.5), [])
    assert parse_scale(None) == (None, [])
    assert parse_scale("6,1")[1][0].path == "scale"
    assert parse_scale("one to six")[1][0].path == "scale"


# --------------------------------------------------------------------------- API


async def test_anonymous_is_refused(client: AsyncTestClient) -> None:
    r = await client.post(URL, content=SF_CSV, headers=CSV_HEADERS)
    assert r.status_code == 401
    r = await client.get("/app/analysis", follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]


@pytest.mark.parametrize("role", ["admin", "recruiter", "coach"])
async def test_every_staff_role_may_analyse(client: AsyncTestClient, role: str) -> None:
    await login(client, role)
    r = await client.post(URL, content=SF_CSV, headers=CSV_HEADERS)
    assert r.status_code == 200, r.text


async def test_published_alpha_end_to_end(recruiter: AsyncTestClient) -> None:
    r = await recruiter.post(URL, content=SF_CSV, headers=CSV_HEADERS)
    assert r.status_code == 200, r.text
    body = r.json()
    assert round(body["alpha"]["alpha"], 2) == SF_ALPHA_PUBLISHED  # S&F 1979, Table 4
    assert body["alpha"]["alpha"] == pytest.approx(SF_ALPHA_PSYCH, abs=0.0005)  # psych
    assert (body["n"], body["k"]) == (6, 4)
    assert [i["name"] for i in body["items"]] == ["J1", "J2", "J3", "J4"]
    assert {w["code"] for w in body["warnings"]} >= {"small_n"}
    assert any(n["code"] == "id_column" and "target" in n["message"] for n in body["notes"])


async def test_numbers_equal_the_functions_called_directly(recruiter: AsyncTestClient) -> None:
    x = survey(150, 6, missing=0.06)
    names = [f"Q{j + 1}" for j in range(6)]
    r = await recruiter.post(URL, content=to_csv(x, names), headers=CSV_HEADERS)
    assert r.status_code == 200, r.text
    body = r.json()
    a = cronbach_alpha(x)
    lw = cronbach_alpha(x, missing="listwise")
    assert body["alpha"]["alpha"] == pytest.approx(a.alpha, abs=1e-12)
    assert body["alpha"]["std_alpha"] == pytest.approx(a.std_alpha, abs=1e-12)
    assert body["alpha"]["ci"] == pytest.approx(list(a.ci), abs=1e-12)
    assert (body["alpha"]["n"], body["alpha"]["k"]) == (a.n, a.k)
    assert body["alpha_listwise"]["alpha"] == pytest.approx(lw.alpha, abs=1e-12)
    assert body["alpha_listwise"]["n"] == lw.n
    assert body["omega_total"] == pytest.approx(omega_total(x), abs=1e-12)
    assert body["guttman_lambda6"] == pytest.approx(guttman_lambda6(x), abs=1e-12)
    odd = split_half(x, method="odd_even")
    assert body["split_half"]["odd_even"]["spearman_brown"] == pytest.approx(
        odd.spearman_brown, abs=1e-12
    )
    rand = split_half(x, method="random", n_splits=1000, rng=np.random.default_rng(0))
    assert body["split_half"]["random"]["r"] == pytest.approx(rand.r, abs=1e-12)
    ia = item_analysis(x)
    assert [i["r_drop"] for i in body["items"]] == pytest.approx(ia.r_drop.tolist(), abs=1e-12)
    assert [i["alpha_if_deleted"] for i in body["items"]] == pytest.approx(
        ia.alpha_if_deleted.tolist(), abs=1e-12
    )
    assert [i["n"] for i in body["items"]] == ia.n.tolist()
    assert body["missing"]["cells_missing"] == int(np.isnan(x).sum())
    direct = json.loads(json.dumps(analyse_scale(x, items=names).to_dict()))
    notes = [n["code"] for n in body.pop("notes")]
    assert notes == ["id_column", *(n["code"] for n in direct.pop("notes"))]
    assert body == direct


async def test_multipart_upload_gives_the_same(recruiter: AsyncTestClient) -> None:
    raw = await recruiter.post(URL, content=SF_CSV, headers=CSV_HEADERS)
    form = await recruiter.post(URL, files={"file": ("judges.csv", SF_CSV.encode(), "text/csv")})
    assert form.status_code == 200, form.text
    assert form.json() == raw.json()
    missing = await recruiter.post(URL, files={"other": ("x.csv", b"A,B\n1,2\n", "text/csv")})
    assert "file" in problems(missing)


async def test_reverse_keying_changes_alpha_as_expected(recruiter: AsyncTestClient) -> None:
    flipped = SF.copy()
    flipped[:, 1] = 11 - flipped[:, 1]  # J2 stored on a reversed 1-10 scale
    text = to_csv(flipped, ["J1", "J2", "J3", "J4"])
    plain = (await recruiter.post(URL, content=text, headers=CSV_HEADERS)).json()
    keyed = (
        await recruiter.post(f"{URL}?reverse=J2&scale=1,10", content=text, headers=CSV_HEADERS)
    ).json()
    assert plain["alpha"]["alpha"] < 0.5
    assert keyed["alpha"]["alpha"] == pytest.approx(SF_ALPHA_PSYCH, abs=0.0005)
    assert keyed["reverse"] == ["J2"] and keyed["scale"] == [1.0, 10.0]
    assert keyed["items"][1]["reversed"] is True
    assert any(w["code"] == "flagged_items" and "J2" in w["items"] for w in plain["warnings"])
    # without a scale: taken from the data and said in a note. Nobody answered 1 here, so
    # the inferred scale is 2-10: J2 is keyed as 12 - x, a shift of 1 that leaves every
    # covariance (hence alpha) alone but moves the item mean
    inferred = (await recruiter.post(f"{URL}?reverse=J2", content=text, headers=CSV_HEADERS)).json()
    assert inferred["scale_inferred"] is True and inferred["scale"] == [2.0, 10.0]
    note = next(n for n in inferred["notes"] if n["code"] == "scale_inferred")
    assert "2 and 10" in note["message"]
    assert inferred["alpha"]["alpha"] == pytest.approx(keyed["alpha"]["alpha"], abs=1e-12)
    assert inferred["items"][1]["mean"] == pytest.approx(keyed["items"][1]["mean"] + 1)


@pytest.mark.parametrize(
    ("query", "body", "key", "says"),
    [
        ("", "", "file", "empty"),
        ("", "A,B,C\n1,2,3\n2,abc,4\n3,3,3\n", "line 3, column B", "'abc' is not a number"),
        ("?reverse=A,Nope", SF_CSV, "reverse", "Nope"),
        ("?scale=6,1", SF_CSV, "scale", "min must be below max"),
        ("?scale=lots", SF_CSV, "scale", "min,max"),
        ("?scale=1,5", SF_CSV, "column J1", "outside the scale 1–5"),
        ("", "A,B,C\n1,2,3\n2,3,4\n", "file", "too few respondents"),
        ("", "A,B,C\n1,2,3\n1,2,4\n1,2,5\n1,2,6\n", "file", "at least 2"),
    ],
)
async def test_bad_input_is_422_naming_the_place(
    recruiter: AsyncTestClient, query: str, body: str, key: str, says: str
) -> None:
    r = await recruiter.post(URL + query, content=body, headers=CSV_HEADERS)
    found = problems(r)
    assert key in found, found
    assert says in found[key]


async def test_bad_scale_and_bad_file_reported_together(recruiter: AsyncTestClient) -> None:
    r = await recruiter.post(
        f"{URL}?scale=9,1&reverse=X", content="A,B\n1,x\n", headers=CSV_HEADERS
    )
    assert set(problems(r)) == {"scale", "line 2, column B"}


async def test_format_is_checked(recruiter: AsyncTestClient) -> None:
    r = await recruiter.post(f"{URL}?format=docx", content=SF_CSV, headers=CSV_HEADERS)
    assert r.status_code == 400


async def test_html_report(recruiter: AsyncTestClient) -> None:
    x = survey(80, 5)
    names = ["A1", "A2", HOSTILE, "A4", "A5"]
    text = to_csv(x, names)
    r = await recruiter.post(
        f"{URL}?format=html&reverse=A2&scale=1,6", content=text, headers=CSV_HEADERS
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == REPORT_CSP
    html = r.text
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    keyed = x.copy()
    keyed[:, 1] = 7 - keyed[:, 1]
    a = cronbach_alpha(keyed)
    coef = f"{a.alpha:.2f}".replace("0.", ".", 1)
    assert coef in html
    assert f"{a.ci[0]:.2f}".replace("0.", ".", 1) in html
    assert f"{omega_total(keyed):.2f}".replace("0.", ".", 1) in html
    for ref in ("Cronbach, L. J. (1951)", "Feldt, L. S. (1965)", "Guttman, L. (1945)"):
        assert ref in html
    assert "McDonald, R. P. (1999)" in html and "Spearman, C. (1910)" in html
    assert "Cicchetti" in html and "reversed" in html
    assert "<svg" in html  # the item chart


async def test_pdf_report(recruiter: AsyncTestClient) -> None:
    r = await recruiter.post(
        f"{URL}?format=pdf", files={"file": ("judges.csv", SF_CSV.encode(), "text/csv")}
    )
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert 'filename="reliability-judges.pdf"' in r.headers["content-disposition"]


# --------------------------------------------------------------------------- staff page


async def page_token(client: AsyncTestClient) -> str:
    page = await client.get("/app/analysis")
    assert page.status_code == 200
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


async def test_page_is_in_the_navigation_and_shows_the_form(coach_client: AsyncTestClient) -> None:
    page = await coach_client.get("/app/analysis")
    assert page.status_code == 200
    assert 'href="/app/analysis" aria-current="page"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'name="reverse"' in page.text
    assert "at most 5 MB, 100,000 rows and 500 items" in page.text
    assert 'href="/app/analysis"' in (await coach_client.get("/app")).text


@pytest.fixture
async def coach_client(client: AsyncTestClient) -> AsyncTestClient:
    return await login(client, "coach")


async def test_page_upload_shows_results(recruiter: AsyncTestClient) -> None:
    token = await page_token(recruiter)
    r = await recruiter.post(
        "/app/analysis",
        data={"_csrf_token": token, "reverse": "", "scale": "", "output": "page"},
        files={"file": (f"{HOSTILE}.csv", SF_CSV.replace("J3", HOSTILE).encode(), "text/csv")},
    )
    assert r.status_code == 200, r.text[:500]
    assert "<script>alert" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert ".91" in r.text and "Only 6 respondents" in r.text


async def test_page_upload_errors_and_report_outputs(recruiter: AsyncTestClient) -> None:
    token = await page_token(recruiter)
    bad = await recruiter.post(
        "/app/analysis",
        data={"_csrf_token": token, "reverse": "J9", "scale": "1,10", "output": "page"},
        files={"file": ("judges.csv", SF_CSV.encode(), "text/csv")},
    )
    assert bad.status_code == 422
    assert ("reverse", "not in the header: J9 (items: J1, J2, J3, J4)") in ERROR_ITEM.findall(
        bad.text
    )
    assert 'value="J9"' in bad.text  # the form keeps what was typed
    none = await recruiter.post("/app/analysis", data={"_csrf_token": token, "output": "page"})
    assert none.status_code == 422 and "choose a CSV file" in none.text
    pdf = await recruiter.post(
        "/app/analysis",
        data={"_csrf_token": token, "output": "pdf"},
        files={"file": ("judges.csv", SF_CSV.encode(), "text/csv")},
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    html = await recruiter.post(
        "/app/analysis",
        data={"_csrf_token": token, "output": "html"},
        files={"file": ("judges.csv", SF_CSV.encode(), "text/csv")},
    )
    assert html.status_code == 200 and "Reliability of judges.csv" in html.text
    assert html.headers["content-security-policy"] == REPORT_CSP


async def test_page_post_needs_the_csrf_token(recruiter: AsyncTestClient) -> None:
    await page_token(recruiter)
    r = await recruiter.post(
        "/app/analysis",
        data={"output": "page"},
        files={"file": ("judges.csv", SF_CSV.encode(), "text/csv")},
    )
    assert r.status_code == 403


# --------------------------------------------------------------------------- CLI


def assess(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    # no DATABASE_URL needed: point it at a place that cannot exist to prove it
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:////nonexistent/dir/x.db"}
    return subprocess.run(
        [str(ASSESS), "analyse", *args], input=stdin, capture_output=True, timeout=120, env=env
    )


def test_cli_json_to_stdout(tmp_path: Path) -> None:
    f = tmp_path / "judges.csv"
    f.write_text(SF_CSV)
    r = assess(str(f))
    assert r.returncode == 0, r.stderr.decode()
    body = json.loads(r.stdout)
    assert round(body["alpha"]["alpha"], 2) == SF_ALPHA_PUBLISHED
    assert body["alpha"]["alpha"] == pytest.approx(SF_ALPHA_PSYCH, abs=0.0005)
    flipped = SF_CSV.replace("t1,9,2,", "t1,9,9,")
    keyed = assess("-", "--reverse", "J2", "--scale", "1,10", stdin=flipped.encode())
    assert keyed.returncode == 0, keyed.stderr.decode()
    assert json.loads(keyed.stdout)["reverse"] == ["J2"]


def test_cli_html_and_pdf_files(tmp_path: Path) -> None:
    f = tmp_path / "judges.csv"
    f.write_text(SF_CSV.replace("J4", HOSTILE))
    out = tmp_path / "report.html"
    r = assess(str(f), "--format", "html", "--output", str(out))
    assert r.returncode == 0, r.stderr.decode()
    html = out.read_text()
    assert "Reliability of judges.csv" in html and ".91" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    pdf = tmp_path / "report.pdf"
    assert assess(str(f), "--format", "pdf", "-o", str(pdf)).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    to_stdout = assess(str(f), "--format", "html")
    assert to_stdout.stdout.startswith(b"<!doctype html>")


def test_cli_problems_exit_1_naming_them(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("A,B,C\n1,2,3\n2,x,4\n")
    r = assess(str(f), "--scale", "5,1")
    assert r.returncode == 1 and r.stdout == b""
    err = r.stderr.decode()
    assert "line 3, column B: 'x' is not a number" in err
    assert "scale: min must be below max" in err
    f.write_text(SF_CSV)
    r = assess(str(f), "--reverse", "J2,Z", "--scale", "1,9")
    assert r.returncode == 1
    assert "reverse: not in the header: Z" in r.stderr.decode()
    assert "column J1: 10 on line 6 is outside the scale 1–9" in r.stderr.decode()
    missing = assess(str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and b"cannot read" in missing.stderr
