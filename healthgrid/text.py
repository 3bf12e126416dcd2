"""User text made safe for each place it lands: a terminal or CI log line, Markdown, HTML.

Config titles, labels, units, flags, inputs and echoed error bodies are hostile until escaped here.
"""

from __future__ import annotations

import re
from html import escape as _html_escape
from typing import Any

from healthgrid.secrets import redact

# Control characters: refused in every config string, data-file string, flag and Action input, and
# never written raw into an output. C0 (tab and newline too), DEL and C1 can start a new line in a
# log or a Markdown renderer or smuggle a terminal escape sequence; the line and paragraph
# separators, bidi controls and the BOM break lines or hide what a label says; lone surrogates and
# U+FFFE/U+FFFF are held by no XML document (the SVG).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def one_line(text: str) -> str:
    """One log line: control characters shown as `\\n`, `\\x1b` ...; no workflow command inside.

    The Actions runner reads `::cmd::` at the start of a line and the legacy `##[cmd]` anywhere in
    one, so a quoted `##[` is written `##\\u005b` and a message can never carry a line break."""
    return CONTROL.sub(_visible, text).replace("##[", "##\\u005b")


def log_line(message: str) -> str:
    """A whole message as the console prints it (after `healthgrid: `): redacted, one inert line."""
    return one_line(redact(message))


def log_lines(text: str) -> str:
    """Several lines (JSON with indent, a --debug traceback), redacted: each made inert like
    one_line, and a line that would start with `::` (after spaces, as the runner trims them) gets
    its first colon written `\\u003a`."""
    lines = []
    for line in redact(text).split("\n"):
        line = one_line(line)
        stripped = line.lstrip()
        if stripped.startswith("::"):
            line = line[: len(line) - len(stripped)] + "\\u003a" + stripped[1:]
        lines.append(line)
    return "\n".join(lines)


def workflow_data(text: str) -> str:
    """A workflow command's message (`::error::MESSAGE`): the runner reads %25, %0D and %0A back, so
    a line break inside cannot end the command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A workflow command's property value (`title=VALUE`): also no `:` or `,`, which end it."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


# Markdown: every ASCII punctuation character may be backslash-escaped (CommonMark); only those
# that can open something inline are (emphasis, links and images, code, HTML and comments,
# entities, table cells, strikethrough, GitHub math, headings' closing #), so numbers and most
# words stay as typed. A line's start could also open a block (list, quote, rule): that is
# escaped only where it would.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&$])")
_MD_BLOCK_START = re.compile(r"^(?:[-+](?=[\s-]|$)|>|\d{1,9}(?=[.)](?:\s|$)))")
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)")


def md_text(text: str) -> str:
    """Plain text inside Markdown: a heading, a paragraph, an image's alt text or a table cell.

    One line always (a line break would start a new block or table row); nothing opens a link
    (autolinks included), image, HTML tag, comment or table cell; `@name` does not mention anyone
    and `a@b.c` is no mail link (a word joiner follows the `@`)."""
    text = " ".join(CONTROL.sub(" ", text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_BLOCK_START.sub(lambda m: m.group() + "\\" if m.group().isdigit() else "\\" + m.group(), text, count=1)
    text = _AUTOLINK.sub("\\\\", text)
    return _MENTION.sub("@\u2060", text)


def md_code_block(text: str, limit: int = 2000) -> str:
    """Text shown verbatim (error bodies): a fenced block longer than any backtick run inside,
    truncated to `limit` characters and stripped of control characters."""
    text = CONTROL.sub(lambda m: m.group() if m.group() == "\n" else " ", text)
    if len(text) > limit:
        text = text[:limit] + " …(truncated)"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def md_url(url: str) -> str:
    """A link or image destination: characters that could end it or break the line are %-encoded."""
    from urllib.parse import quote

    return quote(CONTROL.sub("", url), safe=":/?#@!$&*+,;=%~'")


def html_text(text: str) -> str:
    """Text or an attribute value in HTML: escaped, quotes included; control characters, which
    XML/SVG readers reject, become spaces."""
    return _html_escape(CONTROL.sub(" ", str(text)), quote=True)


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 metric`, `7 metrics`: a count as every output words it (`many`: an irregular plural)."""
    return f"{count} {word if count == 1 else many or word + 's'}"


# --- other people's text inside our messages ------------------------------------------------------


def shown(value: Any, limit: int = 60, quote: bool = True) -> str:
    """A value someone gave (a flag, a config value, a name) inside a message: its repr, control
    characters escaped, at most `limit` characters. reprlib never builds the whole repr of a huge
    or alias-expanded object."""
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = limit
    short.maxlist = short.maxdict = short.maxlevel = 4
    text = short.repr(value)
    if not quote and isinstance(value, str):
        text = text[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def said(text: Any, limit: int = 300) -> str:
    """What someone else said (an answer's body, git's or a remote's words, an exception's text)
    inside a one-line message: redacted whole before it is cut, so a secret never survives in part
    at the cut; whitespace runs become one space; control characters are shown; at most `limit`
    characters and an ellipsis."""
    text = " ".join(redact(str(text)).split())
    return one_line(text[:limit] + ("…" if len(text) > limit else ""))
