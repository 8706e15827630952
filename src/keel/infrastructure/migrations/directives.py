"""Atlas directives: ``atlas:<name> [arguments]`` comments that change how Atlas treats a migration file.

Ported from Atlas (``ariga.io/atlas``, ``sql/migrate/dir.go``: ``reDirective``, ``directive``,
``LocalFile.comments`` and ``LocalFile.Directive``):

* a directive is matched by ``^([ -~]*)atlas:(\\w+)(?: +(.+))*`` against the start of a text, so only its first line
  counts; the first group is the prefix (e.g. ``-- ``), the last the arguments;
* ``atlas:sum`` and ``atlas:delimiter`` are looked up on the first line of the whole file;
* file directives such as ``atlas:txmode`` are the leading ``--``/``#`` comment lines of the file, and only when a blank
  line separates them from the first statement (otherwise they belong to that statement and Atlas ignores them).
"""

from __future__ import annotations

import re

_DIRECTIVE = re.compile(r"([ -~]*)atlas:(\w+)(?: +(.+))*", re.ASCII)


def directive(content: str, name: str, prefix: str | None = None) -> str | None:
    """The arguments of directive ``name`` on the first line of ``content`` ("" when it has none), else ``None``.

    With ``prefix``, the text before ``atlas:`` must be exactly that prefix (Atlas passes ``"-- "`` for delimiters).
    """
    match = _DIRECTIVE.match(content)
    if match is None or match.group(2) != name:
        return None
    if prefix is not None and match.group(1) != prefix:
        return None
    return match.group(3) or ""


def _leading_comments(content: str) -> tuple[list[str], str]:
    comments: list[str] = []
    rest = content
    while rest.startswith(("#", "--")):
        end = rest.find("\n")
        if end == -1:  # a file of comments only
            comments.append(rest)
            return comments, ""
        comments.append(rest[:end].strip())
        rest = rest[end + 1 :]
    return comments, rest


def file_comments(content: str) -> list[str]:
    """The leading comment lines of a file, or none when no blank line separates them from the first statement."""
    comments, rest = _leading_comments(content)
    if rest and not rest.lstrip(" \t").startswith("\n"):
        return []
    return comments


def file_directives(content: str, name: str) -> list[str]:
    """The arguments of every file directive ``name`` (e.g. ``txmode``), in file order."""
    found: list[str] = []
    for comment in file_comments(content):
        arguments = directive(comment, name)
        if arguments is not None:
            found.append(arguments)
    return found


def detached_directive(content: str, name: str) -> bool:
    """Whether a leading comment names directive ``name`` that Atlas ignores: no blank line follows the comments."""
    comments, _ = _leading_comments(content)
    named = any(directive(comment, name) is not None for comment in comments)
    return named and not file_directives(content, name)
