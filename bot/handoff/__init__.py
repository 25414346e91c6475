"""Live handoff (转人工): citizens queue for a staff member, who chats with them from the console.

routes.py (API: bot token for requests, poll token for the citizen's events) → service.py (queue, office
hours from knowledge/calendar.yml, Rasa pause/resume via rasa.py) → crud.py / models.py (handoff_* tables,
own Alembic history in migrations/, version table alembic_version_handoff). The console's 人工接待 page
(bot/console/routes/handoff.py) is the staff side.
"""
