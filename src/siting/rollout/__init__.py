"""The multi-period (rollout) form of the fast model: models/rollout.md."""
