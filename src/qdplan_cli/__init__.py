"""qdplan — 开评标应急预案向导 (Qingdao e-trading bid opening/evaluation emergency plan wizard)."""

__version__ = "0.1.0"
