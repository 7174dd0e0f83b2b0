"""The dashboard's hourly chart, drawn on the server as SVG: no script and no inline style,
so it runs under the page's CSP, and it comes with the same figures as a table."""

from dataclasses import dataclass
from decimal import Decimal

from inventory.selectors import HourFlow

WIDTH, HEIGHT = 480, 160
BAR_TOP, BAR_BOTTOM = 10, 140  # room under the bars for the hour labels
LABEL_EVERY = 6  # hours


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class HourColumn:
    flow: HourFlow
    received: Bar
    removed: Bar
    label_x: int
    labelled: bool


@dataclass(frozen=True)
class FlowChart:
    columns: list[HourColumn]
    received_litres: Decimal
    removed_litres: Decimal
    bar_width: int
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = BAR_BOTTOM
    label_y: int = HEIGHT - 4


def flow_chart(*, flows: list[HourFlow]) -> FlowChart:
    """Two bars per hour, received and out, scaled to the busiest hour of the window."""
    top = max((max(f.in_litres, f.out_litres) for f in flows), default=Decimal(0)) or Decimal(1)
    slot = WIDTH // max(len(flows), 1)
    bar_width = max(slot // 2 - 1, 1)

    def bar(x: int, litres: Decimal) -> Bar:
        height = int((max(litres, Decimal(0)) * (BAR_BOTTOM - BAR_TOP) / top).to_integral_value())
        return Bar(x=x, y=BAR_BOTTOM - height, height=height)

    columns = [
        HourColumn(
            flow=flow,
            received=bar(n * slot, flow.in_litres),
            removed=bar(n * slot + bar_width, flow.out_litres),
            label_x=n * slot,
            labelled=n % LABEL_EVERY == 0,
        )
        for n, flow in enumerate(flows)
    ]
    return FlowChart(
        columns=columns,
        received_litres=sum((f.in_litres for f in flows), Decimal(0)),
        removed_litres=sum((f.out_litres for f in flows), Decimal(0)),
        bar_width=bar_width,
    )
