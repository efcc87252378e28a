"""Photonix: a self-hosted photo manager whose processing runs as a declared pipeline on ARQ."""
