"""Keeping Vraagbaak running: doctor (and the model self-test), status, metrics, logging, the schedule,
the settings reference."""
