"""What staysite sends out by itself: the alert emails and the daily digests."""
