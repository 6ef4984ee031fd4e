"""Characters that no text we take in or hand out may hold."""

import re

# C0 controls except tab, line feed and carriage return; DEL; the C1 controls. Spreadsheets
# refuse them, email headers break on them and nobody types them on purpose.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAK = re.compile("[\r\n]")


def has_control_character(text: str) -> bool:
    return CONTROL_CHARACTER.search(text) is not None


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTER.sub("", text)


def one_line(text: str) -> str:
    """Line breaks and control characters become spaces, runs of spaces one (an email subject)."""
    return " ".join(CONTROL_CHARACTER.sub(" ", LINE_BREAK.sub(" ", text)).split())
