"""Names in gdcore's registries (landscapes, optimizers): one way to match them, one error.

A name matches whatever its case and separators: ``"Six-Hump Camel"``, ``"six_hump_camel"``
and ``"SixHumpCamel"`` are the same name. An unknown name raises :class:`UnknownName`,
which lists the known ones.
"""

from __future__ import annotations


def name_key(name: str) -> str:
    """The form names are compared in: lower case, letters and digits only.

    Example:
        >>> name_key("Styblinski–Tang"), name_key("gradient_descent")
        ('styblinskitang', 'gradientdescent')
    """
    return "".join(c for c in name.lower() if c.isalnum())


class UnknownName(KeyError, ValueError):
    """A name no registry knows: a ``KeyError`` (a failed lookup) that is also a
    ``ValueError`` (a bad argument), whose message lists the known names.

    Example:
        >>> import gdcore as gd
        >>> try:
        ...     gd.get_optimizer("adamm")
        ... except KeyError as error:
        ...     print(str(error)[:48])
        unknown optimizer 'adamm'; known: 'sign_descent'
    """

    def __init__(self, what: str, name: str, known: list[str]) -> None:
        self.message = (
            f"unknown {what} {name!r}; known: {', '.join(repr(k) for k in known)} "
            "(any case; spaces, - and _ ignored)"
        )
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return self.message
