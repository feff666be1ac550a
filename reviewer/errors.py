"""Errors a user can act on: the CLI prints them as one line and exits 2."""


class ReviewerError(Exception):
    """Base class: the message is shown to the user as is."""


class InputError(ReviewerError):
    """The input cannot be read, or holds no recognisable table."""


class ConfigError(ReviewerError):
    """The configuration file or a flag is invalid."""
