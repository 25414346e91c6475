"""Rasa custom actions for 海原政务小助手.

`python -m rasa_sdk --actions actions` imports every module of this package and registers each
Action subclass it finds.
"""
