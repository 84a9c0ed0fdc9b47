"""Background jobs: one abstract model (``models.Job``) and one service module
(``services``) shared by every long task: check runs, secret scans, handover issues."""
