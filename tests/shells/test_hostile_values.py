"""Every dialect, in its real shell: hostile values survive byte for byte, nothing they contain ever runs."""

from __future__ import annotations

import pytest

from awsenv.errors import UsageError
from awsenv.shells.dialects import dialect_for
from tests.shells.harness import SHELLS, run_rendered


def hostile_values(canary: str) -> dict[str, str]:
    return {
        "AWSENV_T_PLAIN": "ASIA/abc+def=",
        "AWSENV_T_QUOTES": "it's \"quoted\" '' \"\" '\\''",
        "AWSENV_T_DOLLAR": "$HOME ${HOME} $1 $$ $? $(echo no) %PATH% {HOME}",
        "AWSENV_T_RUN": f"$(touch {canary}) `touch {canary}` ; touch {canary} | touch {canary} & touch {canary}",
        "AWSENV_T_BACKSLASH": "back\\slash \\n \\t \\\\ \\' \\\" trailing\\",
        "AWSENV_T_BANG": "a!b !! !$ !-1 \\! x'!'y ^old^new",
        "AWSENV_T_GLOB": "* ? [a] {a,b} ~ ~root # %p ^c < > ( ) @(x) @{x}",
        "AWSENV_T_SPACE": "  two  spaces\ttab\tand\u00a0nbsp ",
        "AWSENV_T_UNICODE": "é’curly “dq” ‘sq’ 😀 \u202e rtl \u200b zw",
        "AWSENV_T_CR": "carriage\rreturn",
        "AWSENV_T_EMPTY": "",
    }


def _newline_values() -> dict[str, str]:
    return {"AWSENV_T_NEWLINE": "line1\nline2 'x'\n", "AWSENV_T_ONLY_NEWLINE": "\n"}


@pytest.mark.parametrize("shell_name", sorted(SHELLS))
def test_hostile_values_survive_byte_for_byte(shell_name, tmp_path):
    shell = SHELLS[shell_name]
    canary = tmp_path / "canary"
    values = hostile_values(str(canary))
    dialect = dialect_for(shell.dialect)
    if shell.dialect not in ("tcsh", "csh"):
        values.update(_newline_values())
    delta = dict(values, AWS_PROFILE=None, AWSENV_T_STALE=None)
    env = run_rendered(shell, dialect.render(delta), tmp_path,
                       environ={"AWS_PROFILE": "stale", "AWSENV_T_STALE": "old"})
    for name, value in values.items():
        assert env.get(name) == value.encode("utf-8"), (shell_name, name)
    assert "AWS_PROFILE" not in env and "AWSENV_T_STALE" not in env
    assert not canary.exists()


@pytest.mark.parametrize("dialect_name", ["tcsh", "csh"])
def test_tcsh_refuses_a_newline_instead_of_mangling_it(dialect_name):
    with pytest.raises(UsageError) as refused:
        dialect_for(dialect_name).render({"AWSENV_T": "a\nb"})
    assert "AWSENV_T" in refused.value.message
