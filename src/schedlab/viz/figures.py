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


def metrics_table_rows(metrics: dict) -> str:
    """`<tr>` rows of name and value (floats to 4 significant digits), HTML-escaped."""
    import html

    def cell(v) -> str:
        return f"{v:.4g}" if isinstance(v, float) else html.escape(str(v))

    return "".join(f"<tr><td>{html.escape(str(k))}</td><td>{cell(v)}</td></tr>" for k, v in metrics.items())
