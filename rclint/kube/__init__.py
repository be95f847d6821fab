"""Kubernetes knowledge for rclint: pure functions, no I/O."""
