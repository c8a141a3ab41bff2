"""What is left of typed text once the characters nobody can see are taken out.

Control characters (NUL, escapes), format characters (bidi overrides and isolates, zero-width
spaces and joiners, the BOM) and lone surrogates are invisible or reorder what staff read, so
names, pronouns, places and employer names drop them. Whitespace of any kind is a plain space;
multi-line text keeps its line breaks.
"""

import unicodedata

INVISIBLE = frozenset({"Cc", "Cf", "Cs"})


def visible_text(value: str, *, multiline: bool = False) -> str:
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for char in value:
        if multiline and char == "\n":
            kept.append(char)
        elif char.isspace():
            kept.append(" ")
        elif unicodedata.category(char) not in INVISIBLE:
            kept.append(char)
    text = "".join(kept)
    return text if multiline else " ".join(text.split())
