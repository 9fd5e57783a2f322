"""Deterministic demo-export generator for the Sejong City operations dashboard."""

from .generate import generate

__all__ = ["generate"]
