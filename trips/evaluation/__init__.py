"""What the law says about each traveller: the only door from the records to `rules`."""
