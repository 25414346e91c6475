"""Small helpers shared by the backend, the action server and the Rasa-side components.

Standard library only, and importing nothing else of ours: `actions/` may use them without reaching into the
backend (`bot/core`, `bot/tickets`), and the backend without reaching into `actions/`.
"""
