"""CLI sub-commands that live in their own modules, each exposing ``command`` (a click.Command).

They are imported only when invoked (see ``quantlib.cli._LazyGroup``); shared helpers for them
(``run``, ``CACHE_DIR_OPTION``, ``proxy_note``) are re-exported from :mod:`quantlib.cli`.
"""
