"""sitmon: a terminal situation monitor.

One installed import name, ``sitmon``. The repository keeps the owner's top level
(``store/``, ``widgets/``, ``tui/``); ``pyproject.toml`` maps them with setuptools'
``package-dir`` to ``sitmon.store``, ``sitmon.widgets`` and ``sitmon.tui``, and this
folder (``tui/_root/``) to the ``sitmon`` package itself, so that no folder named
``sitmon`` at the repository root shadows the installed package in a checkout.
"""
