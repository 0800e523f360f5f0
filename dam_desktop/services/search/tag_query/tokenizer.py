"""Tokenizer: query text -> tokens, each with its character position.

Tokens are `(`, `)`, `|`, `-` (only at the start of a word: `sci-fi` is one word) and words.
A word is a run of characters up to whitespace, a parenthesis, `|` or `"`; a double-quoted string
(`"two words"`, with `\\"` and `\\\\` escapes) is one word whose value is taken literally, and
`key:"quoted value"` is one word too. Inside a word that has a `key:` prefix, `|` followed by more
text stays part of the word, so `type:image|audio` is a single word meaning "either".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from dam_desktop.services.search.tag_query.errors import QuerySyntaxError


class TokenKind(Enum):
    LPAREN = "("
    RPAREN = ")"
    PIPE = "|"
    MINUS = "-"
    WORD = "word"
    EOF = "end of query"


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    position: int
    length: int = 1
    # WORD: the text before any quoted part (`key:` or the whole unquoted word), and the quoted part.
    text: str = ""
    quoted: str | None = None


_BREAK = set(' \t\r\n()|"')


def _read_quoted(query: str, start: int) -> tuple[str, int]:
    """Read a quoted string whose opening quote is at `start`; returns (value, index after it)."""
    out: list[str] = []
    i = start + 1
    while i < len(query):
        ch = query[i]
        if ch == "\\" and i + 1 < len(query) and query[i + 1] in '"\\':
            out.append(query[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise QuerySyntaxError("unterminated quote", start)


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    n = len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()|":
            tokens.append(Token(TokenKind(ch), i))
            i += 1
        elif ch == "-" and (not tokens or _word_boundary_before(query, i)):
            tokens.append(Token(TokenKind.MINUS, i))
            i += 1
        elif ch == '"':
            value, end = _read_quoted(query, i)
            tokens.append(Token(TokenKind.WORD, i, end - i, text="", quoted=value))
            i = end
        else:
            start = i
            while i < n:
                c = query[i]
                if c == "|" and ":" in query[start:i] and i + 1 < n and query[i + 1] not in _BREAK:
                    i += 1  # `key:a|b` stays one word
                    continue
                if c in _BREAK:
                    break
                i += 1
            text = query[start:i]
            if i < n and query[i] == '"' and text.endswith(":") and len(text) > 1:
                value, end = _read_quoted(query, i)
                tokens.append(Token(TokenKind.WORD, start, end - start, text=text, quoted=value))
                i = end
            else:
                tokens.append(Token(TokenKind.WORD, start, i - start, text=text))
    tokens.append(Token(TokenKind.EOF, n, 1))
    return tokens


def _word_boundary_before(query: str, i: int) -> bool:
    """A '-' starts a negation when it does not continue a word (start, after space or a bracket)."""
    return i == 0 or query[i - 1].isspace() or query[i - 1] in "(|-"
