"""Eval harness: labelled cases, deterministic checking, metrics, reports and the regression gate."""
