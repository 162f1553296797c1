#!/usr/bin/env python3
"""Claims in docs/testing.md that the code can check (part of `make check`):

- every boot scenario of tools/scenarios.py has a row in "Boot scenarios";
- every utest suite (user/utest/suite_*.c, UT_SUITE) has a row with its true
  number of cases, and no row names a suite that does not exist;
- the in-kernel suites (KTEST_SUITE in kernel/) are all named, with the true
  total of cases;
- "Host tests and fuzzers" names every host test (tests/host/test_*.c) and
  fuzzer (tests/fuzz/fuzz_*.c) and no other, and a host test given as
  "`name` (N cases" has N cases.

Exits 1 and says which claim is wrong.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import scenarios  # noqa: E402

SUITE_RE = re.compile(r"\b(UT|KTEST)_SUITE\(\s*(\w+)\s*,(.*?)\);", re.S)


def suites(paths, kind):
    """{name: number of cases} for the UT_SUITE or KTEST_SUITE macros in paths."""
    out = {}
    for p in paths:
        for m in SUITE_RE.finditer(p.read_text()):
            if m.group(1) == kind:
                out[m.group(2)] = len(re.findall(rf"\b{kind}_CASE\(", m.group(3)))
    return out


def section(text, heading):
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start:end if end >= 0 else len(text)]


def names_between(text, start, end):
    """The `word` names in text from start up to end."""
    i = text.index(start)
    return set(re.findall(r"`(\w+)`", text[i:text.index(end, i)]))


def host_and_fuzz(sec):
    """Errors in the host test and fuzzer lists of the 'Host tests and fuzzers' section."""
    errors = []
    tests = {p.stem[len("test_"):]: p for p in (ROOT / "tests/host").glob("test_*.c")}
    fuzzers = {p.stem[len("fuzz_"):] for p in (ROOT / "tests/fuzz").glob("fuzz_*.c")}
    try:
        named = names_between(sec, "Host tests are", "`make host-tests-run`")
        fnamed = names_between(sec, "Fuzzers are", "seeded from")
    except ValueError:
        return ["'Host tests and fuzzers' lost its 'Host tests are' or 'Fuzzers are' sentence"]
    for kind, have, said in (("host test", set(tests), named), ("fuzzer", fuzzers, fnamed)):
        for name in sorted(have - said):
            errors.append(f"{kind} {name} is not named in 'Host tests and fuzzers'")
        for name in sorted(said - have):
            errors.append(f"'Host tests and fuzzers' names {kind} {name}, which does not exist")
    for name, n in re.findall(r"`(\w+)` \((\d+) cases", sec):
        if name in tests:
            got = len(re.findall(r"\bcmocka_unit_test\w*\(", tests[name].read_text()))
            if got != int(n):
                errors.append(f"host test {name}: the text says {n} cases, the code has {got}")
    return errors


def main():
    doc = (ROOT / "docs/testing.md").read_text()
    errors = []

    boot = section(doc, "## Boot scenarios")
    for s in scenarios.SCENARIOS:
        if f"`{s.name}`" not in boot:
            errors.append(f"scenario {s.name} has no row in 'Boot scenarios'")

    code = suites(sorted((ROOT / "user/utest").glob("suite_*.c")), "UT")
    rows = dict(re.findall(r"^\| `(\w+)` \| (\d+) \|", section(doc, "## utest"), re.M))
    for name, n in sorted(code.items()):
        if name not in rows:
            errors.append(f"utest suite {name} ({n} cases) has no row")
        elif int(rows[name]) != n:
            errors.append(f"utest suite {name}: the table says {rows[name]} cases, the code has {n}")
    for name in sorted(set(rows) - set(code)):
        errors.append(f"the utest table names suite {name}, which does not exist")

    kcode = suites(sorted((ROOT / "kernel").rglob("*.c")), "KTEST")
    ksec = section(doc, "## In-kernel suites")
    m = re.search(r"Suites: (.*?) \((\d+) cases[;)]", ksec, re.S)
    if not m:
        errors.append("'In-kernel suites' has no 'Suites: ... (N cases)' line")
    else:
        named = set(re.findall(r"`(\w+)`", m.group(1)))
        for name in sorted(set(kcode) - named):
            errors.append(f"in-kernel suite {name} is not named")
        for name in sorted(named - set(kcode)):
            errors.append(f"in-kernel suite {name} is named but does not exist")
        if int(m.group(2)) != sum(kcode.values()):
            errors.append(f"in-kernel suites: the text says {m.group(2)} cases, "
                          f"the code has {sum(kcode.values())}")

    errors += host_and_fuzz(section(doc, "## Host tests and fuzzers"))

    for e in errors:
        print(f"check-docs: docs/testing.md: {e}")
    if not errors:
        print("check-docs: ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
