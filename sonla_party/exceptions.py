class RuleViolation(Exception):
    """A domain rule refused a write. The message is for the user: it names the rule and why."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field

    def __str__(self):
        return self.message
