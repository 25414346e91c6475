"""The citizens' web chat: the page and its assets (`routes.py`, served by the backend) and the
socket.io channel it talks to (`socketio_channel.py`, loaded by the Rasa server from credentials.yml)."""
