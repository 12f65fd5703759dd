"""The Textual app of ``priorcli explore``: a thin view over the state models.

Every key calls one method of :class:`~priorcli.explore.state.ExploreState` (or
:class:`~priorcli.explore.roulette_state.RouletteState`) and redraws from it. The screen is plain
text in a few ``Static`` widgets (focus and invalid values are marked with characters, so it reads
the same without colour), fits 80x24 and needs no mouse. The app's result is ``None`` when the user
cancels (Esc, Ctrl-C) and ``(lines, document)`` when they accept (Enter, q).
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static

from priorcli import records
from priorcli.render import output as render
from priorcli.explore.plot import density_text, roulette_text
from priorcli.explore.state import FREE, PARAMS, TARGETS, TRUNCATE, ExploreState

KEYS_PARAMS = "Up/Dn field  Lt/Rt/+/- step  0-9 set  t targets  f family  Enter done  Esc quit"
KEYS_TARGETS = "Up/Dn field  Lt/Rt step  0-9 set  Bksp clear  t params  f family  Enter done"
KEYS_ROULETTE = "Left/Right bin  Up/Space add chip  Down remove  Enter/q done  Esc cancel"
# Columns and rows the screens need: the key lines are 80 wide, the left column and the plot's box
# take 64; below this a screen shows only TOO_SMALL (keys still work) and redraws when enlarged.
MIN_SIZE = (80, 20)
TOO_SMALL = "terminal too small (need at least {}x{}); enlarge it, or Esc to quit"

CSS = """
Screen { layout: vertical; }
#title { height: 1; text-style: bold; }
#body { height: 1fr; }
#left { width: 34; }
#fields { height: auto; }
#table { height: 1fr; }
#right { width: 1fr; }
#plot { height: 1fr; }
#solved { height: auto; }
#status { height: 1; }
#keys { height: 1; }
#small { height: 1fr; }
FamilyScreen { align: center middle; }
#picker { width: 40; height: 18; border: solid $accent; }
RouletteScreen #plot { width: 1fr; }
#ranking { width: 30; }
"""


def _line(label: str, value: str, focused: bool, invalid: bool, width: int = 33) -> Text:
    marker = ">" if focused else " "
    bad = " !" if invalid else ""
    text = Text(f"{marker} {label:<10} {value}{bad}"[:width])
    if focused:
        text.stylize("reverse")
    return text


class SizedScreen(Screen):
    """A screen that says "terminal too small" below MIN_SIZE instead of drawing a broken layout."""

    shrunk = False

    def too_small(self) -> bool:
        width, height = self.app.size
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        for widget in self.children:
            widget.display = (widget.id == "small") == small
        if small:
            self.query_one("#small", Static).update(Text(TOO_SMALL.format(*MIN_SIZE)))
        elif self.shrunk:  # the widgets are laid out again only after this redraw: draw once more
            self.call_after_refresh(self.redraw)
        self.shrunk = small
        return small


class ExploreScreen(SizedScreen):
    """Parameters or targets on the left with the summary table, the density on the right."""

    def __init__(self, state: ExploreState):
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield Static(id="fields")
                yield Static(id="table")
            with Vertical(id="right"):
                yield Static(id="plot")
                yield Static(id="solved")
        yield Static(id="status")
        yield Static(id="keys")
        yield Static(id="small")

    def on_mount(self) -> None:
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        if self.too_small():
            return
        state = self.state
        view = state.view()
        mode = "targets" if state.mode == TARGETS else "parameters"
        self.query_one("#title", Static).update(Text(f"priorcli explore  {view.title}  [{mode}]"))
        self.query_one("#fields", Static).update(self._fields_text())
        table = Text()
        if view.summary is not None:
            for name, cells in render.summary_rows([view.summary]):
                table.append(f"  {name:<10} {cells[0]:>12}\n")
        self.query_one("#table", Static).update(table)
        solved = self._solved_text(view)
        self.query_one("#solved", Static).update(solved)
        plot = self.query_one("#plot", Static)
        width = max(plot.size.width, 30)
        height = max(plot.size.height, 6)
        plot.update(Text(density_text(view.curve, view.log_x, view.discrete, width, height)))
        self.query_one("#status", Static).update(Text(state.message[: self.size.width or 80]))
        self.query_one("#keys", Static).update(Text(KEYS_TARGETS if state.mode == TARGETS else KEYS_PARAMS))

    def _fields_text(self) -> Text:
        state = self.state
        text = Text()
        for name in state.fields():
            focused = name == state.focused
            if name == TRUNCATE:
                value, invalid, label = state.truncate_text, state.truncate_error is not None, name
            elif state.mode == PARAMS:
                value = state.param_text[name]
                invalid = name in state.param_error
                label = name
            elif name == FREE:
                value = render.fmt(state.free_value)
                invalid, label = False, f"{state.free_name}*"
            else:
                value = state.target_text[name]
                invalid, label = name in state.target_error, name
            if focused and state.editing is not None:
                value = state.editing + "_"
            text.append_text(_line(label, value, focused, invalid))
            text.append("\n")
        return text

    def _solved_text(self, view) -> Text:
        state = self.state
        text = Text()
        if view.mass_shown is not None and view.mass_shown < 0.995:
            text.append(f"at most {render.fmt(100 * (1 - view.mass_shown), 2)}% of the mass lies outside the plot\n")
        if state.mode != TARGETS:
            return text
        text.append("parameters: " + ", ".join(f"{k}={render.fmt(v)}" for k, v in state.params.items()) + "\n")
        if state.free_name:
            text.append(f"{state.free_name}* is free: Left/Right move along the family\n")
        if view.solved:
            text.append("target    requested   achieved\n")
            for name, want, got in view.solved:
                text.append(f"{name:<9} {want:>10} {got:>10}\n")
            text.append(f"loss {render.fmt(view.loss, 3)}")
        return text

    def on_key(self, event) -> None:
        state = self.state
        key, char = event.key, event.character
        handled = True
        if key in ("up", "shift+tab"):
            state.move_focus(-1)
        elif key in ("down", "tab"):
            state.move_focus(1)
        elif key == "right" or (key == "plus" and state.editing is None):
            state.step(1)
        elif key == "left" or (key == "minus" and state.editing is None):
            state.step(-1)
        elif key == "backspace":
            state.backspace()
        elif key == "enter":
            if state.editing is not None:
                state.commit_edit()
            else:
                self.app.accept()
        elif key == "escape":
            if not state.cancel_edit():
                self.app.exit(None)
        elif state.editing is None and char == "q":
            self.app.accept()
        elif state.editing is None and char == "t":
            state.toggle_mode()
        elif state.editing is None and char == "f":
            self.app.push_screen(FamilyScreen(), self._family_chosen)
        elif char:
            state.type_char(char)
        else:
            handled = False
        if handled:
            event.stop()
            event.prevent_default()
            self.redraw()

    def _family_chosen(self, name: str | None) -> None:
        if name:
            self.state.set_family(name)
        self.redraw()


class FamilyScreen(ModalScreen):
    """A searchable list of families: type to filter, Up/Down to choose, Enter to switch."""

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Input(placeholder="family (type to search)", id="search")
            yield OptionList(*self._names(""), id="families")

    @staticmethod
    def _names(query: str) -> list[str]:
        key = query.lower().replace("-", "").replace("_", "")
        return [name for name in records.RECORDS if key in name.lower()]

    def on_input_changed(self, event: Input.Changed) -> None:
        options = self.query_one("#families", OptionList)
        options.clear_options()
        options.add_options(self._names(event.value))
        if options.option_count:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#families", OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(str(options.get_option_at_index(options.highlighted).prompt))
        else:
            self.dismiss(event.value.strip() or None)  # any numpyro family by its name

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.prompt))

    def on_key(self, event) -> None:
        options = self.query_one("#families", OptionList)
        if event.key == "escape":
            event.stop()
            self.dismiss(None)
        elif event.key in ("up", "down") and options.option_count:
            event.stop()
            event.prevent_default()
            current = options.highlighted or 0
            options.highlighted = (current + (1 if event.key == "down" else -1)) % options.option_count


class RouletteScreen(SizedScreen):
    """The bins with their chips and the best fit on the left, the ranking on the right.

    A chip press redraws the chips at once; the ranking (a second or more cold) runs in a Textual
    thread worker, one at a time: when it ends and the chips have changed meanwhile, its result is
    dropped and the latest chips are ranked next (a running ranking stops early, between
    families, once it is stale or the app closes)."""

    def __init__(self, state):
        super().__init__()
        self.state = state
        self.ranking_worker = None

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="body"):
            yield Static(id="plot")
            yield Static(id="ranking")
        yield Static(id="status")
        yield Static(id="keys")
        yield Static(id="small")

    def on_mount(self) -> None:
        self.redraw()
        self.request_ranking()

    def on_resize(self) -> None:
        self.redraw()

    def request_ranking(self) -> None:
        """Rank the current chips in a worker thread unless one is running (it hands over)."""
        if not self.state.stale or self.ranking_worker is not None:
            return
        self.ranking_worker = self.run_worker(partial(self._rank, self.state.snapshot()), thread=True,
                                              group="roulette-ranking")

    def _rank(self, snapshot):
        """In the worker thread: only the snapshot is read; stop once it is stale."""
        from textual.worker import get_current_worker

        worker, state = get_current_worker(), self.state
        outcome = state.compute(snapshot, stop=lambda: worker.is_cancelled or state.version != snapshot[0])
        return snapshot[0], outcome

    def on_worker_state_changed(self, event) -> None:
        from textual.worker import WorkerState

        if event.worker is not self.ranking_worker or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR,
                                                                           WorkerState.CANCELLED):
            return
        self.ranking_worker = None
        if event.state != WorkerState.SUCCESS:
            return  # cancelled: the app is closing (an error is raised by Textual itself)
        self.state.apply(*event.worker.result)  # dropped when the chips changed meanwhile
        self.request_ranking()
        self.redraw()

    def redraw(self) -> None:
        if self.too_small():
            return
        state = self.state
        lo, hi = state.edges[state.selected], state.edges[state.selected + 1]
        title = (f"priorcli explore --roulette  bin [{render.fmt(lo, 4)}, {render.fmt(hi, 4)}): "
                 f"{state.chips[state.selected]} chips, {sum(state.chips)} in all")
        self.query_one("#title", Static).update(Text(title))
        plot = self.query_one("#plot", Static)
        width, height = max(plot.size.width, 30), max(plot.size.height, 8)
        body = roulette_text(state.edges, state.chips, state.expected(), state.selected, width, height - 1)
        marker = self._marker_line(width)
        plot.update(Text(body + "\n" + marker))
        ranking = Text("   family          loss\n")
        for i, (family, loss, params) in enumerate(state.rows(), start=1):
            ranking.append(f"{i:>2} {family:<12} {loss:>9}\n", style="reverse" if i == 1 else "")
            if i == 1:
                ranking.append(f"   ({params})"[:29] + "\n")
        self.query_one("#ranking", Static).update(ranking)
        self.query_one("#status", Static).update(Text(state.status()[: self.size.width or 80]))
        self.query_one("#keys", Static).update(Text(KEYS_ROULETTE))

    def _marker_line(self, width: int) -> str:
        """A '^' under the selected bin: the bins span the plot's data area evenly."""
        state = self.state
        bins = len(state.chips)
        left, right = 6, width - 2  # plotext's y-axis labels take the first columns
        column = left + int((state.selected + 0.5) * (right - left) / bins)
        return " " * column + "^"

    def on_key(self, event) -> None:
        state, key = self.state, event.key
        handled = True
        if key == "left":
            state.move(-1)
        elif key == "right":
            state.move(1)
        elif key in ("up", "space"):
            state.add()
        elif key == "down":
            state.remove()
        elif key == "enter" or event.character == "q":
            self.app.accept()
        elif key == "escape":
            self.app.exit(None)
        else:
            handled = False
        if handled:
            event.stop()
            event.prevent_default()
            self.request_ranking()
            self.redraw()


class ExploreApp(App):
    CSS = CSS
    BINDINGS = [Binding("ctrl+c", "cancel", "cancel", priority=True, show=False)]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, state, roulette: bool = False):
        super().__init__()
        self.state = state
        self.roulette = roulette

    def on_mount(self) -> None:
        self.push_screen(RouletteScreen(self.state) if self.roulette else ExploreScreen(self.state))

    def action_cancel(self) -> None:
        self.exit(None)

    def accept(self) -> None:
        """Leave with the chosen distribution's code lines and JSON document."""
        commit = getattr(self.state, "commit_edit", None)
        if commit is not None:
            commit()
        if getattr(self.state, "stale", False):
            self.state.refit()  # the chips on the screen are what is chosen: rank them now
        document = self.state.document()
        if document is None:
            self.state.message = "nothing to choose yet: " + (self.state.message or "no fit")
            self.screen.redraw()
            return
        self.exit((self.state.lines(), document))
