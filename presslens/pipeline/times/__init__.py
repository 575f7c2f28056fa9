"""The times stage: `component` (presslens_times_v1) finds time expressions in the Doc and
`timex` normalizes them against the article date."""
