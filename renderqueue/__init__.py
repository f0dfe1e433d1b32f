"""renderqueue: a Django job queue and renderer for static ad images."""
