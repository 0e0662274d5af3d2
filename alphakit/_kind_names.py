"""Naming what :mod:`alphakit.diagnosis` fitted: the norm and factor of every kind, in words.

The alpha kind keeps the factor naming of :mod:`alphakit._fit` (``e^a tau^b``,
its wording unchanged). The exponential and dual-exponential kinds are named
here: the fitted scale is compared with the ratio of each norm's constant to the
reference norm's, both read from :func:`alphakit.kernel_properties`.
"""

from __future__ import annotations

from typing import Any

from ._conventions_table import CONVENTIONS, factor_label, matching_factors
from ._fit import ONE_STEP_LAG, describe, fmt
from .kernels import KERNEL_NORMS, kernel_properties

#: The kind in words.
KIND_WORDS: dict[str, str] = {
    "alpha": "alpha",
    "exp": "exponential",
    "dual_exp": "dual-exponential",
}

#: What each (kind, norm) of the exponential and dual exponential is the signature of.
KIND_NORM_SIGNATURES: dict[tuple[str, str], str] = {
    ("exp", "plain"): "a jump of one weight unit per spike (NEST iaf_psc_exp and "
    "iaf_cond_exp, NEURON ExpSyn, BrainPy Expon, Brian2, PyNN)",
    ("exp", "peak"): "a jump of one weight unit per spike (NEST iaf_psc_exp and "
    "iaf_cond_exp, NEURON ExpSyn, BrainPy Expon, Brian2, PyNN)",
    ("exp", "area"): "a kernel normalised to unit area (Elephant ExponentialKernel, "
    "Nengo Lowpass)",
    ("dual_exp", "plain"): "Brian2's documented biexponential form (charge tau_decay)",
    ("dual_exp", "peak"): "a kernel normalised to unit peak (NEURON Exp2Syn, NEST "
    "iaf_cond_beta since PR 1197, BrainPy DualExpon)",
    ("dual_exp", "area"): "a kernel normalised to unit area (NEST iaf_cond_beta before PR 1197)",
    ("dual_exp", "legacy"): "BrainPy's DualExpon equations with h += 1",
    ("dual_exp", "difference"): "e^(-t/tau_decay) - e^(-t/tau_rise) (BrainPy's documented "
    "formula with A = 1)",
}

#: Each dual-exponential norm's constant relative to "plain" (D/tau_rise), in symbols.
DUAL_FACTOR_SYMBOLS: dict[str, str] = {
    "plain": "1",
    "legacy": "tau_rise",
    "area": "1/tau_decay",
    "peak": "tau_rise/max(D)",
    "difference": "1 - tau_rise/tau_decay",
}


def norm_ratio(kind: str, norm: str, ref: str, tau: float, tau_rise: float | None) -> float:
    """The kernel of ``norm`` divided by the kernel of ``ref`` (same kind and time constants)."""
    a = kernel_properties(tau, norm=norm, kind=kind, tau_rise=tau_rise)  # type: ignore[arg-type]
    b = kernel_properties(tau, norm=ref, kind=kind, tau_rise=tau_rise)  # type: ignore[arg-type]
    return a.charge / b.charge


