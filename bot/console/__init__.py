"""Staff console (工作人员控制台): login and roles, the unresolved-intent inbox, knowledge and notice editing,
the ticket workbench and the 堵点 analytics, served by the backend under /console.

    routes/     one module per area (auth, inbox, knowledge, notices, tickets, analytics, users …)
    services/   the logic behind them; crud/ the queries; models.py the console_* tables
    templates/  Jinja2 pages (server-rendered, Chinese); static/ our own CSS and JS (no CDN)
    migrations/ Alembic history of the console tables (own version table, see migrations/env.py)

First admin: `python3 -m bot create-admin` (or `python -m bot.console.create_admin`).
"""
