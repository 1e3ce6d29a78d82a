"""The fleet view: many repositories' audits as one report (RULES.md, "Fleets").

``run`` audits folders in parallel, in this process's code (a process pool, never a
subprocess per repository); ``inputs`` reads ``audit --format json`` (and earlier fleet)
reports made elsewhere; ``model`` merges either into the fleet's data and compares two
dates; ``markdown`` and ``page`` render it.
"""
