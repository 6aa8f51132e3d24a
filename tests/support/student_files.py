"""The CSV files simulated students upload: small tables of their own, and one large table."""

from __future__ import annotations

import random


def student_csv(number: int) -> tuple[str, bytes]:
    """A small table of the student's own (name, bytes): 24–60 rows, two features and a target."""
    rng = random.Random(f"csv-{number}")
    rows = ["hours,practice,grade"]
    for _ in range(rng.randint(24, 60)):
        hours, practice = rng.uniform(1, 20), rng.uniform(0, 10)
        rows.append(f"{hours:.2f},{practice:.2f},{40 + 2 * hours + 3 * practice + rng.gauss(0, 4):.2f}")
    return f"student-{number}.csv", ("\n".join(rows) + "\n").encode()


def upload_body(size: int) -> bytes:
    """A CSV of ``size`` bytes: what a student's large table looks like."""
    row = b"12.5,34,56.25\n"
    return b"Education,Seniority,Income\n" + row * ((size - 27) // len(row))
