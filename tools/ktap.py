"""Parsing KTAP (the Linux kernel's test output format) and TAP 13.

KTAP version 1 (Documentation/dev-tools/ktap.rst in Linux): nested subtests
are indented by four spaces more than their parent and introduced by their own
"KTAP version 1" line; a parent's result line follows its subtest's lines:

    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: frame
        1..2
        ok 1 frame_alloc
        # frame_free: kernel/mm/frame_test.c:40: expected ...
        not ok 2 frame_free
    not ok 1 frame

cmocka's TAP 13 output is the flat case of the same grammar ("ok 1 - name").

The input may be a serial console log: any line that is not KTAP (kernel log
lines, firmware noise, a line cut off by a panic) is ignored. Output that ends
early is not an error here: the tests that were planned and never reported
come back as failed results named "missing ...".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

VERSION_RE = re.compile(r"^(KTAP version \d+|TAP version \d+)$")
PLAN_RE = re.compile(r"^1\.\.(\d+)")
RESULT_RE = re.compile(r"^(not ok|ok) (\d+)(?: -)? ?([^#]*?)\s*(?:#\s*(.*))?$")
DIAG_RE = re.compile(r"^#(.*)$")


@dataclass
class Result:
    """One test: a leaf case, or a suite whose children are its cases."""

    name: str
    ok: bool
    skip: bool = False
    diagnostics: list[str] = field(default_factory=list)
    children: list["Result"] = field(default_factory=list)

    def leaves(self) -> list["Result"]:
        """The test cases under this result (itself if it has no children)."""
        if not self.children:
            return [self]
        out: list[Result] = []
        for c in self.children:
            out.extend(c.leaves())
        return out


@dataclass
class _Group:
    """The results at one indentation level that are still being collected."""

    indent: int
    plan: int | None = None
    results: list[Result] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # diagnostics for the next result

    def finish(self) -> list[Result]:
        """Its results, plus a failed "missing" result for each planned test never seen."""
        out = list(self.results)
        if self.plan is not None and len(self.results) < self.plan:
            seen = len(self.results)
            for n in range(seen + 1, self.plan + 1):
                out.append(Result(f"missing test {n}", ok=False,
                                  diagnostics=[f"planned {self.plan}, saw {seen}"]))
        return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Parser:
    def __init__(self) -> None:
        self.stack: list[_Group] = [_Group(0)]

    def top(self) -> _Group:
        return self.stack[-1]

    def group_at(self, indent: int) -> _Group:
        """The open group at `indent`, opening one if the deepest is shallower."""
        if self.top().indent < indent:
            self.stack.append(_Group(indent))
        return self.top()

    def enclosing(self, indent: int) -> _Group:
        """The innermost open group no deeper than `indent`."""
        for g in reversed(self.stack):
            if g.indent <= indent:
                return g
        return self.stack[0]

    def close_deeper(self, indent: int) -> list[Result]:
        """Closes groups deeper than `indent`; returns the direct child group's results."""
        children: list[Result] = []
        while self.top().indent > indent:
            g = self.stack.pop()
            results = g.finish()
            if children:  # an unfinished grandchild: keep it as an unnamed suite
                results.append(Result("(unfinished subtest)", ok=False, children=children))
            children = results
        return children

    def line(self, raw: str) -> None:
        text = raw.rstrip("\r\n")
        s = text.strip()
        if not s:
            return
        indent = _indent(text)
        if VERSION_RE.match(s):
            if indent > self.top().indent:
                self.stack.append(_Group(indent))
            else:  # a document starts here: `#` lines before it are no case's diagnostics
                self.top().pending = []
            return
        if m := PLAN_RE.match(s):
            if indent >= self.top().indent:
                self.group_at(indent).plan = int(m.group(1))
            return
        if m := RESULT_RE.match(s):
            self.result(indent, m)
            return
        if m := DIAG_RE.match(s):
            body = m.group(1).strip()
            if not body.startswith("Subtest:"):
                self.enclosing(indent).pending.append(body)

    def result(self, indent: int, m: re.Match[str]) -> None:
        children = self.close_deeper(indent)
        g = self.group_at(indent)
        directive = (m.group(4) or "").strip()
        r = Result(name=m.group(3).strip() or f"test {m.group(2)}", ok=m.group(1) == "ok",
                   skip=directive.upper().startswith("SKIP"), diagnostics=g.pending,
                   children=children)
        g.pending = []
        g.results.append(r)

    def finish(self) -> Result:
        children = self.close_deeper(0)
        root = self.stack[0]
        results = root.finish()
        if children:
            results.append(Result("(unfinished suite)", ok=False, children=children,
                                  diagnostics=["output ended before this suite finished"]))
        return Result("", ok=all(r.ok for r in results), children=results)


def parse(text: str) -> Result:
    """Parses KTAP/TAP in `text`; the root result's children are the top-level tests."""
    p = _Parser()
    for line in text.splitlines():
        p.line(line)
    return p.finish()


def cases(text: str) -> list[Result]:
    """Every leaf test case in `text`, in order (an empty list if there is no KTAP)."""
    out: list[Result] = []
    for r in parse(text).children:
        out.extend(r.leaves())
    return out


def found_any(text: str) -> bool:
    """True if `text` holds at least one KTAP/TAP version line or plan."""
    return any(VERSION_RE.match(l.strip()) or PLAN_RE.match(l.strip()) for l in text.splitlines())
