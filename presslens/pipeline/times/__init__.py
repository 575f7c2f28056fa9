"""The times stage: `component` (presslens_times_v1) finds time expressions in the Doc and
`timex` normalises them against the article date."""
