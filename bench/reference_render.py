"""The reference renderer for side-by-side measurements: the straightforward script a team writes
first, a seaborn heatmap of a 7x7 (or ROWSxDAYS) grid of figures of merit, annotated, saved at 150 dpi.

    python bench/reference_render.py OUT.png [ROWS DAYS]
"""

import sys

import numpy as np

out = sys.argv[1]
rows, days = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (7, 7)
rng = np.random.default_rng(7)
data = {f"Metric {i}": list(rng.uniform(0, 1, days)) for i in range(rows)}

# Imported here, after the data, so the measured process pays for them as such a script does.
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

metric_names = list(data.keys())
values = np.array([data[m] for m in metric_names])
fig, ax = plt.subplots(figsize=(12, 8))
sns.heatmap(
    values,
    cmap="RdYlGn",
    vmin=0.0,
    vmax=1.0,
    annot=True,
    fmt=".2f",
    cbar_kws={"label": "Figure of Merit (FoM)"},
    xticklabels=[f"-{days - 1 - i}d" for i in range(days - 1)] + ["Today"],
    yticklabels=metric_names,
    linewidths=1,
    linecolor="white",
    square=False,
    ax=ax,
)
ax.set_title("System Health Rollup - 7 Day FoM Grid", fontsize=18, fontweight="bold", pad=20)
ax.set_xlabel("Day", fontsize=14, fontweight="bold")
ax.set_ylabel("Metric", fontsize=14, fontweight="bold")
plt.tight_layout()
plt.savefig(out, dpi=150, bbox_inches="tight")
plt.close()
