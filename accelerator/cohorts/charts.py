"""Geometry of the dashboard's SVG charts; templates/cohorts/_charts.html draws it.

Sizes are in SVG user units inside a viewBox, so the charts scale with the page.
"""

from dataclasses import dataclass

from accelerator.cohorts.dashboard import CohortSummary, ProjectFigures

MAX_TRL = 9
LABEL_WIDTH = 200
PLOT_WIDTH = 420
ROW_HEIGHT = 34
BAR_HEIGHT = 12
TOP = 34  # room for the legend
AXIS_HEIGHT = 28
LABEL_LENGTH = 28

COLUMN_PLOT_HEIGHT = 200
COLUMN_WIDTH = 70
COLUMN_GAP = 40
COLUMN_TOP = 30  # room for the value above the tallest column


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float

    def __post_init__(self):
        for name in ("x", "y", "width", "height"):  # a tenth of a unit is finer than a pixel
            object.__setattr__(self, name, round(getattr(self, name), 1))


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class TRLRow:
    label: str
    entry_trl: int
    current_trl: int
    label_y: float
    entry: Bar
    current: Bar


@dataclass(frozen=True)
class TRLChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    rows: list[TRLRow]
    ticks: list[Tick]


@dataclass(frozen=True)
class Column:
    label: str
    funding_raised_cents: int
    bar: Bar
    label_x: float
    value_y: float


@dataclass(frozen=True)
class FundingChart:
    width: int
    height: int
    baseline_y: int
    columns: list[Column]


def trl_chart(projects: list[ProjectFigures]) -> TRLChart:
    """Two bars per project on a 0–9 scale: the TRL at entry and the current one."""
    scale = PLOT_WIDTH / MAX_TRL
    rows = []
    for index, figures in enumerate(projects):
        project = figures.project
        top = TOP + index * ROW_HEIGHT
        rows.append(
            TRLRow(
                label=project.short_label(LABEL_LENGTH),
                entry_trl=project.entry_trl,
                current_trl=project.current_trl,
                label_y=top + BAR_HEIGHT + 4,
                entry=Bar(LABEL_WIDTH, top + 3, project.entry_trl * scale, BAR_HEIGHT),
                current=Bar(
                    LABEL_WIDTH, top + 3 + BAR_HEIGHT + 2, project.current_trl * scale, BAR_HEIGHT
                ),
            )
        )
    plot_bottom = TOP + len(projects) * ROW_HEIGHT
    return TRLChart(
        width=LABEL_WIDTH + PLOT_WIDTH + 20,
        height=plot_bottom + AXIS_HEIGHT,
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT_WIDTH,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        rows=rows,
        ticks=[
            Tick(round(LABEL_WIDTH + level * scale, 1), str(level)) for level in range(MAX_TRL + 1)
        ],
    )


def funding_chart(cohorts: list[CohortSummary]) -> FundingChart:
    """One column per cohort, as tall as the funding its projects raised."""
    highest = max((cohort.funding_raised_cents for cohort in cohorts), default=0) or 1
    baseline = COLUMN_TOP + COLUMN_PLOT_HEIGHT
    columns = []
    for index, cohort in enumerate(cohorts):
        height = cohort.funding_raised_cents / highest * COLUMN_PLOT_HEIGHT
        left = COLUMN_GAP + index * (COLUMN_WIDTH + COLUMN_GAP)
        columns.append(
            Column(
                label=str(cohort.cohort_year),
                funding_raised_cents=cohort.funding_raised_cents,
                bar=Bar(left, baseline - height, COLUMN_WIDTH, height),
                label_x=left + COLUMN_WIDTH / 2,
                value_y=round(baseline - height - 8, 1),
            )
        )
    return FundingChart(
        width=COLUMN_GAP + len(cohorts) * (COLUMN_WIDTH + COLUMN_GAP) + 60,
        height=baseline + 30,
        baseline_y=baseline,
        columns=columns,
    )
