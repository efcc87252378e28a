"""Packaging shim: templates/, static/ and piccolo_migrations/ stay at the top of the repo and ship inside
the wheel as photonix/templates, photonix/static and photonix/piccolo_migrations (photonix.resources finds
them in either place). Everything else about the package is declared in pyproject.toml."""

from setuptools import find_packages, setup

TOP_LEVEL_DATA = {
    "photonix.templates": "templates",
    "photonix.static": "static",
    "photonix.piccolo_migrations": "piccolo_migrations",
}

setup(
    packages=[*find_packages(include=["photonix", "photonix.*"]), *TOP_LEVEL_DATA],
    package_dir=TOP_LEVEL_DATA,
    package_data={name: ["**/*"] for name in TOP_LEVEL_DATA},
    exclude_package_data={"": ["__pycache__/*", "*.pyc"]},
)
