"""The dashboard's work: which travellers it lists and in what order, what each row says, and
its live fragment, cached until the data changes."""
