"""alphakit without matplotlib: the core works, the figures say which extra to install.

matplotlib is the ``plot`` extra, not a dependency. Each check runs in a fresh
interpreter with ``import matplotlib`` made to fail, as when it is not installed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

HINT = 'pip install "alphakit[plot]"'


def run_python(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_import_alphakit_does_not_import_matplotlib():
    out = run_python(
        """
        import sys
        import alphakit, alphakit.plotting, alphakit.diagnosis, alphakit.conventions
        print(sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib"))
        """
    )
    assert out.strip() == "[]"


def test_without_matplotlib_core_works_and_every_figure_names_the_extra():
    out = run_python(
        f"""
        import sys
        sys.modules["matplotlib"] = None  # makes every `import matplotlib...` fail
        import numpy as np
        import alphakit as ak
        from alphakit import plotting
        from alphakit.network import NetworkResult

        s = np.zeros(200); s[10] = 1
        g = ak.convolve_spikes(s, 0.1, 5.0)
        assert abs(g.max() - np.exp(-1)) < 1e-3, g.max()
        errors = dict(euler=[1e-3, 2e-3])
        res = NetworkResult(np.array([1.0, 2.0]), np.array([0, 1]), 1, 1, 10.0, 0.1)

        class FakeAxes:  # given axes: the import is still required, and reported
            def __getattr__(self, name):
                raise AssertionError("drew without matplotlib")

        calls = {{
            "plot_kernel": lambda: plotting.plot_kernel(5.0),
            "plot_kernel(ax)": lambda: plotting.plot_kernel(5.0, ax=FakeAxes()),
            "plot_norms": lambda: plotting.plot_norms(5.0),
            "plot_norms(axes)": lambda: plotting.plot_norms(5.0, axes=[FakeAxes()] * 4),
            "plot_spikes": lambda: plotting.plot_spikes([1.0]),
            "plot_trace": lambda: plotting.plot_trace(g, 0.1),
            "plot_convergence": lambda: plotting.plot_convergence([0.1, 0.2], errors),
            "plot_raster": lambda: plotting.plot_raster(res),
            "plot_population_rate": lambda: plotting.plot_population_rate(res, ax=FakeAxes()),
        }}
        missing = set(plotting.__all__) - {{"NORM_COLORS", "POPULATION_COLORS"}}
        assert missing <= {{c.split("(")[0] for c in calls}}, missing
        for name, call in calls.items():
            try:
                call()
            except ImportError as exc:
                assert {HINT!r} in str(exc), (name, str(exc))
            else:
                raise AssertionError(name + " did not raise ImportError")
        print("ok")
        """
    )
    assert out.strip() == "ok"


def test_without_matplotlib_widgets_import_and_explorers_name_an_extra():
    out = run_python(
        """
        import sys
        sys.modules["matplotlib"] = None
        from alphakit import widgets
        for make in (widgets.kernel_explorer, widgets.convolution_explorer,
                     widgets.legacy_explorer, widgets.integration_explorer):
            try:
                make()
            except ImportError as exc:
                # with ipywidgets installed the figure is what is missing; without it, the
                # widgets extra (which brings matplotlib too)
                msg = str(exc)
                assert 'alphakit[plot]' in msg or 'alphakit[widgets]' in msg, msg
            else:
                raise AssertionError(make.__name__ + " did not raise ImportError")
        print("ok")
        """
    )
    assert out.strip() == "ok"
