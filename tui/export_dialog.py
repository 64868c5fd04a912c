"""The in-app export dialog (``e``: the focused pane as shown; ``E``: the situation report).

Choose a format and a path (default: the user's documents folder, a file name
with the view and the as-of date); an existing file is replaced only after a
second confirmation. The export runs in a thread worker through
:func:`sitmon.widgets.export.export_view` (the same renderers as the panes); success is a
notification naming the file, failure a clear message, and the app keeps
running either way. "SVG screenshot" saves Textual's picture of the screen
(offered for a pane, not for the report, which is no one screen).

Keys: focus starts on the format list; ↑/↓ choose (the chosen format is
marked with ``●``/``(*)``, not by colour alone), Tab reaches the path, and
Enter exports from anywhere in the dialog; Esc cancels.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from sitmon.store.timeutil import fmt_day
from sitmon.widgets.export import ExportRequest, default_export_name, export
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from . import actions

__all__ = ["ExportDialog", "FORMAT_CHOICES"]

#: (format id, label, file extension)
FORMAT_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("text", "Text", "txt"),
    ("markdown", "Markdown", "md"),
    ("json", "JSON", "json"),
    ("svg", "SVG screenshot of the screen", "svg"),
)

_VIEW_NAMES = {
    "timeline": "the Timeline",
    "map": "the Map",
    "quotes": "the Quotes",
    "stats": "the Statistics",
    "all": "the situation report",
}


def default_name(request: ExportRequest, fmt: str) -> str:
    """``sitmon-timeline-2024-12-05.txt``; the report is ``sitmon-sitrep-…``; SVG: ``….svg``."""
    return default_export_name(request.view, fmt, request.as_of)


def run_export(store: Any, request: ExportRequest, fmt: str) -> str:
    """The export text in format ``fmt`` (thread-safe: reads the store only).

    An export is of the whole history: a store still holding its newest months
    only (the monitor's first paint) reads the rest first (``Store.load_rest``,
    which raises ``StoreError`` if it cannot).
    """
    if getattr(store, "partial", False):
        store.load_rest()
    return export(store, dataclasses.replace(request, fmt=fmt))


class ExportDialog(ModalScreen[Path | None]):
    """Format, path, overwrite confirmation; Enter exports, Esc cancels."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 76; max-width: 100%; height: auto; border: heavy $accent; background: $surface; padding: 0 1;
    }
    ExportDialog .title { text-style: bold; margin-bottom: 1; }
    ExportDialog OptionList { width: 100%; height: auto; max-height: 6; }
    ExportDialog Input { margin-top: 1; }
    ExportDialog #message { margin-top: 1; min-height: 1; }
    ExportDialog #message.-error { color: $error; text-style: bold; }
    ExportDialog #message.-warning { color: $warning; text-style: bold; }
    ExportDialog Horizontal { height: auto; margin-top: 1; }
    ExportDialog Button { margin-right: 2; }
    """
    BINDINGS = actions.bindings("dialog")

    class Done(Message):
        def __init__(self, path: Path, error: str | None) -> None:
            super().__init__()
            self.path = path
            self.error = error

    def __init__(
        self, store: Any, request: ExportRequest, *, directory: Path, fmt: str = "text"
    ) -> None:
        super().__init__()
        self.store = store
        self.request = request
        self.directory = Path(directory)
        self.fmt = fmt
        self._day = fmt_day(request.as_of) if request.as_of is not None else "the latest day"
        self._auto_path = str(self.directory / default_name(request, fmt))
        self._confirmed: str | None = None
        self.busy = False

    def formats(self) -> list[tuple[str, str, str]]:
        """The format choices for this export (no screenshot for the report)."""
        return [c for c in FORMAT_CHOICES if not (c[0] == "svg" and self.request.view == "all")]

    def _prompt(self, fid: str, label: str) -> Content:
        ascii = getattr(self.app, "ascii", False) if self.is_attached else False
        on, off = ("(*)", "( )") if ascii else ("●", "○")
        return Content(f"{on if fid == self.fmt else off} {label}")

    def compose(self) -> ComposeResult:
        what = _VIEW_NAMES.get(self.request.view, self.request.view)
        shown = "as shown" if self.request.view != "all" else "all views"
        with Vertical():
            yield Static(
                Content(f"Export {what} ({shown}, as of {self._day})"),
                classes="title",
            )
            yield OptionList(
                *(
                    Option(self._prompt(fid, label), id=f"fmt-{fid}")
                    for fid, label, _ in self.formats()
                ),
                id="format",
            )
            yield Input(value=self._auto_path, id="path", placeholder="file path")
            yield Static(Content(self.HINT), id="message")
            with Horizontal():
                yield Button(Content("Export"), id="export", variant="primary")
                yield Button(Content("Cancel"), id="cancel")

    HINT = "↑↓ format · Tab path · Enter exports · Esc cancels"

    def on_mount(self) -> None:
        inp = self.query_one("#path", Input)
        inp.cursor_blink = getattr(self.app, "cursor_blink", True)
        options = self.query_one("#format", OptionList)
        ids = [fid for fid, _, _ in self.formats()]
        options.highlighted = ids.index(self.fmt) if self.fmt in ids else 0
        self._refresh_prompts()
        options.focus()
        if getattr(self.app, "ascii", False):
            self._say(self.HINT.replace("↑↓", "Up/Down"))

    @property
    def path_input(self) -> Input:
        return self.query_one("#path", Input)

    def _say(self, text: str, kind: str = "") -> None:
        msg = self.query_one("#message", Static)
        msg.update(Content(text))
        msg.set_class(kind == "error", "-error")
        msg.set_class(kind == "warning", "-warning")

    @on(OptionList.OptionHighlighted, "#format")
    def _format_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        fid = (event.option.id or "fmt-text").removeprefix("fmt-")
        if fid != self.fmt:
            self.set_format(fid)

    @on(OptionList.OptionSelected, "#format")
    def _format_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on the list exports in the highlighted format (as the hint says)."""
        event.stop()
        self.action_export()

    def _refresh_prompts(self) -> None:
        options = self.query_one("#format", OptionList)
        for fid, label, _ in self.formats():
            options.replace_option_prompt(f"fmt-{fid}", self._prompt(fid, label))

    def set_format(self, fmt: str) -> None:
        self.fmt = fmt
        if self.is_mounted:
            self._refresh_prompts()
            options = self.query_one("#format", OptionList)
            ids = [fid for fid, _, _ in self.formats()]
            if fmt in ids and options.highlighted != ids.index(fmt):
                options.highlighted = ids.index(fmt)
        inp = self.path_input
        if inp.value == self._auto_path:  # the user has not typed a path: follow the format
            self._auto_path = str(self.directory / default_name(self.request, fmt))
            inp.value = self._auto_path
        self._confirmed = None

    @on(Input.Changed, "#path")
    def _path_changed(self) -> None:
        self._confirmed = None

    @on(Input.Submitted, "#path")
    def _submitted(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#export")
    def _export_pressed(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_export(self) -> None:
        if self.busy:
            return
        raw = self.path_input.value.strip()
        if not raw:
            self._say("Type a file path.", "error")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            self._say(f"{path} is a folder: add a file name.", "error")
            return
        if path.exists() and self._confirmed != str(path):
            self._confirmed = str(path)
            self._say(
                f"{path.name} exists. Press Enter (or Export) again to replace it.", "warning"
            )
            return
        if not path.parent.exists():
            if path.parent == self.directory:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    self._say(f"Cannot create {path.parent}: {exc.strerror}", "error")
                    return
            else:
                self._say(f"The folder {path.parent} does not exist.", "error")
                return
        if self.fmt == "svg":
            self._screenshot(path)
            return
        self.busy = True
        self._say("Exporting…")
        self.run_worker(
            lambda: self._export_thread(path),
            thread=True,
            exclusive=True,
            group="export",
            exit_on_error=False,
        )

    def _export_thread(self, path: Path) -> None:
        try:
            from sitmon.widgets.export import write_export

            text = run_export(self.store, self.request, self.fmt)
            write_export(text, path, force=True)
        except Exception as exc:
            self.post_message(self.Done(path, str(exc) or type(exc).__name__))
            return
        self.post_message(self.Done(path, None))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.busy = False
        app = self.app
        if message.error:
            self._say(f"Export failed: {message.error}", "error")
            if hasattr(app, "notify_plain"):
                app.notify_plain(
                    f"Export failed: {message.error}", title="Export", severity="error"
                )
            return
        if hasattr(app, "notify_plain"):
            app.notify_plain(
                f"Exported {_VIEW_NAMES.get(self.request.view, 'view')} to {message.path}",
                title="Export",
            )
        if hasattr(app, "last_export"):
            app.last_export = message.path
        self.dismiss(message.path)

    def _screenshot(self, path: Path) -> None:
        app = self.app

        def take() -> None:
            try:
                app.save_screenshot(filename=path.name, path=str(path.parent))
            except OSError as exc:
                if hasattr(app, "notify_plain"):
                    app.notify_plain(f"Screenshot failed: {exc}", title="Export", severity="error")
                return
            if hasattr(app, "last_export"):
                app.last_export = path
            if hasattr(app, "notify_plain"):
                app.notify_plain(f"Saved a screenshot to {path}", title="Export")

        self.dismiss(path)
        app.call_after_refresh(take)
