"""海原政务小助手: run orchestration, knowledge base, backend and web code.

Keep this file free of third-party imports: `python3 -m bot` must work before the venv exists.
"""
