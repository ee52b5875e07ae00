"""How wide a text prints in the reports' font, as an upper bound, before WeasyPrint runs.

Long tables are printed as lines of text (:mod:`reports.lines`): every column but one
is padded to a fixed width with figure spaces, so a row of the table is one line and
WeasyPrint lays out one line per row instead of a box per cell. The one free column (a
candidate's name) must be known to fit its width beforehand, or be wrapped onto more
lines by the caller. :func:`width_em` gives that width.

The figures are the advance widths of DejaVu Sans, the font the report stylesheet asks
for first (installed with ``fonts-dejavu-core``), rounded up to 1/32 em, for Latin
(U+0020–U+024F), Greek and Cyrillic (U+0370–U+04FF) and general punctuation
(U+2000–U+206F), regular and bold. Any other character counts as :data:`UNKNOWN_EM`,
wider than a CJK ideograph of a fallback font. Kerning is left out: DejaVu Sans moves a
pair apart by at most 0.074 em, so callers keep a margin (:data:`MARGIN`). The widths are
checked against the installed font by ``tests/unit/test_report_textwidth.py``.

The common sans-serif fallbacks (Liberation Sans, Arial, Helvetica) are narrower than
DejaVu Sans, so the bound holds for them too.
"""

from __future__ import annotations

import string
import unicodedata

__all__ = [
    "CH_EM",
    "MARGIN",
    "POINT_EM",
    "SPACE_EM",
    "UNKNOWN_EM",
    "printable",
    "width_em",
    "wrap",
]

CH_EM = 1303 / 2048
"""Width of a digit ("0", the CSS ``ch`` unit) in DejaVu Sans, regular, in em; also the
width of a figure space (U+2007) and of a figure dash (U+2012), by their definition."""
POINT_EM = 651 / 2048
"""Width of a full stop in DejaVu Sans, regular, in em; also of a punctuation space
(U+2008), by its definition."""
SPACE_EM = 651 / 2048
"""Width of a space in DejaVu Sans, regular, in em."""
UNKNOWN_EM = 1.25
"""Width counted for a character the tables below do not hold."""
MARGIN = 1.05
"""Factor a caller applies to a width before comparing it with the room it has."""

_STEPS = 32  # the tables hold widths in 1/32 em, one character per code point
_ALPHABET = string.digits + string.ascii_lowercase + string.ascii_uppercase  # 0..61
_MISSING = "~"  # no glyph in DejaVu Sans

