"""schedlab as a service: a job store, worker processes and an HTTP API."""
