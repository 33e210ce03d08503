"""Data in and out: HR's files, exports, calendar feeds, personal data and backups."""
