"""The script of BrainPy issue 577, and a switch that runs it with the pre-fix synapse."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

import numpy as np

from ._env import quiet, require_brainpy
from ._results import IssueScriptResult

__all__ = ["ISSUE_577_SCRIPT", "run_issue_script", "use_legacy_alpha"]

#: The reproducer of BrainPy issue 577 (as recorded in ``tests/data`` by the
#: team's ``make_reference.py``): a LIF neuron with input 25 -> ``bp.synapses.Alpha``
#: (All2All, CUBA, g_max 1, tau_decay 8.6 ms, rk4) -> a LIF neuron, dt 0.1 ms,
#: 200 ms; then its comparison of ``g`` with the alpha kernel convolved with the
#: presynaptic spikes. It uses only BrainPy's public API, so it runs on any
#: BrainPy 2.x; ``ratio`` is ``tau`` on BrainPy <= 2.4.6 and 1 after the fix.
ISSUE_577_SCRIPT = """\
import numpy as np
import brainpy as bp
import brainpy.math as bm

dt = 0.1  # ms
bm.set_dt(dt)

neu1 = bp.neurons.LIF(1, method='rk4')
neu2 = bp.neurons.LIF(1, method='rk4')
syn1 = bp.synapses.Alpha(neu1, neu2, bp.connect.All2All(), g_max=1.0, tau_decay=8.6,
                         output=bp.synouts.CUBA(), method='rk4')
net = bp.Network(pre=neu1, syn=syn1, post=neu2)
runner = bp.DSRunner(net, inputs=[('pre.input', 25.)],
                     monitors=['pre.V', 'pre.spike', 'post.V', 'syn.g', 'syn.h'],
                     dt=dt, jit=True, progress_bar=False)
runner.run(200.)

# The alpha kernel g_max t/tau exp(-t/tau), convolved with the presynaptic spikes.
tau = 8.6
ts = np.arange(0, 200, dt)
kernel = 1.0 * ts / tau * np.exp(-ts / tau)
pre_spike = np.asarray(runner.mon['pre.spike'], dtype=float)[:, 0]
conv = np.convolve(pre_spike, kernel)[:len(ts)]
g = np.asarray(runner.mon['syn.g'], dtype=float)[:, 0]
# BrainPy's g lags the convolution by one step.
ratio = g[1:].max() / conv[:-1].max()
print(f"max g / max convolution = {ratio:.4f}")
"""


@contextlib.contextmanager
def use_legacy_alpha() -> Iterator[None]:
    """Within this block ``bp.synapses.Alpha`` and ``bp.dyn.Alpha`` are the pre-fix synapse.

    Sets the two public names to :class:`~alphakit.brainpy.LegacyAlphaSynapse`
    and :class:`~alphakit.brainpy.LegacyAlpha`, and restores BrainPy's own
    classes on exit (also on error). It lets a script written for BrainPy <=
    2.4.6 run unchanged and give the results it gave then. Models built
    inside the block keep the legacy dynamics after it.

    Examples
    --------
    >>> import brainpy as bp
    >>> from alphakit.brainpy import use_legacy_alpha
    >>> with use_legacy_alpha():
    ...     print(bp.synapses.Alpha.__name__)
    LegacyAlphaSynapse
    >>> bp.synapses.Alpha.__name__
    'Alpha'
    """
    bp, _ = require_brainpy()
    with quiet():
        from ._models import LegacyAlpha, LegacyAlphaSynapse
    saved = bp.synapses.Alpha, bp.dyn.Alpha
    bp.synapses.Alpha, bp.dyn.Alpha = LegacyAlphaSynapse, LegacyAlpha
    try:
        yield
    finally:
        bp.synapses.Alpha, bp.dyn.Alpha = saved


def run_issue_script(*, legacy: bool = False) -> IssueScriptResult:
    """Run :data:`ISSUE_577_SCRIPT` verbatim, with today's or the pre-fix Alpha synapse.

    Parameters
    ----------
    legacy : bool
        Run it inside :func:`use_legacy_alpha`, as if on BrainPy <= 2.4.6.

    Returns
    -------
    IssueScriptResult
        The script's ``ratio`` (about 8.6 = tau with ``legacy=True``, 1
        without), its arrays and what it printed. BrainPy's global ``dt``,
        which the script sets, is restored afterwards.

    Examples
    --------
    >>> from alphakit.brainpy import run_issue_script
    >>> round(run_issue_script(legacy=True).ratio, 3)
    8.6
    >>> round(run_issue_script().ratio, 3)
    1.0
    """
    if not isinstance(legacy, bool | np.bool_):
        raise TypeError(f"legacy must be True or False, got {legacy!r}")
    bp, bm = require_brainpy()
    namespace: dict[str, object] = {"__name__": "__issue_577__"}
    out = io.StringIO()
    old_dt = bm.get_dt()
    switch = use_legacy_alpha() if legacy else contextlib.nullcontext()
    try:
        with quiet(), switch, contextlib.redirect_stdout(out):
            exec(compile(ISSUE_577_SCRIPT, "<issue 577>", "exec"), namespace)
    finally:
        bm.set_dt(old_dt)

    def arr(name: str) -> np.ndarray:
        return np.array(namespace[name], dtype=np.float64)

    return IssueScriptResult(
        ratio=float(namespace["ratio"]),  # type: ignore[arg-type]
        t=arr("ts"),
        pre_spike=arr("pre_spike"),
        g=arr("g"),
        convolution=arr("conv"),
        legacy=bool(legacy),
        stdout=out.getvalue(),
        brainpy_version=bp.__version__,
    )
