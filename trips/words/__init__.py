"""The engine's figures and the records' history, put into sentences and pictures for pages."""
