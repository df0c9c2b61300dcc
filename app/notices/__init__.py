"""Notices, feedback, contacts and attachments: how the municipal office and the units talk.

- audience: who a notice is addressed to, what a user sees, read receipts;
- feedback: problem reports, their state machine and the office's replies;
- attachments: upload checks by content, storage outside the web root, downloads;
- html: the safe subset of HTML a notice body may carry.
"""
