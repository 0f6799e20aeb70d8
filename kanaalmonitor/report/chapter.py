"""Draft the monitor chapter of one edition from the warehouse: Markdown, HTML and one chart per channel the
edition delivers counts for.

Every figure comes from a query under warehouse/report/ on the `_by_edition` tables (and
revisions, method_changes, notes) of the edition asked for, its numbers already in Dutch print (the macros
of warehouse/macros.sql); this module only lays them out.
"""

from __future__ import annotations

import base64
import html
import itertools
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter, MaxNLocator

from kanaalmonitor.config import DEFAULT_MUNICIPALITY
from kanaalmonitor.paths import check_output, replacing, write_whole
from kanaalmonitor.report.queries import TEMPLATES_DIR, query, templates, with_macros

CHART_SIZE_INCHES = (8.0, 5.0)
CHART_DPI = 100
MD_SPECIAL = "\\`*_{}[]<>()#+!|~"
KIND_NL = {"restated": "bijgesteld", "remeasured": "opnieuw gemeten", "withdrawn": "vervallen",
           "filled": "aangevuld"}


class ReportError(Exception):
    """The report cannot be drafted from this warehouse (no such edition, or no figures)."""


@dataclass(frozen=True)
class PlottedLine:
    """One line drawn on a chart, read back from the figure: gid is `kind|series|method-or-year`."""

    gid: str
    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]

    @property
    def points(self) -> int:
        return sum(1 for v in self.y if not math.isnan(v))


@dataclass(frozen=True)
class Chart:
    channel: str
    name_nl: str
    title: str
    source_lines: tuple[str, ...]  # printed under the chart, in the figure and as its caption
    path: Path
    lines: tuple[PlottedLine, ...]

    @property
    def withdrawn_series(self) -> set[str]:
        """Series whose replaced figures the chart shows."""
        return {line.gid.split("|")[1] for line in self.lines if line.gid.startswith("withdrawn|")}


@dataclass
class ReportResult:
    municipality: str
    edition: int
    markdown: Path
    html: Path
    charts: list[Chart] = field(default_factory=list)


def capital(text: str) -> str:
    """Text that opens a sentence or a heading: its first letter upper case ("de balie" -> "De balie")."""
    return text[:1].upper() + text[1:]


def md_escape(text: object) -> str:
    """Text from the warehouse, safe inside Markdown (and so inside the HTML made from it)."""
    return "".join("\\" + c if c in MD_SPECIAL else c for c in str(text))


def choose_edition(con: duckdb.DuckDBPyConnection, municipality: str, edition: int | None) -> dict:
    """The edition asked for (latest when None), with its source and the edition before it."""
    editions = query(con, "editions", municipality=municipality)
    if not editions:
        raise ReportError(f"The warehouse holds no edition of {municipality}: run `kanaalmonitor run` first.")
    if edition is None:
        return editions[-1]
    for e in editions:
        if e["edition"] == edition:
            return e
    known = ", ".join(str(e["edition"]) for e in editions)
    raise ReportError(f"The warehouse holds no edition {edition} of {municipality} (it holds: {known}).")


def key_figures(con: duckdb.DuckDBPyConnection, municipality: str, edition: int) -> dict:
    """The tables as published, each with its title, header, rows of printed cells (labels as printed, with the
    marker of a declared method change the table does not mark) and the lines under it; the notes of the
    tables of grades only go with the satisfaction section."""
    rows = query(con, "kerncijfers", municipality=municipality, edition=edition)
    footnotes = query(con, "footnotes", municipality=municipality, edition=edition)
    marks = {(f["table_title"], f["series"]): f["marker"] for f in footnotes if f["series"]}
    tables = []
    for title, group in itertools.groupby(rows, key=lambda r: r["table_title"]):
        group = list(group)
        years = [c for c in group[0] if c.isdigit() and any(r[c] is not None for r in group)]
        tables.append({
            "title": title or "Kerncijfers",
            "grades_only": group[0]["grades_only"],
            "years": years,
            "rows": [{"label": (r["label_printed"] or r["label_nl"]) + marks.get((title, r["series"]), ""),
                      "cells": [r[y] for y in years]} for r in group],
            "notes": [f for f in footnotes if f["series"] is None and f["table_title"] == title],
        })
    return {
        "tables": [t for t in tables if not t["grades_only"]],
        "satisfaction_notes": [n for t in tables if t["grades_only"] for n in t["notes"]],
    }


