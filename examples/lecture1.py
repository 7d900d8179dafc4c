"""Lecture 1 of Hung-yi Lee's ML 2021, reproduced end to end with dagrad (`make demo`).

    python examples/lecture1.py [--csv PATH --column NAME [--date-column NAME]]
                                [--out DIR] [--seed N] [--quick]

The work is in the package examples/lecture1_lib/: series.py (read and check the CSV), split.py (the
lecture's cut and the lagged inputs), models.py, train.py, tables.py and reading.py (the numbers
and what they say), error_surface.py and batches.py (plain gradient descent on the 1-day model's
error surface; batch, update and epoch), and the pictures: plots.py, plot_losses.py,
plot_surface.py, plot_batches.py, drawing.py (dagrad's graph of the 7-day model).
The same story, cell by cell: examples/lecture1.ipynb.
"""

import os
import sys

# The models' matrices are small: BLAS threads cost more than they save, and on a busy 2-core
# machine they made the full run 6x slower (112 s instead of 18 s). This must happen before NumPy
# loads; a value the user set wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from lecture1_lib.cli import main  # noqa: E402 - after the thread settings above

if __name__ == "__main__":
    sys.exit(main())
