"""Adapters for serving stacks; none imports the stack it adapts to."""
