"""A server's own films at run time: the ingest engine (one writer task, worker processes), adding and
removing films (service.py), the documents members upload (uploads.py) and what a server may add (limits.py).
"""