# Advance widths of DejaVu Sans 2.37, from (first code point, one code per code point).
_REGULAR = (
    (
        0x0020,
        "bdfrlvp9ddgrbcbbllllllllllbbrrrhwmmnpljppaalisoqkqnlkomwmkmdbdrggklilkcll99j9wlk"
        "llehdljrjjhlblr~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~bdllllbggwgkrcwggrddgllbgdgkwwwh"
        "mmmmmmwnllllaaaapoqqqqqrqooookklkkkkkkwikkkk9999klkkkkkrklllljljmkmkmkninininipl"
        "pllklklklklkplplplplpluna9a9a9a9a9jia9ljji9i9icibiaolololrolqkqkqkzxnenenelhlhlh"
        "lhkdkdkdololololololwrkjkmhmhmhclomlmlnniprmlklqkjcpmwcaoj9jwolqukvpllnlhlbdkdks"
        "lpooomhmmjhlmjhlagfaKGBrqfuuqmka9qkolololololkmkmkwwplplljqkqkmj9KGBplAmolmkwwqk"
        "mkmklklka9a9qkqkneneolollhkdlhplornkmhmklkqkqkqkqkkjgrg9wwmniikhhkgmomlka9plnekj",
    ),
    (
        0x0370,
        "ljsl99ol~~giiiba~~~~ggnbose~q~rrbmmimlmpqalmsolqpk~lkkqmqpakmilbjmljkiilkbjjliik"
        "kljlkjmjmrbjkjrlkknrnmrmqkljjfmmslurpmqkmkpknkkimli9qkkklnsllnnnllqknlaaazyqnokp"
        "mmmkplzloonpspqpknkksmpmzzrtmnznkkjhnktillklplkllijjsjmjuvnqjirkkkkhih999ttlkljl"
        "urpmvotqCxqkxrlistqkpmpmwtvpCxurnih00000eepmmjklkhmjkhztlinknknksrpmxtzutnnikjkj"
        "kjmjuqmjmjmlvovoaztlkpmpmpmmjtp9mkmkwwlkqkqkztlimjololqkqkqknikjkjkjmjkhtqmjmjmj",
    ),
    (
        0x2000,
        "gwgwb86lb7400000cclgwwggbbbbhhhhggjjbmwb00000007HU8ch8chbddrghgqq8wg6dduooglgggb"
        "qgfwqrjmrrbqrbb800000~~~~~000000",
    ),
)
_BOLD = (
    (
        0x0020,
        "cfhrnxsaffhrdedcnnnnnnnnnnddrrrjwppormmrrccplwrsospomqpApoofcfrggmnjnmennbbmbynm"
        "nngkgnlulljncnr~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~cfnnlncggwjlrewggrffgoldgfjlyyyj"
        "ppppppzommmmccccrrsssssrsqqqqooommmmmmyjmmmmbbbbmnmmmmmrmnnnnlnlpmpmpmojojojojrn"
        "rnmmmmmmmmmmrnrnrnrnrnwqcbcbcbcbcbomcbpmmlblblglilcrnrnrnwrnsmsmsmCApgpgpgokokok"
        "okmgmgmgqnqnqnqnqnqnAuoloojojojenqpnpnoojrtpnmmsnmerqyedpmcjyrnssmzuqnpokmigngmr"
        "nsrqpojppljnpljncmicOKGxwmDCypmcbsmqnqnqnqnqnmpmpmzyrnrnpmsmsmpjbOKGrnGqrnpmzysm"
        "pmpmmmmmcbcbsmsmpgpgqnqnokmgnkrnrsqmojpmmmsmsmsmsmolgshbzzpojlmkjqkpqpmmcbsqpgol",
    ),
    (
        0x0370,
        "njxraarn~~gjiidc~~~~fgqdsxj~t~wtdpplpmorscppwrlsro~mmospsscomindmmnmmijnmdnlomjm"
        "qnjplmqlqsdmmmsplmowoqsosmojmgnmulzrrnuoolqmpnmjonjbsllonowonnonmmtloocccBBtrrpr"
        "pppltmEnrrrrwrsroompwpuqEHvypoCpmnlhqmwjnnmornmnnjjlwlomyAptljwlmmnhjkbbbwvomnln"
        "zsroxrwrIAsmExnizysmsnsnByzsJCzsojl00000eevqpkonlhmiqmEwnjpmrmrmxrvqAsFxvsojmjol"
        "olplAxqmqmqnxqxqcEwplvqrnvqqmAubpmpmzymmsmsmEwnjplrnrnsmsmsmojplplplqmlhytmiplpl",
    ),
    (
        0x2000,
        "gwgwb86nd7400000eengwwggddddmmmmggllbmwc00000007LZ9fl9floeewljgrrbxg6ffxrrhlgghd"
        "rhiwrrmrrrdsrdd800000~~~~~000000",
    ),
)


def _table(ranges: tuple[tuple[int, str], ...]) -> dict[str, float]:
    return {
        chr(first + i): _ALPHABET.index(code) / _STEPS
        for first, codes in ranges
        for i, code in enumerate(codes)
        if code != _MISSING
    }


_WIDTHS = {False: _table(_REGULAR), True: _table(_BOLD)}

# Characters that would start a new line in a ``white-space: pre`` block, or move the
# pen: a name must never split a row of a printed table in two.
_BREAKS = dict.fromkeys([*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029], " ")


def printable(text: str) -> str:
    """``text`` on one line: control characters and line or paragraph separators become
    spaces (a name that holds a newline would otherwise print as two rows)."""
    return text.translate(_BREAKS)


def width_em(text: str, *, bold: bool = False) -> float:
    """The width of ``text`` set in DejaVu Sans (bold with ``bold``), in em, never less
    than the width the font gives it before kerning.

    Combining marks and other characters DejaVu Sans draws without advance count 0;
    characters it lacks count :data:`UNKNOWN_EM` each.
    """
    widths = _WIDTHS[bold]
    return sum(widths.get(c, UNKNOWN_EM) for c in text)


def wrap(text: str, room_em: float) -> list[str]:
    """``text`` cut into lines of at most ``room_em`` (with :data:`MARGIN`) each: at
    spaces where it can, inside a word only when the word alone is wider than the room.

    Each line keeps its characters in order and no character is lost; the spaces the
    text breaks at are dropped. Always at least one line (``[""]`` for an empty text).
    """
    if room_em <= 0:
        raise ValueError(f"room_em must be positive, got {room_em}")

    def fits(s: str) -> bool:
        return width_em(s) * MARGIN <= room_em

    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        while word and not fits(word):  # a word wider than the room: cut where it fills
            cut = 1
            while cut < len(word) and fits(word[: cut + 1]):
                cut += 1
            cut = _keep_marks(word, cut)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    lines.append(line)
    return lines


def _keep_marks(word: str, cut: int) -> int:
    """A cut that leaves no combining mark at the start of the next piece."""
    while cut < len(word) and unicodedata.combining(word[cut]):
        cut += 1
    return cut
