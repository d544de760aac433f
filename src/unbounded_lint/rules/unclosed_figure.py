"""## What it does
Flags a pyplot figure (`plt.figure`, `plt.subplots`, `plt.subplot_mosaic`, `plt.gcf`) created
in a function and neither closed (`plt.close(fig)`, `plt.close()`, `plt.close("all")`, also in
a `finally:`) nor returned, yielded, stored on an owner or passed on (handing on an Axes or
artist made from it counts as passing the figure on); a figure returned on some paths but
neither returned nor closed on others (`if return_fig: return fig`); and a pyplot figure stored
on `self` in any method, constructors included, when nothing in the class ever closes it.

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
Safe: `plt.close(fig)` (with the module's own name for pyplot) is inserted after the last
statement of the creating block that uses the figure or its axes. For `self.fig = plt.figure()`
in a method that runs repeatedly, the previous figure is closed first
(`if getattr(self, "fig", None) is not None: plt.close(self.fig)`). Figures without a name, a
figure returned on some paths and figures made in a constructor get no fix.

## Options
None.
"""

from __future__ import annotations

from typing import Iterator

from ..analysis.facts import ModuleFacts
from ..analysis.figures import figure_findings
from ..analysis.fixplan import make_fix
from ..types import Confidence, Settings
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
        fix = make_fix("close the figure after its last use", found.edits) if found.edits else None
        yield Report(found.call, found.message, "", Confidence.HIGH, fix)
