"""Demo data of the judging app (seed_demo): judges, assignments, scores and results."""
