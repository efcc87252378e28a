"""ARQ: the pipeline as code, thin task adapters, worker settings, queue stats."""