def _count_axis(ax, tick_labels: Callable[[list[float]], list[str]]) -> None:
    """A vertical axis of counts from 0, its ticks printed by tick_labels."""
    ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.08)
    ticks = [float(t) for t in MaxNLocator(nbins=6, integer=True).tick_values(*ax.get_ylim())]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(FixedFormatter(tick_labels(ticks)))


def channel_figure(title: str, source_lines: tuple[str, ...], points: list[dict],
                   tick_labels: Callable[[list[float]], list[str]]) -> Figure:
    """Counts of one channel per year: one line per series and method, a dashed grey line for figures a
    restatement replaced, and a dotted vertical line where a series breaks to a new method, the source lines
    under it; tick_labels prints the counts of the vertical axes. Series the edition prints in a scale
    ("(in miljoenen)") beside series it prints unscaled get an axis of their own, on the right."""
    fig = Figure(figsize=CHART_SIZE_INCHES, dpi=CHART_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    scaled = {p["series"] for p in points if p["scale"] > 1}
    right = ax.twinx() if scaled and any(p["series"] not in scaled for p in points) else None
    colours = itertools.cycle(["#00529b", "#e17000", "#39870c", "#a90061", "#5f5f5f"])
    years: set[int] = set()
    for series in dict.fromkeys(p["series"] for p in points):
        colour = next(colours)
        on = right if right is not None and series in scaled else ax
        mine = [p for p in points if p["series"] == series]
        label = textwrap.shorten(mine[0]["label_nl"], 90, placeholder="…") + (" (rechteras)" if on is right else "")
        segments: dict[tuple[bool, str], dict[int, float | None]] = {}
        for p in sorted(mine, key=lambda p: (p["withdrawn"], p["year"])):
            segments.setdefault((p["withdrawn"], p["method"]), {})[p["year"]] = p["value"]
        first_current = True
        for (withdrawn, method), by_year in segments.items():
            xs = list(range(min(by_year), max(by_year) + 1))
            ys = [math.nan if by_year.get(x) is None else by_year[x] for x in xs]
            years.update(xs)
            if withdrawn:
                on.plot(xs, ys, linestyle="--", marker="o", markersize=4, color="#9a9a9a",
                        gid=f"withdrawn|{series}|{method}", label=f"{label}: oude meetmethode (vervangen)")
            else:
                on.plot(xs, ys, marker="o", markersize=5, color=colour, gid=f"current|{series}|{method}",
                        label=label if first_current else "_nolegend_")
                first_current = False
        for p in mine:
            if p["status"] == "B" and not p["withdrawn"]:
                on.axvline(p["year"] - 0.5, linestyle=":", color="#5f5f5f", gid=f"break|{series}|{p['year']}",
                           label=f"nieuwe meetmethode vanaf {p['year']}")
    ax.set_title(title)
    ax.set_xlabel("Jaar")
    ax.set_ylabel("Aantal")
    if years:
        ax.set_xticks(sorted(years))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: str(int(v))))
    handles, labels = ax.get_legend_handles_labels()
    for axis in (ax, right) if right is not None else (ax,):
        _count_axis(axis, tick_labels)
    if right is not None:
        right.set_ylabel("Aantal (rechteras)")
        more_handles, more_labels = right.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    ax.grid(axis="y", color="#dddddd")
    if handles:
        ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=8, frameon=False)
    fig.supxlabel("\n".join(source_lines), x=0.01, ha="left", fontsize=8, color="#5f5f5f")
    return fig


def plotted_lines(fig: Figure) -> tuple[PlottedLine, ...]:
    """What the figure actually draws, line by line."""
    return tuple(PlottedLine(line.get_gid(), line.get_label(),
                             tuple(float(x) for x in line.get_xdata()), tuple(float(y) for y in line.get_ydata()))
                 for ax in fig.axes for line in ax.get_lines())


