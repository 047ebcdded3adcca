"""Kept for tools that still call ``setup.py``; every setting is in pyproject.toml (PEP 517, setuptools)."""
from setuptools import setup

setup()
