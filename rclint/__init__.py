"""rclint: a static linter for Kubernetes RuntimeClass setups."""

__version__ = "0.1.0"
