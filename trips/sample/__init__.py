"""Made-up data: the demo organisation and the benchmark's synthetic one."""
