"""`--format json` and nushell: one JSON object of the variables (null means unset)."""

from __future__ import annotations

from awsenv import jsonlite
from awsenv.shells.base import Dialect, check_name, check_value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from awsenv.model import EnvDelta


class Json(Dialect):
    name = "json"
    load_hint = "awsenv {args} --format json"

    def render(self, delta: EnvDelta) -> str:
        for name, value in delta.items():
            check_name(name)
            if value is not None:
                check_value(self, name, value)
        return jsonlite.dumps_flat(delta, ensure_ascii=False) + "\n"


class Nu(Json):
    """nushell reads JSON: `load-env (awsenv … --format json | from json)`. A null there leaves the variable
    out of every child's environment; the nu integration (`awsenv init nu`) also hides it from `$env`."""

    name = "nu"
    load_hint = "load-env (awsenv {args} --format json | from json)"
