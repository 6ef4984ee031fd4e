"""The lab report drawn: a bar per resource over the period, and per ISO week, per lab."""

from dataclasses import dataclass

from flask_babel import gettext as _

from accelerator.cohorts.charts import (
    AXIS_HEIGHT,
    BAR_HEIGHT,
    LABEL_WIDTH,
    PLOT_WIDTH,
    ROW_HEIGHT,
    TOP,
    Bar,
    Tick,
)
from accelerator.labs.report.figures import LabReport, Utilisation


@dataclass(frozen=True)
class UtilisationRow:
    label: str
    utilisation: Utilisation
    label_y: float
    bar: Bar
    value_x: float


@dataclass(frozen=True)
class UtilisationChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    rows: list[UtilisationRow]
    ticks: list[Tick]


@dataclass(frozen=True)
class LabCharts:
    resources: UtilisationChart
    weeks: UtilisationChart


def utilisation_chart(rows: list[tuple[str, Utilisation]]) -> UtilisationChart:
    """One bar per row on a 0–100 % scale, with the cohort dashboard's layout; a bar over
    100 % (bookings in time blacked out later) stops at the scale's end."""
    scale = PLOT_WIDTH / 100
    drawn = []
    for index, (label, utilisation) in enumerate(rows):
        top = TOP + index * ROW_HEIGHT
        length = min(float(utilisation.percent or 0), 100) * scale
        drawn.append(
            UtilisationRow(
                label=label,
                utilisation=utilisation,
                label_y=top + BAR_HEIGHT + 4,
                bar=Bar(LABEL_WIDTH, top + 6, length, BAR_HEIGHT),
                value_x=round(LABEL_WIDTH + length + 6, 1),
            )
        )
    plot_bottom = TOP + len(rows) * ROW_HEIGHT
    return UtilisationChart(
        width=LABEL_WIDTH + PLOT_WIDTH + 60,  # room for "100 %" after the longest bar
        height=plot_bottom + AXIS_HEIGHT,
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT_WIDTH,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        rows=drawn,
        ticks=[
            Tick(round(LABEL_WIDTH + level * scale, 1), str(level)) for level in range(0, 101, 20)
        ],
    )


def lab_charts(report: LabReport) -> dict[int, LabCharts]:
    """Per lab: its resources over the period, and the lab per ISO week."""
    return {
        line.lab.id: LabCharts(
            resources=utilisation_chart(
                [(resource.resource.name, resource.period) for resource in line.resources]
            ),
            weeks=utilisation_chart(
                [
                    (_("Week %(week)d", week=bucket.week), utilisation)
                    for bucket, utilisation in zip(report.weeks, line.weeks, strict=True)
                ]
            ),
        )
        for line in report.labs
    }
