"""The one exception of the engine: a request that cannot be assessed."""


class RequestError(ValueError):
    """Impossible or malformed input; `code` is one of the contract's error codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}
