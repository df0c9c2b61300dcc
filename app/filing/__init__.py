"""The filing engine: periods and deadlines, the state machine, corrections, timeliness."""
