"""Matplotlib figures as base64 PNG strings for self-contained HTML reports."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def png_base64(fig, dpi: int = 90) -> str:
    """Render and close `fig`; the result goes into `<img src='data:image/png;base64,...'>`."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()
