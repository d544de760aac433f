"""## What it does
Flags a pyplot figure (`plt.figure`, `plt.subplots`, `plt.subplot_mosaic`, `plt.gcf`) created
in a function and neither closed (`plt.close(fig)`, `plt.close()`, `plt.close("all")`, also in
a `finally:`) nor returned, yielded, stored on an owner or passed on (handing on an Axes or
artist made from it counts as passing the figure on); a figure returned on some paths but
neither returned nor closed on others (`if return_fig: return fig`); and a pyplot figure stored
on `self` in any method, constructors included, when nothing in the class ever closes it.
pyplot is recognised under any import (`import matplotlib.pyplot as plt`, `from matplotlib
import pyplot`, `from matplotlib.pyplot import figure`) and through `matplotlib.pylab` or
`pylab`, which re-export its `figure`, `subplots` and `close`.
Not flagged: a call with a `num` (`plt.figure(self.fig)`, `plt.figure(1)`,
`plt.figure("equity")`, `plt.subplots(num="panels")`): pyplot makes that figure active again
when it exists and creates it only the first time, so a refresh drawing into it adds no figure.

## Why is this bad?
pyplot keeps a reference to every figure it creates until `plt.close` is called, whatever
becomes of the Python objects. A dashboard refresh callback that draws a new figure each time
leaks one figure (and its canvas, often megabytes) per refresh; matplotlib warns after 20.

Module-level script code is not flagged (it runs once). Figures that are never shown need no
pyplot at all: `matplotlib.figure.Figure()` is garbage-collected like any object.

## Example
```python
import matplotlib.pyplot as plt


def refresh(prices):
    fig, ax = plt.subplots()
    ax.plot(prices)
    fig.savefig("equity.png")
```

## Use instead
```python
def refresh(prices):
    fig, ax = plt.subplots()
    ax.plot(prices)
    fig.savefig("equity.png")
    plt.close(fig)
```

## Fix safety
Safe for a figure made and used in one function: `plt.close(fig)` (with the module's own
name for pyplot) is inserted after the last statement of the creating block that uses the
figure or its axes; the figure is never returned, stored or handed on, so nothing can use it
afterwards. Unsafe for `self.fig = plt.figure()` in a method that runs repeatedly: the
previous figure is closed first (`if getattr(self, "fig", None) is not None:
plt.close(self.fig)`), and other code may still hold it. Plain `--fix` applies an unsafe
fix only to a `high` finding (`fix-level = "high"`, the default), or to one runtime
evidence saw grow (`fix-level = "evidence"`); `--fix-level all` or
`--unsafe-fixes` applies it to every finding, `--fix-level safe` to none. Figures without a
name, a figure returned on some paths and figures made in a constructor get no fix.

## Options
None.
"""

from __future__ import annotations

from typing import Iterator, Optional

from ..analysis.facts import ModuleFacts
from ..analysis.figures import FigureFinding, figure_findings
from ..fix.plan import make_fix, plan_close_after, plan_close_before
from ..types import Applicability, Confidence, Fix, Settings
from .base import Invalid, Report, Valid

CODE = "UBL005"
NAME = "unclosed-figure"
# Words one of which every finding of this rule needs in the file (the engine skips files
# that have none of any rule's words).
TRIGGERS = (b"figure", b"subplot", b"gcf")
SUMMARY = "A pyplot figure is created and never closed"

INVALID = (
    Invalid(
        'import matplotlib.pyplot as plt\n'
        '\n'
        'def refresh(data):\n'
        '    fig = plt.figure()\n'
        '    plt.plot(data)\n'
        "    fig.savefig('x.png')\n",
        confidence=Confidence.HIGH,
        fixed=(
            'import matplotlib.pyplot as plt\n'
            '\n'
            'def refresh(data):\n'
            '    fig = plt.figure()\n'
            '    plt.plot(data)\n'
            "    fig.savefig('x.png')\n"
            '    plt.close(fig)\n'
        ),
    ),
)
VALID = (
    Valid(
        'import matplotlib.pyplot as plt\n'
        '\n'
        'def refresh(data):\n'
        '    fig = plt.figure()\n'
        '    plt.plot(data)\n'
        "    fig.savefig('x.png')\n"
        '    plt.close(fig)\n',
    ),
    Valid(
        'import matplotlib.pyplot as plt\n'
        '\n'
        'def make(data):\n'
        '    fig, ax = plt.subplots()\n'
        '    ax.plot(data)\n'
        '    return fig\n',
    ),
)


def check(facts: ModuleFacts, settings: Settings) -> Iterator[Report]:
    for found in figure_findings(facts):
        yield Report(found.call, found.message, "", Confidence.HIGH, _fix(facts, found))


def _fix(facts: ModuleFacts, found: FigureFinding) -> Optional[Fix]:
    if found.kind == "function" and found.stmt is not None:
        # Safe: the figure is never returned, stored or handed on, so nothing can use it
        # after its last use in this block.
        edits = plan_close_after(facts, found.block, found.stmt, found.fig, set(found.aliases), found.plt)
        return make_fix("close the figure after its last use", edits, Applicability.SAFE)
    if found.replaced_attr is not None and found.plt is not None and found.stmt is not None:
        # Unsafe: the previous figure is stored on the object, so other code may still use it.
        edits = plan_close_before(facts, found.stmt, found.plt, found.replaced_attr)
        return make_fix("close the previous figure before replacing it", edits, Applicability.UNSAFE)
    return None
