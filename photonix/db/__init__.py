"""Piccolo tables and the queries the app needs; permission filters live here so no caller forgets them."""
