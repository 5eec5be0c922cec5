"""When things are due: a business-day calendar and the regulatory clocks.

- `calendar`: weekends, US federal holidays (5 U.S.C. 6103(a)) and a clinic's own closures.
- `due`: the one shape every clock returns: the date, the rule and its citation.
- `good_faith_estimate`, `disputes`: No Surprises Act estimates and patient-provider disputes.
- `erisa`, `external_review`, `medicare_advantage`: claim decisions and appeal windows.
- `events`: every date that follows from one event, for one kind of plan.

"Days" are calendar days and hours are clock hours from receipt unless a rule says business
days; a window counts from the day after its trigger (research §4.5).
"""
