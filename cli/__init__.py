"""capledger cli."""