def name_scale(
    kind: str, scale: float, tau: float, tau_rise: float | None, ref: str, rtol: float
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(factor label, convention, every norm that fits) for a non-alpha kind.

    A norm fits when ``scale`` is its kernel over the reference kernel within
    ``rtol`` (the sign counts: a negative scale is no convention). The
    convention reported is ``ref`` itself when it fits, else the first that fits.
    """
    fits: list[str] = []
    for n in KERNEL_NORMS[kind]:  # type: ignore[index]
        try:
            r = norm_ratio(kind, n, ref, tau, tau_rise)
        except (ValueError, ZeroDivisionError):
            continue
        if r != 0 and abs(scale / r - 1.0) <= rtol:
            fits.append(n)
    conv = ref if ref in fits else (fits[0] if fits else None)
    label: str | None = None
    if kind == "exp":
        abs_fits = matching_factors(scale, tau, rtol)
        if abs_fits:
            label = ("-" if scale < 0 else "") + factor_label(*abs_fits[0])
    elif conv is not None:
        num, den = DUAL_FACTOR_SYMBOLS[conv], DUAL_FACTOR_SYMBOLS[ref]
        if conv == ref:
            label = "1"
        elif den == "1":
            label = num
        else:
            label = f"({num})/({den})"
    return label, conv, tuple(fits)


def rows(kind: str, norms: tuple[str, ...]) -> tuple[str, ...]:
    """Rows of the conventions table of this kind with one of ``norms``.

    Rows without a ``kind`` are alpha rows (the table began with the alpha kind).
    """
    return tuple(
        r.name for r in CONVENTIONS if getattr(r, "kind", "alpha") == kind and r.norm in norms
    )


def lag_words(lag: int | None, onset: float, dt: float) -> str:
    """The onset in words, in steps and ms: whole or fractional, late or early."""
    if lag == 0:
        return "with no lag"
    if lag == 1:
        return f"one step ({fmt(dt)} ms) late"
    steps = onset / dt
    when = "late" if steps > 0 else "early"
    count = f"{abs(lag)} steps" if lag is not None else f"{abs(steps):.3g} steps"
    if lag == -1:
        count = "one step"
    return f"{count} ({fmt(abs(onset))} ms) {when}"


def taus_words(kind: str, tau: float, tau_rise: float | None) -> str:
    if kind == "dual_exp":
        return f"tau_rise = {fmt(tau_rise or 0.0)} ms, tau_decay = {fmt(tau)} ms"
    return f"tau = {fmt(tau)} ms"


#: Each kind's "plain" kernel in words (what the classification's factor multiplies).
PLAIN_WORDS = {"alpha": "t/tau e^(-t/tau)", "exp": "e^(-t/tau)", "dual_exp": "D(t)/tau_rise"}


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def describe_fit(
    f: Any, dt: float, norm: str, rtol: float, shape_rtol: float, refit: Any
) -> dict[str, Any]:
    """The fields of a :class:`alphakit.diagnosis.Diagnosis` but ``fitted`` and ``refit``."""
    shape_ok = f.residual <= shape_rtol
    words = lag_words(f.lag, f.onset, dt)
    if f.kind == "alpha":
        # the alpha kind keeps its wording; describe knows whole steps from 0 on only
        whole = f.lag is not None and f.lag >= 0
        d = describe(f.lag if whole else 0, f.scale, f.residual, dt, f.tau, norm,  # type: ignore[arg-type]
                     rtol, shape_rtol, refit)  # fmt: skip
        if not whole:
            d["explanation"] = d["explanation"].replace("with no lag", words, 1)
        conv = d["convention"]
        d.update(
            kind="alpha",
            lag=f.lag,
            lag_ms=f.onset,
            tau_rise=None,
            matches=rows("alpha", (conv,)) if conv else (),
        )
        return d
    word = KIND_WORDS[f.kind]
    label, conv, fits = name_scale(f.kind, f.scale, f.tau, f.tau_rise, norm, rtol)
    if not shape_ok:
        conv = None
    parts = [
        f"The recording is {fmt(f.scale)} x the convolution with the {norm!r} {word} kernel "
        f"({taus_words(f.kind, f.tau, f.tau_rise)}), {words}; relative residual "
        f"{f.residual:.2g}."
    ]
    if not shape_ok:
        parts.append(
            f"The shape does not match: a residual of {f.residual:.2g} remains that no "
            "scale or lag can remove, so the scale says nothing about the convention."
        )
    elif label is None:
        parts.append(
            f"{fmt(f.scale)} is none of the factors between the {word} kernel's norms within "
            "the tolerance: the weight itself is probably not 1."
        )
    elif conv is None:
        parts.append(
            f"{fmt(f.scale)} is {label}; with unit weight no convention gives it (the weight "
            "may carry part of the factor)."
        )
    else:
        sig = KIND_NORM_SIGNATURES[(f.kind, conv)]
        verb = "the same convention as the kernel" if conv == norm else f"the {conv!r} norm"
        parts.append(
            f"{fmt(f.scale)} is {label}, the signature of {sig}: the recording follows {verb}."
        )
    if shape_ok and f.lag == 1:
        parts.append(ONE_STEP_LAG)
    text = " ".join(parts)
    if refit is not None:
        text += (
            f" Fitting the time constants as well: the best are "
            f"{taus_words(refit.kind, refit.tau, refit.tau_rise)} (residual "
            f"{refit.residual:.2g}). " + refit.explanation
        )
        if not refit.shape_matches:
            text += f" Even so it is not {_article(word)} {word} response of the given spikes."
    return dict(
        kind=f.kind,
        lag=f.lag,
        lag_ms=f.onset,
        scale=f.scale,
        residual=f.residual,
        tau=f.tau,
        tau_rise=f.tau_rise,
        norm=norm,
        factor=label,
        convention=conv,
        matches=rows(f.kind, fits if conv in ("plain", "peak") and f.kind == "exp" else
                        ((conv,) if conv else ())),  # fmt: skip
        shape_matches=shape_ok,
        explanation=text,
    )


def classify_text(c: dict, shape_ok: bool, sig: str, dt: float) -> str:
    how = "fitted" if c["tau_estimated"] else "given"
    lag = "" if c["lag"] == 0 else f", starting {lag_words(c['lag'], c['lag_ms'], dt)}"
    word = KIND_WORDS[c["kind"]]
    text = (
        f"The response peaks at {fmt(c['peak'])} about {fmt(c['peak_time'])} ms after "
        f"the kernel starts{lag}, with charge {fmt(c['charge'])}; "
        f"{taus_words(c['kind'], c['tau'], c['tau_rise'])} ({how}). It is "
        f"{fmt(c['factor'])} x {PLAIN_WORDS[c['kind']]} (relative residual {c['residual']:.2g})"
    )
    if not shape_ok:
        return (
            text + f": the shape is not {_article(word)} {word} function, "
            "so no convention applies."
        )
    if c["factor_label"] is None:
        return text + ": that factor is none of the conventions' (is the weight 1?)."
    if c["convention"] is None:
        return text + f"; {c['factor_label']} is no convention's factor with unit weight."
    # a kind whose norm no row of the conventions table uses has no rows to list
    rows = f": {', '.join(c['matches'])}" if c["matches"] else ""
    return text + f"; {c['factor_label']} is the {c['convention']!r} convention, {sig}{rows}."
