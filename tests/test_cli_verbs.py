"""The command line finds the verb in argv and registers only its parser; every other
argv (help, a typo, options in odd places) is parsed with every verb, as before."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import aicities.cli
from aicities.cli import VERBS, build_parser, main, named_verb


def test_the_verb_table_lists_the_verb_modules():
    modules = sorted(m.name for m in pkgutil.iter_modules(aicities.cli.__path__))
    assert list(VERBS) == modules


@pytest.mark.parametrize("argv, verb", [
    (["eval", "ner", "--pred", "p"], "eval"),
    (["--root", ".", "eval", "ner"], "eval"),
    (["--root=.", "-v", "--lock-timeout", "3", "build", "--check"], "build"),
    (["-v", "--verbose", "stats"], "stats"),
    (["--help"], None),
    (["-h", "eval"], None),
    (["evl", "ner"], None),
    (["--ro", ".", "eval"], None),  # an abbreviated option: the full parser decides
    ([], None),
    (["--root"], None),
])
def test_the_verb_is_found_only_when_plain(argv, verb):
    assert named_verb(argv) == verb


@pytest.mark.parametrize("verb", VERBS)
def test_one_verb_parser_is_that_verb_of_the_full_parser(verb):
    def sub(parser):
        action = next(a for a in parser._actions if a.dest == "command")
        return action.choices[verb]

    one, full = sub(build_parser((verb,))), sub(build_parser())
    assert one.format_help() == full.format_help()
    assert one.get_default("extra") == full.get_default("extra")


def test_help_lists_every_verb_and_a_typo_names_them(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert all(f"    {verb}" in out for verb in VERBS)
    with pytest.raises(SystemExit) as done:
        main(["evl", "ner"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'evl'" in err and "'eval'" in err


def test_a_named_verb_imports_no_other_verb_module():
    code = ("import sys; from aicities.cli import main\n"
            "try:\n    main(['eval', 'ner', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('aicities.cli.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "['aicities.cli.eval']"
