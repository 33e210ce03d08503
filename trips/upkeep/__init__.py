"""The day's work, done by the worker: the daily run, its chunks and its tasks."""