def draw_charts(con: duckdb.DuckDBPyConnection, municipality: str, edition: int, channels: list[dict],
                out_dir: Path) -> list[Chart]:
    """One PNG per channel the edition delivers (channels, the query `channels`) that has counts in it."""
    points = query(con, "chart_points", municipality=municipality, edition=edition)

    def tick_labels(ticks: list[float]) -> list[str]:
        return query(con, "tick_labels", ticks=ticks)[0]["labels"]

    charts = []
    for ch in channels:
        mine = [p for p in points if p["channel"] == ch["channel"]]
        if not any(p["value"] is not None for p in mine):
            continue
        title, sources = f"{capital(ch['name_nl'])}: aantallen per jaar", tuple(ch["source_lines"])
        fig = channel_figure(title, sources, mine, tick_labels)
        path = out_dir / f"kanaal-{ch['channel']}.png"
        with replacing(path) as fh:
            fig.savefig(fh, format="png", dpi=CHART_DPI)
        charts.append(Chart(ch["channel"], ch["name_nl"], title, sources, path, plotted_lines(fig)))
    return charts


def render_markdown(context: dict) -> str:
    return templates(md=md_escape, kind_nl=KIND_NL.get, capital=capital).get_template("report.md.j2").render(
        **context)


def render_html(markdown_text: str, title: str, images: dict[str, bytes]) -> str:
    """One self-contained HTML page: the Markdown rendered, every chart inlined as a data: URI."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")

    def image(renderer, tokens, idx, options, env) -> str:
        token = tokens[idx]
        src = token.attrGet("src")
        if src in images:
            src = "data:image/png;base64," + base64.b64encode(images[src]).decode("ascii")
        alt = renderer.renderInlineAsText(token.children or [], options, env)
        return f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'

    md.add_render_rule("image", image)
    body = md.render(markdown_text)
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), undefined=StrictUndefined, autoescape=True)
    return env.get_template("report.html.j2").render(title=title, body=body)


def write_report(warehouse: Path, out_dir: Path, edition: int | None = None,
                 municipality: str = DEFAULT_MUNICIPALITY) -> ReportResult:
    """Write report.md, report.html and one chart per channel with counts in one edition into out_dir, each file whole or
    not at all; out_dir may not lie on or in what the pipeline reads (kanaalmonitor.paths.check_output)."""
    from kanaalmonitor.db import read_only_connection

    check_output(out_dir, "folder", warehouse=warehouse)
    out_dir = Path(out_dir)
    con = with_macros(read_only_connection(Path(warehouse)))
    try:
        chosen = choose_edition(con, municipality, edition)
        n = chosen["edition"]
        params = {"municipality": municipality, "edition": n}
        figures = query(con, "series_figures", **params)
        if not figures:
            raise ReportError(f"Edition {n} of {municipality} has no key figures to report.")
        out_dir.mkdir(parents=True, exist_ok=True)
        channels = query(con, "channels", **params)
        charts = {c.channel: c for c in draw_charts(con, municipality, n, channels, out_dir)}
        satisfaction = query(con, "satisfaction", **params)
        context = {
            "municipality": municipality,
            "edition": chosen,
            "table": key_figures(con, municipality, n),
            "channels": [{**c, "chart": charts.get(c["channel"]),
                          "figures": [f for f in figures if f["channel"] == c["channel"]]} for c in channels],
            "channel_mix": query(con, "channel_mix", **params),
            "missing_channels": query(con, "missing_channels", **params),
            "satisfaction": satisfaction,
            "best": [s for s in satisfaction if s["best"]],
            "worst": [s for s in satisfaction if s["worst"] and not s["best"]],
            "method_changes": query(con, "method_changes", **params),
            "revisions": query(con, "revisions", **params),
        }
    finally:
        con.close()
    markdown_text = render_markdown(context)
    md_path = out_dir / "report.md"
    write_whole(md_path, markdown_text.encode("utf-8"))
    html_path = out_dir / "report.html"
    write_whole(html_path, render_html(markdown_text, f"Dienstverlening, editie {n}",
                                       {c.path.name: c.path.read_bytes() for c in charts.values()}).encode("utf-8"))
    return ReportResult(municipality, n, md_path, html_path, list(charts.values()))
