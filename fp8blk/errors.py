"""The one exception type fp8blk raises for malformed input."""


class Fp8FormatError(ValueError):
    """A checkpoint, tensor or argument does not have the form fp8blk expects.

    Messages name the file (where there is one), the key, what was expected and what was found.
    """
