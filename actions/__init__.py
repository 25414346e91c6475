"""Rasa custom actions for 海原政务小助手.

`python -m rasa_sdk --actions actions` imports every module of this package and registers each
Action subclass it finds.
"""

from bot import triage

triage.warm_up()  # load (or train) the triage model while the action server starts, not on the first letter
