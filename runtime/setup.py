"""Setuptools shim for haira-runtime; metadata lives in pyproject.toml."""

from setuptools import setup

setup()
