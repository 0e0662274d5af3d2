"""alphakit without BrainPy: the numpy core works, the runners say what to install.

Each check runs in a fresh interpreter, so that what is (or is not) imported is
not hidden by modules this test session already loaded.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

HINT = 'pip install "alphakit[brainpy]"'


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_import_alphakit_imports_neither_jax_nor_brainpy():
    proc = run_python(
        """
        import sys
        import alphakit
        import alphakit.brainpy as abp   # the submodule itself is lazy too
        abp.BRAINPY_METHODS, abp.run_synapse, abp.SynapseRun   # touching names is fine
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("jax", "jaxlib", "brainpy"))
        print(heavy)
        """
    )
    assert proc.stdout.strip() == "[]"


def test_without_brainpy_core_works_and_runners_name_the_extra():
    # A None entry in sys.modules makes ``import brainpy`` raise ImportError,
    # exactly as when the package is not installed.
    proc = run_python(
        f"""
        import sys
        sys.modules["brainpy"] = None
        import numpy as np
        import alphakit
        import alphakit.brainpy as abp

        # the numpy core
        s = np.zeros(200); s[10] = 1
        g = alphakit.convolve_spikes(s, 0.1, 8.6)
        assert abs(g.max() - np.exp(-1)) < 1e-3, g.max()
        legacy = alphakit.simulate(s, 0.1, 8.6, form="legacy", method="exact").g
        assert np.allclose(legacy, 8.6 * g)

        # bad arguments are still reported as such, before any import is tried
        try:
            abp.run_synapse(s, dt=-1.0, tau=8.6)
        except ValueError as exc:
            assert "dt" in str(exc)
        else:
            raise AssertionError("no ValueError")

        calls = {{
            "run_synapse": lambda: abp.run_synapse(s, dt=0.1, tau=8.6),
            "run_issue_577": lambda: abp.run_issue_577(),
            "installed_convention": lambda: abp.installed_convention(),
            "run_issue_script": lambda: abp.run_issue_script(),
            "use_legacy_alpha": lambda: abp.use_legacy_alpha().__enter__(),
            "LegacyAlpha": lambda: abp.LegacyAlpha,
            "from-import": lambda: exec("from alphakit.brainpy import LegacyAlphaSynapse"),
        }}
        for name, call in calls.items():
            try:
                call()
            except ImportError as exc:
                assert {HINT!r} in str(exc), (name, str(exc))
            else:
                raise AssertionError(name + " did not raise ImportError")
        print("ok", "jax" in sys.modules)
        """
    )
    assert proc.stdout.split() == ["ok", "False"]


def test_statistics_import_without_brainpy_or_jax():
    # alphakit.statistics is pure numpy: it imports and computes with BrainPy and
    # jax unimportable, and loads neither.
    proc = run_python(
        """
        import sys
        for name in ("brainpy", "brainpy.math", "jax", "jax.numpy", "jaxlib"):
            sys.modules[name] = None
        import alphakit.statistics as st
        import alphakit.network as nw   # the result type and validation need no BrainPy either

        rec = st.SpikeRecord([1.0, 2.0, 3.0], [0, 1, 0], 2, 1000.0)
        assert rec.mean_rate() == 1.5
        res = nw.NetworkResult(rec.spike_times, rec.spike_indices, 1, 1, 1000.0, 0.1)
        assert res.rate("E") == 2.0
        try:
            nw.run_network(scale=0.1, duration=10.0)
        except ImportError as exc:
            assert 'pip install "alphakit[brainpy]"' in str(exc), str(exc)
        else:
            raise AssertionError("run_network did not raise ImportError")
        loaded = [m for m in sys.modules if m.split(".")[0] in ("jax", "jaxlib", "brainpy")]
        print(sorted(m for m in loaded if sys.modules[m] is not None))
        """
    )
    assert proc.stdout.strip() == "[]"
