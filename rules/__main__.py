"""`python -m rules check`: one JSON request on stdin, one JSON report on stdout.

Invalid input exits with status 2 and prints {"error": CODE, "message": ...} on stdout.
"""

import json
import sys

from rules.check import check
from rules.errors import RequestError

USAGE = "usage: python -m rules check < request.json"


def main(argv: list[str]) -> int:
    if argv != ["check"]:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        try:
            request = json.loads(sys.stdin.read())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise RequestError("bad_request", f"request: malformed JSON ({error})") from None
        except RecursionError:
            raise RequestError("bad_request", "request: nested too deeply") from None
        report = check(request)
    except RequestError as error:
        print(json.dumps(error.to_dict()))
        return 2
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
